"""Past cases from the station's own work: a closed notice, anonymised, as a case of the knowledge base.

Staff publish a closed notice as a case (问题、原因、处理、依据), as the bundled
cases are written. Before anything is kept, the names the store knows are
removed — enterprises (full and short names), accounts and contact persons,
projects — and phone numbers, credit codes and ID numbers are masked; the same
pass runs again over whatever staff typed. The station's cases are one
collection document (``render_collection``), re-ingested on each publication.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store import audit, checks
from assistant.store.actors import Actor, require_staff
from assistant.store.enums import RectificationStatus
from assistant.store.errors import AlreadyExists, IllegalTransition, InvalidInput
from assistant.store.loop_schemas import CaseDraft, CaseFields, PublishedCaseOut
from assistant.store.models import (
    Account,
    Booking,
    Enterprise,
    InspectionFinding,
    Project,
    PublishedCase,
    RectificationNotice,
    VisitRequest,
)
from assistant.store.rectifications import notice_row
from assistant.store.rules import StoreRules
from assistant.store.sequences import next_number

_SUFFIXES = ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团", "公司")
_ROLE_WORD = {"owner": "建设", "contractor": "施工", "supervisor": "监理", "surveyor": "勘察", "designer": "设计",
              "testing": "检测"}
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[-\s]?\d{7,8}(?:-\d{1,6})?(?!\d)")
_USCC = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")
_ID_CARD = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_PAREN = re.compile(r"[（(][^（）()]{1,12}[）)]$")


class Anonymiser:
    """Replaces every name the store knows, longest first, and masks numbers that identify someone."""

    def __init__(self, names: Iterable[tuple[str, str]]) -> None:
        table: dict[str, str] = {}
        for name, replacement in names:
            name = name.strip()
            if len(name) >= 2 and name not in table:
                table[name] = replacement
        self._names = sorted(table.items(), key=lambda kv: -len(kv[0]))

    @classmethod
    def from_store(cls, session: Session) -> Anonymiser:
        names: list[tuple[str, str]] = []
        for e in session.scalars(select(Enterprise)):
            word = f"某{_ROLE_WORD.get(e.role.value, '')}单位"
            names += [(v, word) for v in _variants(e.name, enterprise=True)]
        for p in session.scalars(select(Project)):
            names += [(v, "某工程") for v in _variants(p.name)]
        people = list(session.scalars(select(Account.name)))
        people += list(session.scalars(select(Booking.contact_name)))
        people += list(session.scalars(select(VisitRequest.contact_name)))
        for person in people:
            names += [(v, "某某") for v in _variants(person or "")]
        return cls(names)

    def __call__(self, text: str) -> str:
        out = text or ""
        for name, replacement in self._names:
            out = out.replace(name, replacement)
        out = _ID_CARD.sub("［证件号已隐去］", out)  # first: an ID number also fits the credit-code alphabet
        out = _USCC.sub("［信用代码已隐去］", out)
        out = _MOBILE.sub("［电话已隐去］", out)
        return _LANDLINE.sub("［电话已隐去］", out)


def _variants(name: str, *, enterprise: bool = False) -> list[str]:
    """'张监督（示例）' -> also '张监督'; '示例建工集团有限公司' -> also '示例建工'."""
    base = name.strip()
    out = [base]
    bare = _PAREN.sub("", base).strip()
    if bare != base:
        out.append(bare)
    if enterprise:
        for stem in (base, bare):
            for suffix in _SUFFIXES:
                if stem.endswith(suffix) and len(stem) - len(suffix) >= 2:
                    out.append(stem[: -len(suffix)])
    return [v for v in dict.fromkeys(out) if len(v) >= 2]


def _cite(code: str, clause: str) -> str:
    return f"{code}第{clause}条" if code and clause else code


def case_draft(session: Session, actor: Actor, notice_no: str) -> CaseDraft:
    """The case a closed notice would make, already anonymised, for staff to complete (the cause above all)."""
    require_staff(actor, "把整改通知单发布为案例")
    n = notice_row(session, notice_no)
    if n.status != RectificationStatus.closed:
        raise IllegalTransition(f"整改通知单 {n.notice_no} 尚未销项，销项后才能发布为案例")
    clean = Anonymiser.from_store(session)
    cites = [(n.cited_code, n.cited_clause)] if n.cited_code else []
    cites += [(f.cited_code, f.cited_clause) for f in session.scalars(
        select(InspectionFinding).where(InspectionFinding.notice_id == n.id).order_by(InspectionFinding.seq))]
    basis = "、".join(dict.fromkeys(_cite(c, k) for c, k in cites if c))
    problem = clean(n.problem)
    treatment = "；".join(x for x in (clean(n.reply), f"复查意见：{clean(n.reinspection_note)}"
                                      if n.reinspection_note else "") if x)
    first = re.split(r"[。；;\n]", problem.lstrip("0123456789. "), maxsplit=1)[0]
    return CaseDraft(notice_no=n.notice_no, title=first[:40], problem=problem, cause="",
                     treatment=treatment or "已按整改通知单要求整改，经复查合格销项。", basis=basis, tags=[],
                     removed=["企业名称", "工程名称", "人员姓名", "电话号码", "信用代码"])


def _cleaned(session: Session, fields: CaseFields) -> CaseFields:
    """The fields as they would be kept: checked, and every known name removed from what staff typed."""
    clean = Anonymiser.from_store(session)
    return CaseFields(
        title=clean(checks.text(fields.title, "案例标题", max_len=100)),
        problem=clean(checks.text(fields.problem, "问题", max_len=4000)),
        cause=clean(checks.text(fields.cause, "原因", max_len=4000)),
        treatment=clean(checks.text(fields.treatment, "处理", max_len=4000)),
        basis=clean(checks.text(fields.basis, "依据", max_len=1000, required=False)),
        tags=[clean(checks.text(t, "标签", max_len=20)) for t in fields.tags if (t or "").strip()][:10],
    )


def case_preview(session: Session, actor: Actor, notice_no: str, fields: CaseFields) -> CaseFields:
    """Exactly what ``publish`` would keep for these fields, without keeping anything (staff check it first)."""
    case_draft(session, actor, notice_no)  # checks staff and the notice's state
    return _cleaned(session, fields)


def publish(session: Session, actor: Actor, notice_no: str, fields: CaseFields, *, job_id: str = "",
            document_code: str, rules: StoreRules, now: datetime | None = None) -> PublishedCaseOut:
    """Keep the anonymised case; the caller renders the collection and ingests it."""
    draft = case_draft(session, actor, notice_no)  # checks staff and the notice's state
    n = notice_row(session, draft.notice_no, lock=True)
    if session.scalar(select(PublishedCase.id).where(PublishedCase.notice_id == n.id)):
        raise AlreadyExists(f"整改通知单 {n.notice_no} 已发布为案例")
    c = _cleaned(session, fields)
    today = rules.today(now)
    row = PublishedCase(case_no=next_number(session, "case", today.year, width=3), notice_id=n.id, title=c.title,
                        problem=c.problem, cause=c.cause, treatment=c.treatment, basis=c.basis, tags=c.tags,
                        published_at=rules.now(now), published_by_id=actor.account_id, job_id=job_id)
    session.add(row)
    session.flush()
    audit.record(session, actor, "notice", n.id, "publish_case", at=rules.now(now), detail={"case": row.case_no})
    return to_out(row, n.notice_no, document_code)


def to_out(c: PublishedCase, notice_no: str, document_code: str) -> PublishedCaseOut:
    return PublishedCaseOut(case_no=c.case_no, notice_no=notice_no, document_code=document_code, title=c.title,
                            problem=c.problem, cause=c.cause, treatment=c.treatment, basis=c.basis,
                            tags=list(c.tags or []), published_at=c.published_at, job_id=c.job_id)


def published(session: Session, document_code: str) -> list[PublishedCaseOut]:
    rows = session.execute(select(PublishedCase, RectificationNotice.notice_no)
                           .join(RectificationNotice, RectificationNotice.id == PublishedCase.notice_id)
                           .order_by(PublishedCase.id))
    return [to_out(c, no, document_code) for c, no in rows]


def render_collection(cases: Sequence[CaseFields | PublishedCaseOut], *, code: str, title: str) -> str:
    """The station's cases as a YAML case collection (the format of corpus/sample/cases.yaml)."""
    if not cases:
        raise InvalidInput("还没有发布的案例")
    entries = []
    for c in cases:
        entry = {"id": getattr(c, "case_no", ""), "title": c.title, "problem": c.problem, "cause": c.cause,
                 "treatment": c.treatment}
        if c.basis:
            entry["basis"] = c.basis
        if c.tags:
            entry["tags"] = list(c.tags)
        entries.append(entry)
    doc = {"collection": {"code": code, "title": title, "kind": "case", "illustrative": False}, "entries": entries}
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000)
