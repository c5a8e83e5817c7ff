"""Publish the harness's numbers: ``eval_results.md`` (the latest table), ``eval_chart.png``,
``eval_risk_coverage.png`` (the certainty tiers' precision against coverage), a console summary."""

from __future__ import annotations

from pathlib import Path

SYSTEMS = {
    "hybrid": "hybrid (ours)",
    "lexical": "lexical (ours: BM25, char 1+2-grams)",
    "dense": "dense (ours: e5-small, FAISS)",
    "chunk500": "baseline: 500/100 chunks + e5-small + FAISS",
    "bm25s": "baseline: bm25s default tokenizer",
}
SHORT = {"hybrid": "hybrid", "lexical": "lexical", "dense": "dense", "chunk500": "chunk500 (base)", "bm25s": "bm25s (base)"}
METRICS = ("R@1", "R@5", "R@10", "MRR", "nDCG@10")
POOL_ORDER = {"test": 0, "dev": 1}


def _f(v: float | None, digits: int = 3) -> str:
    return "–" if v is None else f"{v:.{digits}f}"


def _ms(v: float) -> str:
    return f"{v:.2f}" if v < 1 else f"{v:.1f}"


def _panels(results: dict) -> list[tuple[str, str, dict]]:
    """(pool, group, entry) for every group with retrieval numbers, test first."""
    out = []
    for pool in sorted(results["pools"], key=lambda p: (POOL_ORDER.get(p, 2), p)):
        for group, entry in results["pools"][pool]["groups"].items():
            if "retrieval" in entry:
                out.append((pool, group, entry))
    return out


def targets(results: dict) -> list[dict]:
    """The issue's targets, measured on the real-standards test split and the test pool."""
    pool = results["pools"].get("test")
    if not pool:
        return []
    rows: list[dict] = []
    real = pool["groups"].get("real", {}).get("retrieval")
    if real:
        h, c = real["hybrid"], real.get("chunk500")
        rows += [
            {"what": "hybrid Recall@5, real standards, test", "zh": "真实规范测试集 混合检索 R@5", "target": "≥ 0.90", "value": h["R@5"], "met": h["R@5"] >= 0.90},
            {"what": "hybrid Recall@1, real standards, test", "zh": "真实规范测试集 混合检索 R@1", "target": "≥ 0.70", "value": h["R@1"], "met": h["R@1"] >= 0.70},
        ]
        if c is not None:
            rows.append({"what": "hybrid R@1 minus chunk500 baseline R@1, real, test", "zh": "混合检索 R@1 高出分块基线",
                         "target": "≥ +0.15", "value": round(h["R@1"] - c["R@1"], 4), "met": h["R@1"] - c["R@1"] >= 0.15})
        cit = pool["groups"]["real"].get("citation", {})
        if cit.get("accuracy_all") is not None:
            rows.append({"what": "ask: first citation is gold, real standards, test (refusals count as wrong)", "zh": "真实规范测试集 问答首条引用正确",
                         "target": "≥ 0.85", "value": cit["accuracy_all"], "met": cit["accuracy_all"] >= 0.85})
    ref = pool["refusal"]
    if ref["recall"] is not None:
        rows.append({"what": "ask: unanswerable questions refused, test", "zh": "测试集 无法回答题拒答率", "target": "≥ 0.90", "value": ref["recall"],
                     "met": ref["recall"] >= 0.90})
    if ref["wrong_refusal"] is not None:
        rows.append({"what": "ask: answerable questions wrongly refused, test", "zh": "测试集 可回答题误拒率", "target": "≤ 0.10",
                     "value": ref["wrong_refusal"], "met": ref["wrong_refusal"] <= 0.10})
    return rows + tier_targets(pool)


def _row(what: str, zh: str, target: str, value: float | None, ok) -> list[dict]:  # noqa: ANN001
    return [] if value is None else [{"what": what, "zh": zh, "target": target, "value": value, "met": ok(value)}]


