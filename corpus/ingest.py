"""Files and folders -> Documents in the library.

``parse_path`` turns one source into a Document (or raises IngestError with a
Chinese reason); ``ingest_paths`` runs a batch: a bad file is reported and the
batch goes on, an unchanged file (same sha256) is a no-op, a changed file
replaces its previous version in one atomic write.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from pathlib import Path

from corpus.cleanup import strip_page_furniture
from corpus.editions import Refresh, bring_up_to_date
from corpus.errors import IngestError
from corpus.library import Library
from corpus.lines import RawText
from corpus.loaders.docx import load_docx
from corpus.loaders.html import is_sphinx_project, load_html, load_rst, load_sphinx
from corpus.loaders.pdf import load_pdf
from corpus.loaders.structured import load_jsonl, load_yaml
from corpus.loaders.textfile import load_text
from corpus.meta import (
    find_code,
    find_effective_date,
    find_title,
    is_general_code,
    listed_mandatory,
    repealed_provisions,
    replaced_editions,
    title_from_filename,
)
from corpus.models import PARSER_VERSION, ClauseKind, DocKind, DocStatus, Document, Revision, canonical_code
from corpus.ocr.report import apply_scan
from corpus.ocr.scan import OcrOptions, ScanResult
from corpus.parser import parse_lines
from corpus.revisions import apply_revision, is_notice, load_notice, materialize, rebuild_versions

log = logging.getLogger(__name__)

TEXT_LOADERS = {
    ".pdf": load_pdf,
    ".docx": load_docx,
    ".md": load_text,
    ".markdown": load_text,
    ".txt": load_text,
    ".text": load_text,
    ".html": load_html,
    ".htm": load_html,
    ".rst": load_rst,
}
STRUCTURED_LOADERS = {".jsonl": load_jsonl, ".yaml": load_yaml, ".yml": load_yaml}
SUPPORTED = set(TEXT_LOADERS) | set(STRUCTURED_LOADERS)
_SKIP_NAMES = {"readme.md", "readme.txt", "readme", "meta.json", "license", "license.md", "changelog.md"}


class Outcome(StrEnum):
    added = "added"
    replaced = "replaced"
    unchanged = "unchanged"
    failed = "failed"


@dataclass
class FileReport:
    path: str
    outcome: Outcome
    code: str = ""
    title: str = ""
    clauses: int = 0
    commentary: int = 0
    mandatory: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    ocr_pages: int = 0  # pages that were scans and were read by OCR
    # pages read with low OCR confidence, for a person to check: [{"page": 12, "confidence": 0.81}]
    low_confidence_pages: list[dict[str, float]] = field(default_factory=list)
    # a revision notice (局部修订公告): its number, the clauses it rewords and the day they take effect
    revision: str = ""
    revised: list[str] = field(default_factory=list)
    effective_date: str = ""
    edition: str = ""


# ---------------------------------------------------------------------------
# discovery and hashing
# ---------------------------------------------------------------------------

def discover(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into ingestible units; a Sphinx project folder is one unit."""
    units: list[Path] = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            if is_sphinx_project(p):
                units.append(p)
                continue
            for child in sorted(p.iterdir()):
                if child.name.startswith(".") or child.name.lower() in _SKIP_NAMES:
                    continue
                if child.is_dir() or child.suffix.lower() in SUPPORTED:
                    units.extend(discover([child]))
        else:
            units.append(p)
    return units


def source_sha256(path: Path) -> str:
    h = hashlib.sha256()
    if path.is_dir():
        for f in sorted(q for q in path.rglob("*") if q.is_file()):
            h.update(str(f.relative_to(path)).encode())
            h.update(f.read_bytes())
    else:
        h.update(path.read_bytes())
        if path.suffix.lower() == ".jsonl" and path.with_name("meta.json").is_file():
            h.update(path.with_name("meta.json").read_bytes())
    return h.hexdigest()


# ---------------------------------------------------------------------------
# one source -> Document
# ---------------------------------------------------------------------------

