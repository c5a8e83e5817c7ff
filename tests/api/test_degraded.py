"""When the database or the data directory fails: one Chinese line for operators, Chinese problems for users."""

from __future__ import annotations

import os
import subprocess
import sys

from fastapi.testclient import TestClient

from api.app import create_app
from assistant.store import migrate

from .conftest import NO_LIMITS, assert_problem, make_settings, reset_store


def _zhijian(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ZHIJIAN_")}
    return subprocess.run([sys.executable, "-c", "from assistant.cli import main; main()", *args],
                           env={**clean, **env}, capture_output=True, text=True, encoding="utf-8", timeout=120)


def _one_chinese_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 1, proc
    assert "Traceback" not in proc.stderr and "sqlalchemy" not in proc.stderr.lower(), proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("错误："), proc.stderr
    return lines[0]


def test_serve_with_the_database_down_says_so_in_one_line(tmp_path):
    proc = _zhijian("serve", "--port", "1", env={"ZHIJIAN_DATA_DIR": str(tmp_path),
                                                 "ZHIJIAN_DATABASE_URL": "postgresql+psycopg://u:secret@127.0.0.1:9/x"})
    line = _one_chinese_line(proc)
    assert "无法连接数据库" in line and "ZHIJIAN_DATABASE_URL" in line and "secret" not in line


def test_serve_on_an_unusable_data_dir_says_so_in_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    line = _one_chinese_line(_zhijian("serve", "--port", "1", env={"ZHIJIAN_DATA_DIR": str(blocker / "var")}))
    assert str(blocker) in line and "ZHIJIAN_DATA_DIR" in line


def test_a_read_only_database_is_reported_and_writes_are_refused_in_chinese(tmp_path):
    db = tmp_path / "store.db"
    writable = create_app(make_settings(tmp_path, f"sqlite:///{db}", **NO_LIMITS))
    migrate.upgrade(writable.state.services.assistant.db)
    demo = reset_store(writable)
    project = TestClient(writable).get("/v1/projects", headers=demo.auth("contractor")).json()[0]["id"]
    read_only = create_app(make_settings(tmp_path, f"sqlite:///file:{db}?mode=ro&uri=true", **NO_LIMITS))
    with TestClient(read_only) as c:
        health = c.get("/healthz")
        assert health.status_code == 503 and health.json()["status"] == "degraded"
        assert "只读" in health.json()["database"]["detail"]
        # Reads still work; a write is refused with a reason a user understands.
        assert c.get("/v1/bookings", headers=demo.auth("contractor")).status_code == 200
        window = c.get(f"/v1/bookings/window?project={project}&milestone=节能验收", headers=demo.auth("contractor"))
        r = c.post("/v1/bookings", headers=demo.auth("contractor"), json={
            "project": project, "milestone": "节能验收", "requested_date": window.json()["earliest"],
            "contact_name": "示例", "contact_phone": "13900000001"})
        body = assert_problem(r, 503, "db_read_only")
        assert "只读" in body["detail"]


def test_an_upload_that_cannot_be_stored_is_a_chinese_503(tmp_path):
    settings = make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'u.db'}", **NO_LIMITS)
    app = create_app(settings)
    migrate.upgrade(app.state.services.assistant.db)
    demo = reset_store(app)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "uploads").write_text("a file where the uploads folder should be")
    with TestClient(app) as c:
        r = c.post("/v1/documents", files=[("files", ("a.md", b"1.0.1 x", "text/markdown"))],
                   headers=demo.auth("admin"))
        body = assert_problem(r, 503, "storage_unavailable")
        assert str(settings.data_dir) not in r.text and "不可写" in body["detail"]

