"""Damaged index files: the previous good version is served, else a Chinese 503 that shows no server path."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from assistant.store import migrate
from corpus.ingest import parse_path
from corpus.library import Library
from index import sync_index
from index.store import IndexStore

from .conftest import NO_LIMITS, assert_problem, make_settings

DOC = """---
code: ZJ/T 198-2026
title: 损坏索引测试要点（测试）
kind: guide
---

## 1 总则

1.0.1 幕墙结构胶注胶前应做相容性试验和剥离粘结性试验。
"""


def _app(data: Path, tmp: Path):
    app = create_app(make_settings(data, f"sqlite:///{tmp / 'c.db'}", **NO_LIMITS))
    migrate.upgrade(app.state.services.assistant.db)
    return app


def _damage_newest(index_dir: Path) -> str:
    store = IndexStore(index_dir)
    manifest = store.read_manifest()
    assert manifest is not None
    newest = manifest.segments[-1].id
    target = index_dir / "segments" / newest / "dense.faiss"
    target.write_bytes(os.urandom(max(64, target.stat().st_size)))
    return manifest.version_id


def test_a_damaged_version_falls_back_to_the_previous_one(sample_installation, tmp_path):
    data = tmp_path / "install"
    shutil.copytree(sample_installation, data)
    src = tmp_path / "new.md"
    src.write_text(DOC, "utf-8")
    lib = Library(data / "library")
    lib.put(parse_path(src))
    sync_index(lib, data / "index", progress=False)  # a new version with a delta segment for the new document
    _damage_newest(data / "index")
    with TestClient(_app(data, tmp_path)) as c:
        health = c.get("/healthz")
        assert health.status_code == 200 and health.json()["status"] == "degraded"
        assert health.json()["index"]["fallback"] is True and "上一版本" in health.json()["index"]["detail"]
        assert str(data) not in health.text
        hits = c.get("/v1/search", params={"q": "混凝土养护", "k": 3})
        assert hits.status_code == 200 and hits.json()["hits"]  # the older version still answers


def test_with_no_good_version_left_the_answer_is_a_chinese_503_without_paths(sample_installation, tmp_path):
    data = tmp_path / "install"
    shutil.copytree(sample_installation, data)
    index_dir = data / "index"
    for seg in (index_dir / "segments").iterdir():
        faiss = seg / "dense.faiss"
        if faiss.exists():
            faiss.write_bytes(os.urandom(max(64, faiss.stat().st_size)))
    with TestClient(_app(data, tmp_path)) as c:
        health = c.get("/healthz")
        assert health.status_code == 503 and "损坏" in health.json()["index"]["detail"]
        r = c.get("/v1/search", params={"q": "混凝土养护"})
        body = assert_problem(r, 503, "index_unavailable")
        assert "zhijian index rebuild" in body["detail"]
        for text in (health.text, r.text):
            assert str(data) not in text and "faiss" not in text.lower() and "Error" not in text


def test_a_missing_index_shows_no_server_path(tmp_path):
    with TestClient(_app(tmp_path / "empty", tmp_path)) as c:
        health = c.get("/healthz")
        assert health.status_code == 503 and "还没有检索索引" in health.json()["index"]["detail"]
        assert str(tmp_path) not in health.text