def parse_path(path: Path, today: date | None = None, ocr: OcrOptions | None = None) -> Document:
    """Parse one file (or Sphinx folder) into a Document; IngestError with a Chinese reason otherwise.

    ``ocr`` says how scanned PDF pages are read (default: OCR on, no page cache).
    """
    path = Path(path)
    if not path.exists():
        raise IngestError("文件不存在", str(path))
    try:
        doc = _parse(path, today or date.today(), ocr or OcrOptions())
    except IngestError as exc:
        exc.path = str(path)
        raise
    except RecursionError as exc:
        raise IngestError("文件结构嵌套过深，无法解析", str(path)) from exc
    except Exception as exc:  # a parser bug must not take down a batch; say so plainly
        log.exception("unexpected error parsing %s", path)
        raise IngestError(f"解析失败（{exc.__class__.__name__}），文件可能已损坏", str(path)) from exc
    doc.source_path = str(path)
    doc.sha256 = source_sha256(path)
    doc.parser_version = PARSER_VERSION
    if not doc.clauses:
        raise IngestError("未识别出任何条文（请确认文件是规范、标准或案例文本）", str(path))
    return doc


def _parse(path: Path, today: date, ocr: OcrOptions) -> Document:
    if path.is_dir():
        jsonl = sorted(path.glob("*.jsonl"))
        if not is_sphinx_project(path) and len(jsonl) == 1:
            return _finalize(load_jsonl(jsonl[0], today), set())  # a clauses.jsonl (+ meta.json) folder
        if not is_sphinx_project(path):
            raise IngestError("文件夹不是可识别的文档（缺少 index.rst 目录）")
        raw = load_sphinx(path)
    else:
        suffix = path.suffix.lower()
        if path.stat().st_size == 0:
            raise IngestError("文件为空（0 字节）")
        if suffix in STRUCTURED_LOADERS:
            return _finalize(STRUCTURED_LOADERS[suffix](path, today), set())
        if suffix not in TEXT_LOADERS:
            raise IngestError(f"不支持的文件类型“{suffix or '无扩展名'}”（支持 PDF、Word、Markdown、文本、HTML、rst、JSONL、YAML）")
        raw = load_pdf(path, ocr) if suffix == ".pdf" else TEXT_LOADERS[suffix](path)
        if suffix == ".rst" and (path.parent / "index.rst").is_file() and path.name != "index.rst":
            log.info("%s is part of a Sphinx project; ingest the folder to get one document", path)
    return _document_from_raw(raw, path, today, ocr.low_confidence)


def _document_from_raw(raw: RawText, path: Path, today: date, low_confidence: float = 0.9) -> Document:
    warnings: list[str] = list(raw.meta.pop("_warnings", []))
    scan: ScanResult | None = raw.meta.pop("_ocr", None)
    lines = raw.lines
    # Running headers sit at the top of body pages: a fallback for the code when the cover lacks it.
    headers = "\n".join(ln.text for ln in lines[:400] if ln.page and ln.page > 1)[:4000]
    if raw.fmt == "pdf":
        lines, _ = strip_page_furniture(lines)
    result = parse_lines(lines, raw.fmt)
    warnings.extend(result.warnings)
    if scan is not None and not result.clauses:
        raise IngestError(
            f"扫描件已识别 {len(scan.pages)} 页文字，但没有找到任何带编号的条文：这份文件似乎不是规范或标准"
            "（若是规范，请检查扫描是否清晰、页面方向是否正确）"
        )
    meta = raw.meta
    # The cover: a PDF's first page; otherwise whatever precedes the first clause.
    cover = raw.first_page_text if raw.fmt in ("pdf", "rst") else result.front_text[:3000]
    front = cover + "\n" + result.front_text

    code = meta.get("code") or find_code(cover, path.name, headers, result.front_text)
    if not code:
        raise IngestError("未能识别标准编号；请在封面、文件名或文件头元数据中注明（如 GB 55032-2022）")
    title = (
        meta.get("title")
        or find_title(cover, code)
        or find_title(result.front_text, code)
        or title_from_filename(path, code)
        or code
    )
    eff = meta.get("effective_date")
    if isinstance(eff, str):
        try:
            eff = date.fromisoformat(eff)
        except ValueError as exc:
            raise IngestError(f"effective_date 不是有效日期：{eff}") from exc
    eff = eff or find_effective_date(front)
    status = meta.get("status")
    if not status:
        status = DocStatus.upcoming if eff and eff > today else DocStatus.current
    try:
        doc = Document(
            code=code,
            title=title,
            kind=DocKind(meta.get("kind", "standard")),
            status=DocStatus(status),
            effective_date=eff,
            superseded_by=meta.get("superseded_by"),
            illustrative=bool(meta.get("illustrative", False)),
            repeals=meta.get("repeals") or repealed_provisions(front),
            replaces=_codes(meta.get("replaces")) or replaced_editions(front, code),
            clauses=result.clauses,
            warnings=warnings,
        )
    except ValueError as exc:
        raise IngestError(f"文件头元数据取值无效：{exc}") from exc

    if scan is not None:
        apply_scan(doc, scan, low_confidence)
    listed = {str(x) for x in meta.get("mandatory") or []} | listed_mandatory(front)
    return _finalize(doc, listed)


