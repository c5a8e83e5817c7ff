"""Revision notices (局部修订公告): reading them and keeping every wording of a revised clause.

A notice names a standard, an announcement number, an effective date, often an
edition label ('2018年版'), and reprints the revised clauses in full. The
library keeps the standard as published plus the notices; each revised clause
carries all its wordings with their dates (``Clause.versions``), and
``materialize`` puts the wording in force on a given day into ``Clause.text``,
so everything that reads clause text (the index, clause views) reads that one.

Accepted forms: YAML (``revision: {code, notice, edition, effective_date, title}``
and ``clauses: [{clause_no, text}]``), Markdown/text with front matter
``kind: revision``, or the text as announced (a first line like
'…关于发布国家标准《…》局部修订的公告', then '自2018年10月1日起实施' and the
clauses one per numbered paragraph).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from corpus.errors import IngestError, yaml_problem
from corpus.loaders.textfile import decode_bytes, load_text
from corpus.meta import find_code, find_effective_date
from corpus.models import Clause, ClauseKind, ClauseVersion, Document, RevisedClause, Revision, canonical_code
from corpus.parser import parse_lines

NOTICE_SUFFIXES = {".yaml", ".yml", ".md", ".markdown", ".txt", ".text"}
_ANNOUNCED = re.compile(r"局部修订.{0,12}公告|公告.{0,20}局部修订")
_NOTICE_NO = re.compile(r"[\u4e00-\u9fff]{0,20}公告\s*(?:\d{4}\s*年\s*)?第\s*\d+\s*号|第\s*\d+\s*号公告")
_EDITION = re.compile(r"[（(]\s*((?:19|20)\d{2}\s*年版)\s*[)）]")


def is_notice(path: Path) -> bool:
    """Whether ``path`` is a revision notice rather than a standard (cheap: front matter or the first lines)."""
    suffix = path.suffix.lower()
    if not path.is_file() or suffix not in NOTICE_SUFFIXES:
        return False
    try:
        head = decode_bytes(path.read_bytes()[:4096])
    except (OSError, IngestError):
        return False
    if suffix in {".yaml", ".yml"}:
        return re.search(r"(?m)^revision\s*:", head) is not None
    if re.match(r"\ufeff?---\s*\n(?:.*\n)*?kind\s*:\s*[\"']?revision", head):
        return True
    first = [ln.strip().lstrip("#").strip() for ln in head.splitlines() if ln.strip() and ln.strip() != "---"][:3]
    return any(_ANNOUNCED.search(ln) for ln in first)


def load_notice(path: Path) -> tuple[str, Revision]:
    """(code of the revised standard, the revision) from a notice file; IngestError (Chinese) when incomplete."""
    if path.suffix.lower() in {".yaml", ".yml"}:
        try:
            data = yaml.safe_load(decode_bytes(path.read_bytes()))
        except yaml.YAMLError as exc:
            raise IngestError(yaml_problem(exc)) from exc
        except ValueError as exc:  # YAML reads 2024-13-01 as a date and fails
            raise IngestError("实施日期不是有效日期，请写成 2024-05-01 的形式") from exc
        if not isinstance(data, dict) or not isinstance(data.get("revision"), dict):
            raise IngestError("局部修订公告的 YAML 应包含 revision（标准编号、公告号、实施日期）和 clauses")
        head: dict[str, Any] = data["revision"]
        items = data.get("clauses") or []
        if not isinstance(items, list):
            raise IngestError("clauses 应为条文列表（clause_no、text）")
        clauses = []
        for i, c in enumerate(items, start=1):
            if not isinstance(c, dict) or not c.get("clause_no") or not c.get("text"):
                raise IngestError(f"修订条文第{i}项缺少 clause_no 或 text")
            clauses.append(RevisedClause(clause_no=str(c["clause_no"]).strip(), text=str(c["text"]).strip()))
        text_head = ""
    else:
        raw = load_text(path)
        result = parse_lines(raw.lines, raw.fmt)
        head = dict(raw.meta)
        text_head = result.front_text
        clauses = [RevisedClause(clause_no=c.clause_no, text=c.text) for c in result.clauses
                   if c.kind is ClauseKind.body]
    code = canonical_code(str(head.get("code") or "")) or find_code(text_head, path.name)
    if not code:
        raise IngestError("局部修订公告中未找到被修订标准的编号（如 GB 50016-2014）")
    eff = head.get("effective_date") or find_effective_date(text_head)
    if isinstance(eff, str):
        try:
            eff = date.fromisoformat(eff.strip())
        except ValueError as exc:
            raise IngestError(f"实施日期不是有效日期：{eff}") from exc
    if not isinstance(eff, date):
        raise IngestError("局部修订公告中未找到实施日期（如“自2018年10月1日起实施”）")
    notice = str(head.get("notice") or "").strip()
    if not notice:
        found = (_NOTICE_NO.search(re.sub(r"\s+", "", ln)) for ln in text_head.splitlines())
        notice = next((m.group(0) for m in found if m), "")
    if not notice:
        raise IngestError("局部修订公告中未找到公告号（如“公告第35号”）")
    edition = str(head.get("edition") or "").strip()
    if not edition and (m := _EDITION.search(text_head)):
        edition = re.sub(r"\s+", "", m.group(1))
    if not clauses:
        raise IngestError("局部修订公告中没有找到修订后的条文")
    seen: set[str] = set()
    dup = [c.clause_no for c in clauses if c.clause_no in seen or seen.add(c.clause_no)]
    if dup:
        raise IngestError(f"局部修订公告中第{'、'.join(dup)}条出现了不止一次")
    title = str(head.get("title") or "").strip() or next(
        (ln.strip().lstrip("#").strip() for ln in text_head.splitlines() if _ANNOUNCED.search(ln)), "")
    return code, Revision(notice=notice, edition=edition, effective_date=eff, title=title, clauses=clauses,
                          illustrative=bool(head.get("illustrative", False)) or "示例说明" in text_head)


def apply_revision(doc: Document, rev: Revision) -> None:
    """Record ``rev`` on ``doc`` (replacing an earlier ingest of the same notice) and rebuild the wordings.

    Every clause the notice names must be a body clause of ``doc``; otherwise IngestError and ``doc`` is untouched.
    """
    body = {c.clause_no for c in doc.body()}
    missing = [c.clause_no for c in rev.clauses if c.clause_no not in body]
    if missing:
        shown = "、".join(missing[:8]) + ("等" if len(missing) > 8 else "")
        raise IngestError(f"公告所列第{shown}条在 {doc.code}《{doc.title}》中不存在，请核对公告与标准版本；"
                          "本公告未导入，条文库未作任何改动")
    doc.revisions = sorted([r for r in doc.revisions if r.notice != rev.notice] + [rev], key=lambda r: r.effective_date)
    rebuild_versions(doc)


def rebuild_versions(doc: Document) -> list[str]:
    """Every revised clause's wordings from the published text and ``doc.revisions``; returns warnings.

    Run again after the standard itself is re-ingested: the published wording comes from the new parse.
    """
    warnings: list[str] = []
    by_no = {c.clause_no: c for c in doc.body()}
    for c in by_no.values():
        base = c.versions[0].text if c.versions else c.text
        c.versions = [ClauseVersion(text=base, effective_from=doc.effective_date)]
    for rev in doc.revisions:
        for rc in rev.clauses:
            c = by_no.get(rc.clause_no)
            if c is None:
                warnings.append(f"{rev.notice} 修订的第{rc.clause_no}条在新导入的文本中不存在，该项修订未应用")
                continue
            c.versions[-1].effective_until = rev.effective_date
            c.versions.append(ClauseVersion(text=rc.text, effective_from=rev.effective_date, notice=rev.notice,
                                            edition=rev.edition))
    for c in by_no.values():
        if len(c.versions) == 1:
            c.versions = []
    return warnings


def version_on(clause: Clause, day: date) -> ClauseVersion | None:
    """The wording of ``clause`` in force on ``day``; None for a clause never revised (its text is the only one)."""
    if not clause.versions:
        return None
    current = clause.versions[0]
    for v in clause.versions:
        if v.effective_from is None or v.effective_from <= day:
            current = v
    return current


def edition_on(doc: Document, day: date) -> str:
    """The edition label in force on ``day``: the newest notice in force that gives one."""
    labels = [r.edition for r in doc.revisions if r.edition and r.effective_date <= day]
    return labels[-1] if labels else ""


def materialize(doc: Document, day: date) -> bool:
    """Put the wordings in force on ``day`` into ``Clause.text``; True when anything changed."""
    changed = False
    for c in doc.clauses:
        v = version_on(c, day)
        text, notice = (v.text, v.notice) if v is not None else (c.text, "")
        if (c.text, c.revision) != (text, notice):
            c.text, c.revision = text, notice
            changed = True
    edition = edition_on(doc, day)
    if doc.edition != edition:
        doc.edition = edition
        changed = True
    return changed


def pending_dates(doc: Document, day: date) -> list[date]:
    """Days after ``day`` on which something of ``doc`` switches (a notice or the standard itself takes effect)."""
    dates = {r.effective_date for r in doc.revisions if r.effective_date > day}
    if doc.effective_date and doc.effective_date > day:
        dates.add(doc.effective_date)
    return sorted(dates)
