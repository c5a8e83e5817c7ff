"""Admin uploads: a background ingest job with pollable status; the new index swaps in when it is done."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from assistant.store import migrate
from corpus.ingest import parse_path
from corpus.library import Library

from .conftest import NO_LIMITS, assert_problem, make_settings, reset_store, wait_for_job

# A fictional document in the sample corpus's format (front matter + numbered clauses).
NEW_DOC = """---
code: ZJ/T 199-2026
title: 幕墙工程施工质量要点（测试）
kind: guide
status: 现行
mandatory: ["2.0.1"]
---

## 1 总则

1.0.1 为统一本县建筑幕墙安装质量的监督检查要点，制定本要点。

## 2 安装

2.0.1 幕墙预埋件的数量、规格、位置和防腐处理应符合设计要求，后置锚栓应进行现场拉拔试验。
2.0.2 玻璃幕墙的结构胶应在有效期内使用，注胶前应进行相容性试验和剥离粘结性试验。
"""


@pytest.fixture
def writable(sample_installation, tmp_path):
    data = tmp_path / "install"
    shutil.copytree(sample_installation, data)
    app = create_app(make_settings(data, f"sqlite:///{tmp_path / 'jobs.db'}", **NO_LIMITS))
    migrate.upgrade(app.state.services.assistant.db)
    return app


def test_upload_ingests_in_the_background_and_the_index_swaps_in(writable):
    demo = reset_store(writable)
    admin = demo.auth("admin")
    with TestClient(writable) as c:
        assert c.get("/v1/search", params={"q": "幕墙 结构胶 相容性试验", "k": 3}).json()["hits"][0]["code"] != \
            "ZJ/T 199-2026"
        version = c.get("/v1/documents").json()["index_version"]
        r = c.post("/v1/documents", files=[("files", ("幕墙要点.md", NEW_DOC.encode(), "text/markdown"))],
                   headers=admin)
        assert r.status_code == 202, r.text
        assert r.json()["status"] in ("queued", "running") and r.json()["files"] == ["幕墙要点.md"]
        job = wait_for_job(c, r.headers["location"], admin)
        assert job["status"] == "succeeded", job
        assert job["results"][0]["outcome"] == "added" and job["results"][0]["code"] == "ZJ/T 199-2026"
        assert job["results"][0]["clauses"] == 3 and job["results"][0]["mandatory"] == 1
        docs = c.get("/v1/documents").json()
        assert docs["index_version"] != version
        assert "ZJ/T 199-2026" in [d["code"] for d in docs["documents"]]
        hit = c.get("/v1/search", params={"q": "幕墙 结构胶 相容性试验", "k": 3})
        assert hit.headers["x-cache"] == "miss"
        assert hit.json()["hits"][0]["code"] == "ZJ/T 199-2026"
        assert c.get("/v1/clauses/ZJT199/2.0.2").json()["text"].startswith("玻璃幕墙的结构胶")
        assert job["id"] in [j["id"] for j in c.get("/v1/documents/jobs", headers=admin).json()]

        # The same file again changes nothing; a broken file fails with a Chinese reason.
        same = wait_for_job(c, c.post("/v1/documents", files=[("files", ("again.md", NEW_DOC.encode(), "text/markdown"))],
                              headers=admin).headers["location"], admin)
        assert same["status"] == "succeeded" and same["results"][0]["outcome"] == "unchanged"
        bad = wait_for_job(c, c.post("/v1/documents", files=[("files", ("坏文件.pdf", b"%PDF-1.4 broken", "application/pdf"))],
                             headers=admin).headers["location"], admin)
        assert bad["status"] == "failed" and bad["results"][0]["outcome"] == "failed"
        assert any("\u4e00" <= ch <= "\u9fff" for ch in bad["results"][0]["error"])


def test_upload_refusals(writable):
    demo = reset_store(writable)
    with TestClient(writable) as c:
        files = [("files", ("a.md", b"x", "text/markdown"))]
        assert_problem(c.post("/v1/documents", files=files), 401)
        assert_problem(c.post("/v1/documents", files=files, headers=demo.auth("inspector")), 403)
        body = assert_problem(c.post("/v1/documents", files=[("files", ("run.sh", b"rm -rf /", "text/x-sh"))],
                                     headers=demo.auth("admin")), 415, "unsupported_file_type")
        assert "md" in body["detail"]
        assert_problem(c.post("/v1/documents", files=[("files", ("empty.md", b"", "text/markdown"))],
                              headers=demo.auth("admin")), 422, "empty_file")
        assert_problem(c.get("/v1/documents/jobs/not-a-job", headers=demo.auth("admin")), 404, "job_not_found")
        assert c.get("/v1/documents/jobs", headers=demo.auth("admin")).json() == []


def test_upload_keeps_the_file_name_that_names_the_standard(writable, corpora):
    """A real standard's file, named as it comes ('GB 51247-2018_….md'), is recognised by upload as by the CLI."""
    real = corpora / "hydraulic-SL" / "GB 51247-2018_水工建筑物抗震设计标准_clean_text.md"
    head = "\n".join(real.read_text("utf-8").splitlines()[:12]) + "\n"  # a few clauses keep the embedding short
    demo = reset_store(writable)
    admin = demo.auth("admin")
    with TestClient(writable) as c:
        r = c.post("/v1/documents", files=[("files", (real.name, head.encode(), "text/markdown"))], headers=admin)
        assert r.status_code == 202, r.text
        assert r.json()["files"] == [real.name]
        job = wait_for_job(c, r.headers["location"], admin)
        assert job["status"] == "succeeded", job
        assert job["results"][0]["code"] == "GB 51247-2018", job["results"][0]
        assert job["results"][0]["title"] == "水工建筑物抗震设计标准"
        assert c.get("/v1/clauses/GB51247-2018/1.0.2").status_code == 200


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs Linux /proc")
def test_a_worker_does_not_outlive_its_server(tmp_path):
    """kill -9 of the server: its job worker notices within seconds and exits (no orphan racing a resubmit)."""
    import os
    import signal
    import subprocess
    import sys

    worker = "from assistant.cli import watch_parent; watch_parent(); import time; time.sleep(600)"
    server = ("import os, subprocess, sys, time; "
              f"p = subprocess.Popen([sys.executable, '-c', {worker!r}], "
              "env={**os.environ, 'ZHIJIAN_JOB_PARENT_PID': str(os.getpid())}); "
              "print(p.pid, flush=True); time.sleep(600)")
    parent = subprocess.Popen([sys.executable, "-c", server], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    assert _alive(child)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 15
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _alive(child)


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs Linux /proc")
def test_a_restarted_server_stops_the_old_worker_and_says_the_job_was_interrupted(tmp_path):
    import subprocess
    import sys

    from assistant.config import Settings
    from assistant.jobs import Job, JobManager, JobStatus

    orphan = subprocess.Popen([sys.executable, "-c", "import assistant.cli, time; time.sleep(600)"])
    try:
        # Until the child has exec'd, /proc shows the parent's command line (a busy machine widens that window),
        # and the server rightly leaves alone a process that is not a zhijian worker.
        deadline = time.monotonic() + 30
        while b"assistant.cli" not in Path(f"/proc/{orphan.pid}/cmdline").read_bytes():
            assert time.monotonic() < deadline, "the child never started"
            time.sleep(0.01)
        settings = Settings(data_dir=tmp_path)
        old = JobManager(settings, on_index_changed=lambda: None)
        job = Job(id="a" * 32, kind="ingest", status=JobStatus.running, status_label="处理中", submitted_by="管理员",
                  created_at=datetime.now(UTC), pid=orphan.pid)
        old._save(job)
        fresh = JobManager(settings, on_index_changed=lambda: None)  # the server after a restart
        seen = fresh.get(job.id)
        assert seen.status == "interrupted" and "重新提交" in seen.message and seen.pid is None
        assert orphan.wait(timeout=60) != 0  # the worker was told to stop (a loaded machine may be slow to reap it)
    finally:
        orphan.kill()


def test_health_reports_a_library_ahead_of_the_index(writable):
    data_dir = writable.state.services.settings.data_dir
    src = data_dir.parent / "new.md"
    src.write_text(NEW_DOC, "utf-8")
    Library(data_dir / "library").put(parse_path(src))  # what a crash after the library write leaves
    with TestClient(writable) as c:
        r = c.get("/healthz")
        assert r.status_code == 200  # the index still serves what it has …
        body = r.json()
        assert body["status"] == "degraded" and body["index"]["behind"] == 1  # … and says what it lacks
        assert "尚未进入索引" in body["index"]["detail"] and "ZJ/T 199-2026" in body["index"]["detail"]
        assert str(data_dir) not in r.text


def test_remove_deletes_a_document_as_a_job(writable):
    demo = reset_store(writable)
    admin = demo.auth("admin")
    with TestClient(writable) as c:
        r = c.post("/v1/documents", files=[("files", ("幕墙要点.md", NEW_DOC.encode(), "text/markdown"))], headers=admin)
        assert wait_for_job(c, r.headers["location"], admin)["status"] == "succeeded"
        assert_problem(c.delete("/v1/documents/ZJT199", headers=demo.auth("inspector")), 403)
        assert_problem(c.delete("/v1/documents/ZJT-NOPE-1", headers=admin), 404, "document_not_found")
        r = c.delete("/v1/documents/ZJT199", headers=admin)
        assert r.status_code == 202 and r.json()["kind"] == "remove" and r.json()["target"] == "ZJ/T 199-2026"
        job = wait_for_job(c, r.headers["location"], admin)
        assert job["status"] == "succeeded", job
        assert "ZJ/T 199-2026" not in [d["code"] for d in c.get("/v1/documents").json()["documents"]]
