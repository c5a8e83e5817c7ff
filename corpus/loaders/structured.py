"""Ready-made clauses (JSONL, YAML) and the project's case / FAQ collections.

Schemas (documented in corpus/sample/README.md):

* JSONL, one clause a line: ``{"code"|"standard_code", "title"|"standard_name", "chapter", "section",
  "clause_no", "text", "kind"?, "mandatory"?}``; a ``meta.json`` beside the file may give code, name,
  status, effective_date, superseded_by.
* YAML document: ``document: {code, title, kind, status, effective_date, …}`` and ``clauses: [{clause_no,
  text, chapter?, section?, mandatory?, kind?}]``.
* YAML collection of cases or FAQ: ``collection: {code, title, kind: case|faq, illustrative}`` and
  ``entries: [{id, title, problem, cause, treatment, basis, tags}]`` (cases) or
  ``[{id, question, answer, tags}]`` (FAQ).
* YAML tolerance table: ``collection: {code, title, kind: tolerance, illustrative}`` and ``entries: [{id, name,
  unit, lower, upper, relative_to_design, points, pass_rate, range, method, basis: {code, clause_no}, tags}]``
  (see ``corpus.loaders.tolerance``).
* YAML revision notice (局部修订公告): ``revision: {code, notice, edition, effective_date, title}`` and ``clauses:
  [{clause_no, text}]`` — read by ``corpus.revisions``, not here (it changes a standard, it is not one).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from corpus.errors import IngestError, yaml_problem
from corpus.loaders.textfile import decode_bytes
from corpus.loaders.tolerance import check_table_code, tolerance_row
from corpus.models import Clause, ClauseKind, DocKind, DocStatus, Document, canonical_code, clause_sort_key

_CASE_FIELDS = (("problem", "问题"), ("cause", "原因"), ("treatment", "处理"), ("basis", "依据"))
_COMMENTARY_VOICE = re.compile(r"^本(?:条|款|节|章)(?:给出|规定|明确|说明|提出|是|对|主要|强调|列出)")


def _meta_from(d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    code = d.get("code") or d.get("standard_code")
    if code:
        out["code"] = canonical_code(str(code)) or str(code).strip()
    title = d.get("title") or d.get("name") or d.get("standard_name")
    if title:
        out["title"] = str(title).strip()
    for k in ("kind", "status", "superseded_by", "illustrative", "repeals", "replaces"):
        if d.get(k) is not None:
            out[k] = d[k]
    if d.get("effective_date"):
        v = d["effective_date"]
        out["effective_date"] = v if isinstance(v, date) else date.fromisoformat(str(v))
    if d.get("mandatory") is not None:
        out["mandatory"] = d["mandatory"]
    return out


def load_jsonl(path: Path, today: date | None = None) -> Document:
    text = decode_bytes(path.read_bytes())
    meta: dict[str, Any] = {}
    sidecar = path.with_name("meta.json")
    if sidecar.is_file():
        try:
            meta = _meta_from(json.loads(sidecar.read_text("utf-8")))
        except (json.JSONDecodeError, ValueError) as exc:
            raise IngestError(f"meta.json 格式错误：{exc}") from exc
    clauses: list[Clause] = []
    warnings: list[str] = []
    last_key: tuple | None = None
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            rec = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise IngestError(f"第{n}行不是有效的 JSON") from exc
        if not isinstance(rec, dict) or not rec.get("clause_no") or not rec.get("text"):
            raise IngestError(f"第{n}行缺少 clause_no 或 text")
        for k, v in _meta_from(rec).items():
            meta.setdefault(k, v)
        no = str(rec["clause_no"]).strip()
        body_text = str(rec["text"]).strip()
        kind = ClauseKind(rec["kind"]) if rec.get("kind") else ClauseKind.body
        key = clause_sort_key(no)
        # Sources sometimes mix a commentary record into the body (out of order, in commentary voice).
        if kind is ClauseKind.body and _COMMENTARY_VOICE.match(body_text) and last_key is not None and key < last_key:
            kind = ClauseKind.commentary
            warnings.append(f"第{no}条记录为条文说明（非正文），已作为条文说明处理")
        clauses.append(
            Clause(
                clause_no=no,
                text=body_text,
                kind=kind,
                chapter=str(rec.get("chapter") or ""),
                section=str(rec.get("section") or ""),
                mandatory=bool(rec.get("mandatory", False)),
                refers_to=no if kind is ClauseKind.commentary else None,
            )
        )
        if kind is ClauseKind.body:
            last_key = key if last_key is None or key > last_key else last_key
    if not clauses:
        raise IngestError("文件中没有条文记录")
    return _document(meta, clauses, warnings, path, today)


def load_yaml(path: Path, today: date | None = None) -> Document:
    try:
        data = yaml.safe_load(decode_bytes(path.read_bytes()))
    except yaml.YAMLError as exc:
        raise IngestError(yaml_problem(exc)) from exc
    if not isinstance(data, dict):
        raise IngestError("YAML 文件应包含 document/clauses 或 collection/entries")
    if "collection" in data:
        return _collection(data, path)
    if "document" in data and "clauses" in data:
        meta = _meta_from(data["document"] or {})
        clauses = []
        for i, c in enumerate(data["clauses"] or [], start=1):
            if not isinstance(c, dict) or not c.get("clause_no") or not c.get("text"):
                raise IngestError(f"第{i}条缺少 clause_no 或 text")
            kind = ClauseKind(c.get("kind", "body"))
            clauses.append(
                Clause(
                    clause_no=str(c["clause_no"]),
                    text=str(c["text"]).strip(),
                    kind=kind,
                    chapter=str(c.get("chapter", "")),
                    section=str(c.get("section", "")),
                    mandatory=bool(c.get("mandatory", False)),
                    refers_to=str(c["clause_no"]) if kind is ClauseKind.commentary else None,
                )
            )
        return _document(meta, clauses, [], path, today)
    raise IngestError("YAML 文件应包含 document/clauses、collection/entries 或 revision/clauses（局部修订公告）")


def _collection(data: dict[str, Any], path: Path) -> Document:
    meta = _meta_from(data.get("collection") or {})
    try:
        kind = DocKind(meta.get("kind", "case"))
    except ValueError:
        raise IngestError(f"集合类别“{meta.get('kind')}”无效，可选：case、faq、tolerance") from None
    if kind is DocKind.tolerance:
        check_table_code(str((data.get("collection") or {}).get("code") or ""))
    entries = data.get("entries") or []
    clauses: list[Clause] = []
    seen: set[str] = set()
    for i, e in enumerate(entries, start=1):
        if not isinstance(e, dict) or not e.get("id"):
            raise IngestError(f"第{i}条缺少 id")
        eid = str(e["id"]).strip()
        if eid in seen:
            raise IngestError(f"条目编号重复：{eid}")
        seen.add(eid)
        tags = "、".join(str(t) for t in e.get("tags") or [])
        if kind is DocKind.tolerance:
            clauses.append(tolerance_row(e))
        elif kind is DocKind.faq:
            if not e.get("question") or not e.get("answer"):
                raise IngestError(f"{eid} 缺少 question 或 answer")
            text = f"问：{str(e['question']).strip()}\n答：{str(e['answer']).strip()}"
            clauses.append(Clause(clause_no=eid, text=text, kind=ClauseKind.faq, title=str(e["question"]).strip(),
                                  extra={"tags": tags}))
        else:
            missing = [zh for f, zh in _CASE_FIELDS[:3] if not e.get(f)]
            if missing or not e.get("title"):
                raise IngestError(f"{eid} 缺少字段：{'、'.join(missing) or '标题'}")
            parts = [f"{zh}：{str(e[f]).strip()}" for f, zh in _CASE_FIELDS if e.get(f)]
            extra = {f: str(e[f]).strip() for f, _ in _CASE_FIELDS if e.get(f)}
            extra["tags"] = tags
            if e.get("project_type"):
                extra["project_type"] = str(e["project_type"])
            clauses.append(Clause(clause_no=eid, text="\n".join(parts), kind=ClauseKind.case,
                                  title=str(e["title"]).strip(), extra=extra))
    if not clauses:
        raise IngestError("集合中没有条目")
    meta.setdefault("kind", kind.value)
    return _document(meta, clauses, [], path)


def _document(meta: dict[str, Any], clauses: list[Clause], warnings: list[str], path: Path,
              today: date | None = None) -> Document:
    code = meta.get("code")
    if not code:
        raise IngestError("缺少标准编号（code / standard_code）")
    eff = meta.get("effective_date")
    status = meta.get("status") or (
        DocStatus.upcoming.value if today and isinstance(eff, date) and eff > today else DocStatus.current.value)
    replaces = meta.get("replaces") or []
    replaces = [canonical_code(str(c)) or str(c).strip() for c in (replaces if isinstance(replaces, list) else [replaces])]
    try:
        doc = Document(
            code=code,
            title=meta.get("title") or code,
            kind=DocKind(meta.get("kind", "standard")),
            status=DocStatus(status),
            effective_date=meta.get("effective_date"),
            superseded_by=meta.get("superseded_by"),
            illustrative=bool(meta.get("illustrative", False)),
            repeals=meta.get("repeals") or [],
            replaces=replaces,
            clauses=clauses,
            warnings=warnings,
        )
    except ValueError as exc:
        raise IngestError(f"元数据取值无效：{exc.errors()[0]['msg'] if hasattr(exc, 'errors') else exc}") from exc
    listed = {str(x) for x in meta.get("mandatory") or []}
    for c in doc.clauses:
        if c.clause_no in listed and c.kind is ClauseKind.body:
            c.mandatory = True
    return doc