def tier_targets(pool: dict) -> list[dict]:
    """Issue 17's targets for the certainty tiers, on one pool (the test split)."""
    rows: list[dict] = []
    real = pool["groups"].get("real", {}).get("tiers")
    if real:
        rows += _row("tiers: first citation gold among clear answers, real standards", "真实规范 明确（clear）回答首条引用正确",
                     "≥ 0.95", real["clear_precision"], lambda v: v >= 0.95)
        rows += _row("tiers: answerable real-standard questions answered clear", "真实规范可回答题中明确回答的比例",
                     "≥ 0.60", real["clear_coverage"], lambda v: v >= 0.60)
    t = pool.get("tiers")
    if t:
        rows += _row("tiers: gold clause among the clauses shown, clear or likely answers (real + sample)",
                     "明确或可能回答中展示了正确条文", "≥ 0.95", t["gold_shown"], lambda v: v >= 0.95)
        rows += _row("tiers: unanswerable questions answered none", "无法回答题答“无依据”", "≥ 0.90",
                     t["none_unanswerable_rate"], lambda v: v >= 0.90)
        unc = pool.get("tiers_by_style", {}).get("in_domain_uncovered")
        if unc:
            rows += _row("tiers: in-domain uncovered questions answered none", "领域内未覆盖题答“无依据”", "≥ 0.85",
                         unc["none_unanswerable_rate"], lambda v: v >= 0.85)
        rows += _row("tiers: unanswerable questions answered clear", "无法回答题被明确回答", "≤ 0.02",
                     t["clear_unanswerable_rate"], lambda v: v <= 0.02)
        rows += _row("tiers: answerable questions answered none (real + sample)", "可回答题答“无依据”", "≤ 0.10",
                     t["none_answerable_rate"], lambda v: v <= 0.10)
    return rows