def _codes(value: object) -> list[str]:
    """A front-matter list (or one string) of standard codes, canonical."""
    items = value if isinstance(value, list) else [value] if value else []
    return [canonical_code(str(v)) or str(v).strip() for v in items]


def _finalize(doc: Document, listed: set[str]) -> Document:
    """Rules every source shares: mandatory marking and the commentary-to-body link check."""
    whole = is_general_code(doc.code)
    for c in doc.clauses:
        if c.kind is ClauseKind.body and (whole or c.clause_no in listed):
            c.mandatory = True
    body = {c.clause_no for c in doc.body()}
    orphans = [c.clause_no for c in doc.commentary() if c.refers_to not in body]
    if orphans:
        doc.warnings.append(f"条文说明中有 {len(orphans)} 条找不到对应正文：{'、'.join(orphans[:5])}")
    return doc


# ---------------------------------------------------------------------------
# a batch into the library
# ---------------------------------------------------------------------------

def ingest_one(path: Path, library: Library, today: date | None = None, ocr: OcrOptions | None = None) -> FileReport:
    """Ingest one unit; scanned pages are OCR'd with a page cache in the library (an interrupted run resumes)."""
    if not path.exists():
        return FileReport(str(path), Outcome.failed, error=f"{path}：文件不存在")
    try:
        sha = source_sha256(path)
    except OSError:
        return FileReport(str(path), Outcome.failed, error=f"{path}：无法读取文件（权限不足或读取出错）")
    today = today or date.today()
    if is_notice(path):
        return ingest_notice(path, library, today, sha)
    existing = library.find_by_sha(sha)
    if existing is not None and existing.parser_version >= PARSER_VERSION:
        return _report(path, Outcome.unchanged, existing)
    ocr = ocr or OcrOptions()
    if ocr.cache_dir is None:
        ocr = replace(ocr, cache_dir=library.root / "ocr_cache")
    try:
        doc = parse_path(path, today, ocr)
    except IngestError as exc:
        return FileReport(str(path), Outcome.failed, error=exc.message)
    with library.writing():
        previous = library.get(doc.code)
        stale = [d for d in library.find_by_source(doc.source_path) if d.code != doc.code]
        if previous is not None and previous.status is DocStatus.withdrawn:
            # An administrator's retirement survives a re-ingest of a changed file.
            doc.status, doc.superseded_by = previous.status, previous.superseded_by or doc.superseded_by
        if previous is not None and previous.revisions:
            # Revision notices stay with the standard: they are applied again to the new text.
            doc.revisions = previous.revisions
            doc.warnings.extend(rebuild_versions(doc))
            materialize(doc, today)
        library.put(doc)
        for d in stale:
            library.remove(d.code)
    return _report(path, Outcome.replaced if previous is not None else Outcome.added, doc)


