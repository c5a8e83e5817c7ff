"""Timings of the inspection loop through the API, in process (issue 16). Numbers, not tests.

    python -m evals.bench_inspections [--data-dir DIR]

Over a copy of an installation with an index (the given one, or the sample corpus
built once into evals/results/tmp/sample by ``evals.bench_api``) and a fresh SQLite
store with the demo data: the tolerance list (first call builds the catalogue from
the library), measured-value checks of 20 and 200 points, the two printable PDFs,
publishing a closed notice as a case until search finds it, and a 双随机 draw.
Results go to evals/results/inspections_bench.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from evals.bench_api import REPO, ensure_installation


def _timed(fn: Callable[[], Any], n: int = 1) -> tuple[Any, list[float]]:
    out, last = [], None
    for _ in range(n):
        t = time.perf_counter()
        last = fn()
        out.append((time.perf_counter() - t) * 1000)
    return last, out


def run(data_dir: Path) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from assistant.config import Settings
    from assistant.store import migrate
    from assistant.store.db import session_scope
    from assistant.store.seed import seed_demo
    from assistant.store.tokens import seed_demo_tokens

    work = Path(tempfile.mkdtemp(prefix="zj-bench-insp-"))
    shutil.copytree(data_dir, work / "data")
    app = create_app(Settings(data_dir=work / "data", database_url=f"sqlite:///{work / 'store.db'}",
                              api_rate_limit_anonymous="", api_rate_limit_token="", api_rate_limit_auth_failures=""))
    core = app.state.services.assistant
    migrate.upgrade(core.db)
    with session_scope(core.db) as s:
        seed_demo(s, rules=core.rules, now=core.clock())
        tokens = seed_demo_tokens(s)

    def auth(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[role]}"}

    res: dict[str, Any] = {}
    with TestClient(app) as c:
        r, ms = _timed(lambda: c.get("/v1/tolerances"))
        res["tolerances_first_ms"], res["tolerance_items"] = round(ms[0], 1), len(r.json())
        _, ms = _timed(lambda: c.get("/v1/tolerances"), 50)
        res["tolerances_cached_median_ms"] = round(statistics.median(ms), 2)
        for n in (20, 200):
            body = {"item": "CV-02", "design": 25, "values": [25 + (i % 20) * 0.7 for i in range(n)]}
            _, ms = _timed(lambda b=body: c.post("/v1/measurements/check", json=b), 100)
            res[f"check_{n}_points_median_ms"] = round(statistics.median(ms), 2)
            res[f"check_{n}_points_p95_ms"] = round(sorted(ms)[94], 2)
        staff, firm = auth("inspector"), auth("contractor")
        school = next(p for p in c.get("/v1/projects", headers=staff).json() if p["name"].startswith("示例县第一"))
        rec = c.post("/v1/inspections", headers=staff, json={"project": school["id"], "position": "三层楼板"}).json()
        no = rec["record_no"]
        f = c.post(f"/v1/inspections/{no}/findings", headers=staff, json={
            "category": "entity", "problem": "板底垫块用碎砖代替", "cited_code": "ZJ/T 102-2025",
            "cited_clause": "5.0.2"}).json()
        m = c.post(f"/v1/inspections/{no}/measurements", headers=staff,
                   json={"item": "CV-02", "design": 25, "values": [33, 20, 37.5, 25, 26, 19]}).json()
        notice = c.post(f"/v1/inspections/{no}/notices", headers=staff,
                        json={"finding_ids": [f["id"]], "measurement_ids": [m["id"]]}).json()["notice_no"]
        r, ms = _timed(lambda: c.get(f"/v1/inspections/{no}/pdf", headers=staff), 3)
        res["inspection_pdf_ms"], res["inspection_pdf_bytes"] = [round(x) for x in ms], len(r.content)
        r, ms = _timed(lambda: c.get(f"/v1/rectifications/{notice}/pdf", headers=staff), 3)
        res["notice_pdf_ms"], res["notice_pdf_bytes"] = [round(x) for x in ms], len(r.content)
        c.post(f"/v1/rectifications/{notice}/reply", headers=firm, json={"reply": "已更换为砂浆垫块"})
        c.post(f"/v1/rectifications/{notice}/reinspect", headers=staff, json={"passed": True})
        t = time.perf_counter()
        pub = c.post(f"/v1/rectifications/{notice}/publish", headers=staff, json={
            "title": "垫块以碎砖代替", "problem": "板底垫块用碎砖代替，保护层不足", "cause": "班组用碎砖头代替砂浆垫块",
            "treatment": "更换为砂浆垫块并复测"}).json()
        while True:
            job = c.get(f"/v1/documents/jobs/{pub['job_id']}", headers=auth("admin")).json()
            if job["status"] not in ("queued", "running"):
                break
            time.sleep(0.2)
        hit = c.get("/v1/search", params={"q": "碎砖头代替砂浆垫块", "k": 3, "kind": "case"}).json()["hits"][0]
        res["publish_to_searchable_s"] = round(time.perf_counter() - t, 1)
        res["publish_job"] = job["status"]
        res["published_case_found"] = [hit["code"], hit["clause_no"]] == [pub["document_code"], pub["case_no"]]
        _, ms = _timed(lambda: c.post("/v1/spot-checks", headers=staff,
                                      json={"period_start": "2026-10-01", "period_end": "2026-12-31"}), 5)
        res["spot_check_draw_median_ms"] = round(statistics.median(ms), 1)
    shutil.rmtree(work, ignore_errors=True)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, default=None, help="installation with an index (default: sample corpus)")
    args = ap.parse_args()
    res = run(ensure_installation(args.data_dir))
    out = REPO / "evals" / "results" / "inspections_bench.json"
    out.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", "utf-8")
    print(json.dumps(res, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