def tier_table(results: dict) -> list[str]:
    """Markdown: per split and set, how the answers fall into the tiers and how right each tier is."""
    lines = ["## ask: certainty tiers", "",
             "clear: one clause stated as the answer; likely: the 2–3 nearest clauses side by side, to be checked; "
             "none: refusal with the next step. Clear precision: first citation gold among clear answers (a clear "
             "answer to an unanswerable question is wrong). Gold shown: a gold clause among the clauses shown, of "
             "the answerable questions answered clear or likely. Chart: `eval_risk_coverage.png`.", "",
             "| split / set | answerable | clear / likely / none (answerable) | clear precision | clear coverage | "
             "gold shown | unanswerable | none (unanswerable) | clear (unanswerable) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for pool in sorted(results["pools"], key=lambda p: (POOL_ORDER.get(p, 2), p)):
        p = results["pools"][pool]
        if "tiers" not in p:
            continue
        rows = [(g, e["tiers"]) for g, e in p["groups"].items() if "tiers" in e]
        rows += [(f"unanswerable: {st}", t) for st, t in p.get("tiers_by_style", {}).items()]
        rows.append(("all", p["tiers"]))
        for g, t in rows:
            split = (f"{t['clear_answerable']} / {t['likely_answerable']} / {t['none_answerable']}"
                     if t["answerable"] else "–")
            lines.append(f"| {pool} / {g} | {t['answerable']} | {split} | {_f(t['clear_precision'])} | "
                         f"{_f(t['clear_coverage'])} | {_f(t['gold_shown'])} | {t['unanswerable']} | "
                         f"{_f(t['none_unanswerable_rate'])} | {_f(t['clear_unanswerable_rate'])} |")
    lines.append("")
    return lines


def render_markdown(results: dict) -> str:
    inst = results["installation"]
    lines = [
        "# Evaluation results",
        "",
        f"Generated {results['generated']} by `{results.get('command') or 'python -m evals.run'}` "
        f"({results['machine']['cpus']} CPUs, Python {results['machine']['python']}, {results['seconds']} s). "
        "Raw numbers: `eval_results.json`; per question: `eval_details.jsonl`; chart: `eval_chart.png`.",
        "",
        f"Installation `{inst['data_dir']}`: {inst['documents']} documents, {inst['clauses']} clause records "
        f"(the bundled sample corpus{' and the real standards' if inst['real_corpora'] else ' only'}, indexed together), "
        f"embedder `{inst['embedder']}`. Baselines: "
        + (f"{inst['chunk500']['chunks']} chunks of ≤ 500 characters (100 overlap); " if "chunk500" in inst
           else "chunk baseline not run (`--no-chunk-baseline`); ")
        + f"bm25s over {inst['bm25s']['rows']} clause rows.",
        "",
    ]
    lines += [f"> {n}" for n in results.get("notes", [])]
    tg = targets(results)
    if tg:
        lines += ["## Targets", "", "| measure | target | measured | met |", "|---|---|---|---|"]
        lines += [f"| {t['what']} | {t['target']} | {_f(t['value'])} | {'yes' if t['met'] else '**no**'} |" for t in tg]
        lines.append("")
    lines += ["## Retrieval", "",
              "Gold lists of the real-standards questions hold real clauses only; sample clauses compete in the same "
              "index and a sample clause ranked above the gold one is a miss.", ""]
    for pool, group, entry in _panels(results):
        ret = entry["retrieval"]
        base = ret["chunk500"]["R@1"] if "chunk500" in ret else None
        lines += [f"### {group} / {pool} ({entry['answerable']} answerable questions)", "",
                  "| system | R@1 | R@5 | R@10 | MRR | nDCG@10 | R@1 vs chunk500 |", "|---|---|---|---|---|---|---|"]
        for s, label in SYSTEMS.items():
            if s not in ret:
                continue
            m = ret[s]
            delta = "" if s == "chunk500" or base is None else f"{m['R@1'] - base:+.3f}"
            lines.append(f"| {label} | " + " | ".join(_f(m[k]) for k in METRICS) + f" | {delta} |")
        lines.append("")
    lines += ["## ask: citations and refusals", "",
              "| split / set | questions | answerable | answered | first citation gold (of answered) | "
              "first citation gold (of answerable) | gold cited anywhere | wrongly refused | unanswerable refused |",
              "|---|---|---|---|---|---|---|---|---|"]
    for pool in sorted(results["pools"], key=lambda p: (POOL_ORDER.get(p, 2), p)):
        p = results["pools"][pool]
        rows = [(g, e) for g, e in p["groups"].items()] + [("all", {"questions": sum(e["questions"] for e in p["groups"].values()),
                                                                    "answerable": p["refusal"]["answerable"],
                                                                    "citation": p["citation"], "refusal": p["refusal"]})]
        for g, e in rows:
            c, r = e.get("citation") or {}, e["refusal"]
            lines.append(
                f"| {pool} / {g} | {e['questions']} | {e['answerable']} | {c.get('answered', '–')} | "
                f"{_f(c.get('accuracy_answered'))} | {_f(c.get('accuracy_all'))} | {_f(c.get('cited_anywhere'))} | "
                f"{_f(r['wrong_refusal'])} | {_f(r['recall'])} |"
            )
    lines += [""]
    lines += tier_table(results)
    lines += ["Refusal precision (of all refusals in the split, the share that were unanswerable questions): " + ", ".join(
        f"{pool} {_f(results['pools'][pool]['refusal']['precision'])} "
        f"({results['pools'][pool]['refusal']['refused']} refused)" for pool in results["pools"]) + ".", ""]
    some = next(iter(results["pools"].values()))["latency"]
    ran = [s for s in (*SYSTEMS, "ask") if s in some]
    lines += ["## Latency", "",
              "Milliseconds per query, one process, warm (models and indexes loaded before timing); dense and hybrid include "
              "embedding the query; ask is the whole answer (lookup, search, refusal decision, case search, composing). "
              "The 2 cores are shared with other work, so treat these as indicative.", "",
              "| split | " + " | ".join(f"{SHORT.get(s, s)} p50/p95" for s in ran) + " |",
              "|---|" + "---|" * len(ran)]
    for pool in sorted(results["pools"], key=lambda p: (POOL_ORDER.get(p, 2), p)):
        lat = results["pools"][pool]["latency"]
        lines.append(f"| {pool} | " + " | ".join(f"{_ms(lat[s]['p50_ms'])} / {_ms(lat[s]['p95_ms'])}" for s in ran) + " |")
    lines += ["", "## How it is scored", "",
              "- A retrieved clause or a citation is correct when its (code, clause number) equals any gold entry "
              "(codes compared after `canonical_code`). Gold entries are alternatives: every clause that answers.",
              "- Recall@k: share of questions with a gold clause in the first k results. MRR: mean reciprocal rank of "
              "the first gold result (0 if none in the top 10). nDCG@10: binary gain, each gold clause counted once; "
              "the ideal has one gold clause per rank for min(#gold, 10) ranks.",
              "- chunk500 baseline: each document laid out as text (headings, `number text` lines) and split by "
              "LangChain's `RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=100)`; a chunk is a hit for a "
              "clause when their character spans overlap by at least half of the shorter one (the chunk holds at least "
              "half the clause, or is at least half of a clause longer than a chunk). A chunk that covers several clauses "
              "counts for all of them, which favours the baseline. Ranks are ranks of chunks.",
              "- bm25s baseline: `bm25s.tokenize` with its defaults over one row per clause (commentary rows stand for "
              "their clause); results with score 0 are not results. It finds next to nothing in Chinese: the default "
              "pattern `\\b\\w\\w+\\b` takes a whole unspaced sentence as one token.",
              "- ask: the first citation of a grounded answer is checked; a refusal of an answerable question counts as "
              "wrong in \"of answerable\" and is left out of \"of answered\". Refusal recall: unanswerable questions "
              "refused; wrongly refused: answerable questions refused; precision: refusals that were of unanswerable "
              "questions. The refusal model was fitted on the dev split only (`python -m evals.calibrate`).",
              "- Certainty tiers: every answer is clear, likely or none. Clear precision counts the first citation of "
              "clear answers (to any question); clear coverage is the share of answerable questions answered clear; gold "
              "shown counts every clause the answer shows (a clear answer's clause and its related clauses, or a likely "
              "answer's 2–3 candidates). The risk–coverage curve answers only questions the refusal model answers, most "
              "confident first by the tier model's probability that the first citation is right.",
              "- Tuning (fusion weights, analyser, refusal threshold, tier threshold) used the dev split; test numbers are "
              "reported as measured.",
              ""]
    return "\n".join(lines)


def chart(results: dict, path: Path) -> None:
    """Grouped bars per (set, split): R@1, R@5, MRR, nDCG@10 for every mode and baseline."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    panels = _panels(results)[:6]
    if not panels:
        return
    metrics = ("R@1", "R@5", "MRR", "nDCG@10")
    colors = {"hybrid": "#1f6feb", "lexical": "#6ea8fe", "dense": "#9ec5fe", "chunk500": "#d9822b", "bm25s": "#999999"}
    shown = [s for s in SYSTEMS if s in panels[0][2]["retrieval"]]
    cols = 2 if len(panels) > 1 else 1
    rows = (len(panels) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(6.2 * cols, 3.6 * rows), squeeze=False)
    x = np.arange(len(metrics))
    width = 0.8 / len(shown)
    for ax, (pool, group, entry) in zip(axes.flat, panels, strict=False):
        for i, s in enumerate(shown):
            vals = [entry["retrieval"][s][m] for m in metrics]
            bars = ax.bar(x + (i - (len(shown) - 1) / 2) * width, vals, width, label=SHORT[s], color=colors[s])
            if s in ("hybrid", "chunk500") or not any(vals):
                ax.bar_label(bars, labels=[f"{v:.2f}" if v else "0" for v in vals], fontsize=6, padding=1)
        ax.set_xticks(x, metrics)
        ax.set_ylim(0, 1.08)
        ax.set_title(f"{group} / {pool} (n={entry['answerable']})", fontsize=10)
        ax.grid(axis="y", alpha=0.3)
        if group == "real" and pool == "test":
            for y in (0.70, 0.90):
                ax.axhline(y, color="#c0392b", lw=0.8, ls="--")
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=len(shown), fontsize=8, frameon=False)
    fig.suptitle("Retrieval: our modes vs generic RAG baselines (dashed: R@1 0.70 / R@5 0.90 targets)", fontsize=11)
    fig.tight_layout(rect=(0, 0.05, 1, 0.96))
    fig.savefig(path, dpi=130)
    plt.close(fig)


def risk_coverage_chart(results: dict, path: Path) -> None:
    """First-citation precision against the share of questions answered, per split; dots: the clear tier."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curves = [(pool, which, p["risk_coverage"][which], p) for pool, p in sorted(
        results["pools"].items(), key=lambda kv: (POOL_ORDER.get(kv[0], 2), kv[0]))
        if "risk_coverage" in p for which in ("real", "all") if p["risk_coverage"].get(which)]
    if not curves:
        return
    fig, ax = plt.subplots(figsize=(7.0, 4.6))
    colors = {"test": "#1f6feb", "dev": "#d9822b"}
    for pool, which, pts, p in curves:
        color = colors.get(pool, "#555555")
        style = "-" if which == "real" else ":"
        label = f"{pool}: {'real standards' if which == 'real' else 'all questions (unanswerable count as wrong)'}"
        ax.plot([0.0] + [q["coverage"] for q in pts], [pts[0]["precision"]] + [q["precision"] for q in pts],
                style, color=color, lw=1.6, label=label, drawstyle="steps-post")
        t = p["groups"].get("real", {}).get("tiers") if which == "real" else p["tiers"]
        if t and t["clear_precision"] is not None:
            cov = t["clear"] / (t["answerable"] + t["unanswerable"])
            ax.plot([cov], [t["clear_precision"]], "o" if which == "real" else "s", color=color, ms=6)
            if which == "real":
                ax.annotate(f"{pool} clear: {cov:.2f} answered, {t['clear_precision']:.3f} right",
                            (cov, t["clear_precision"]), textcoords="offset points",
                            xytext=(8, -60 if pool == "test" else 14), fontsize=7, color=color,
                            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.9},
                            arrowprops={"arrowstyle": "-", "color": color, "lw": 0.6})
    ax.axhline(0.95, color="#c0392b", lw=0.8, ls="--")
    ax.axvline(0.60, color="#c0392b", lw=0.8, ls="--")
    ax.set_xlim(0, 1)
    ax.set_ylim(0.6, 1.02)
    ax.set_xlabel("share of questions answered (threshold on P(first citation right))")
    ax.set_ylabel("first citation right, of answered")
    ax.set_title("Risk–coverage of ask (markers: the clear tier; dashed: targets 0.95 precision at 0.60 coverage)",
                 fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def write(results: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "eval_results.md").write_text(render_markdown(results), "utf-8")
    chart(results, out / "eval_chart.png")
    risk_coverage_chart(results, out / "eval_risk_coverage.png")


def console_summary(results: dict) -> str:
    """What ``zhijian eval`` prints: the numbers in Chinese, compactly."""
    names = {"hybrid": "混合", "lexical": "关键词", "dense": "语义", "chunk500": "基线·500字分块", "bm25s": "基线·bm25s"}
    sets = {"real": "真实规范", "sample": "示例语料", "unanswerable": "无法回答"}
    out: list[str] = []
    for pool, group, entry in _panels(results):
        out.append(f"【{sets.get(group, group)} · {pool}】{entry['answerable']} 题")
        out.append(f"  {'方式':<14}" + "".join(f"{m:>9}" for m in METRICS))
        for s, label in names.items():
            if s not in entry["retrieval"]:
                continue
            m = entry["retrieval"][s]
            out.append(f"  {label:<14}" + "".join(f"{m[k]:>9.3f}" for k in METRICS))
        c = entry.get("citation") or {}
        out.append(f"  问答首条引用正确：{_f(c.get('accuracy_all'))}（已回答中 {_f(c.get('accuracy_answered'))}）")
    for pool, p in results["pools"].items():
        r, lat = p["refusal"], p["latency"]
        out.append(
            f"【拒答 · {pool}】无法回答题拒答率 {_f(r['recall'])}，可回答题误拒率 {_f(r['wrong_refusal'])}，"
            f"拒答精确率 {_f(r['precision'])}"
        )
        out.append("  延迟 p50/p95（毫秒）：" + "，".join(
            f"{names.get(s, '问答' if s == 'ask' else s)} {v['p50_ms']:.0f}/{v['p95_ms']:.0f}" for s, v in lat.items()))
    for pool, p in results["pools"].items():
        t = p.get("tiers")
        if t:
            out.append(f"【确定性 · {pool}】可回答题 明确/可能/无依据 {t['clear_answerable']}/{t['likely_answerable']}/"
                       f"{t['none_answerable']}，明确回答首条正确 {_f(t['clear_precision'])}，展示了正确条文 "
                       f"{_f(t['gold_shown'])}，无法回答题答无依据 {_f(t['none_unanswerable_rate'])}、被明确回答 "
                       f"{_f(t['clear_unanswerable_rate'])}")
    for t in targets(results):
        out.append(f"{'✔' if t['met'] else '✘'} {t['zh']}：{_f(t['value'])}（目标 {t['target']}）")
    return "\n".join(out)