def ingest_notice(path: Path, library: Library, today: date, sha: str | None = None) -> FileReport:
    """A revision notice onto the standard it names; a notice that does not fit changes nothing."""
    sha = sha or source_sha256(path)
    held = library.find_revision_by_sha(sha)
    if held is not None:
        doc, rev = held
        return _notice_report(path, Outcome.unchanged, doc, rev)
    try:
        code, rev = load_notice(path)
    except IngestError as exc:
        return FileReport(str(path), Outcome.failed, error=f"{path}：{exc.reason}")
    except Exception as exc:  # a bug must not take down a batch
        log.exception("unexpected error reading notice %s", path)
        return FileReport(str(path), Outcome.failed, error=f"{path}：局部修订公告解析失败（{exc.__class__.__name__}）")
    rev.source_path, rev.sha256 = str(path), sha
    with library.writing():
        doc = library.get(code)
        if doc is None:
            return FileReport(str(path), Outcome.failed, code=code, error=(
                f"{path}：条文库中没有标准 {code}，无法应用其局部修订公告（{rev.notice}）；请先导入该标准，再导入本公告"))
        known = any(r.notice == rev.notice for r in doc.revisions)
        try:
            apply_revision(doc, rev)
        except IngestError as exc:
            return FileReport(str(path), Outcome.failed, code=doc.code, title=doc.title, error=f"{path}：{exc.reason}")
        materialize(doc, today)
        library.put(doc)
    return _notice_report(path, Outcome.replaced if known else Outcome.added, doc, rev)


def _notice_report(path: Path, outcome: Outcome, doc: Document, rev: Revision) -> FileReport:
    # ``clauses``: the clauses the notice rewords (what an upload's result line counts for a notice).
    return FileReport(path=str(path), outcome=outcome, code=doc.code, title=doc.title, clauses=len(rev.clauses),
                      revision=rev.notice, revised=[c.clause_no for c in rev.clauses],
                      effective_date=rev.effective_date.isoformat(), edition=rev.edition)


def _report(path: Path, outcome: Outcome, doc: Document) -> FileReport:
    return FileReport(
        path=str(path),
        outcome=outcome,
        code=doc.code,
        title=doc.title,
        clauses=len(doc.body()),
        commentary=len(doc.commentary()),
        mandatory=sum(1 for c in doc.clauses if c.mandatory),
        warnings=list(doc.warnings),
        ocr_pages=len(doc.ocr_pages),
        low_confidence_pages=[{"page": p.page, "confidence": p.confidence} for p in doc.ocr_pages if p.low],
    )


def ingest_paths(paths: Iterable[Path], library: Library, progress: bool = False,
                 ocr: OcrOptions | None = None, today: date | None = None) -> list[FileReport]:
    """``progress`` shows bars on a terminal: files, and the pages of a scan being read.

    ``today`` is the station's date (statuses, replaced editions and revised wordings are brought up to it after
    the batch); callers without a station clock get the machine's date.
    """
    return ingest_batch(paths, library, progress, ocr, today)[0]


def ingest_batch(paths: Iterable[Path], library: Library, progress: bool = False, ocr: OcrOptions | None = None,
                 today: date | None = None) -> tuple[list[FileReport], Refresh]:
    """``ingest_paths`` plus what bringing the library up to ``today`` changed (replaced editions, due revisions)."""
    today = today or date.today()
    ocr = replace(ocr or OcrOptions(), progress=progress)
    units = discover(paths)
    reports: list[FileReport] = []
    iterator: Iterable[Path] = units
    if progress and len(units) > 1:
        from tqdm import tqdm

        iterator = tqdm(units, desc="解析", unit="个文件", leave=False)
    for unit in iterator:
        reports.append(ingest_one(unit, library, today=today, ocr=ocr))
    # Notices before their standard in one batch: try them again once the standard is in.
    for i, r in enumerate(reports):
        if r.outcome is Outcome.failed and "条文库中没有标准" in r.error and r.code \
                and library.get(r.code) is not None:
            reports[i] = ingest_one(Path(r.path), library, today=today, ocr=ocr)
    return reports, bring_up_to_date(library, today)
