"""Enterprises: registration with a validated credit code, and lookup by code or (near-miss) name."""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store import audit, checks, uscc
from assistant.store.actors import Actor, require_staff
from assistant.store.enums import EnterpriseRole, parse_enum
from assistant.store.errors import AlreadyExists, AmbiguousMatch, NotFound
from assistant.store.models import Enterprise
from assistant.store.schemas import EnterpriseMatch, EnterpriseOut

# Legal-form words that carry no identity; dropped before fuzzy comparison.
_LEGAL_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司")
# Two candidates closer than this are too close to call.
_AMBIGUITY_MARGIN = 3.0

# rapidfuzz score (0-100) a near-miss name needs unless the station's rules say otherwise.
DEFAULT_NAME_MATCH = 80.0


def to_out(e: Enterprise) -> EnterpriseOut:
    return EnterpriseOut(
        id=e.id,
        uscc=e.uscc,
        name=e.name,
        role=e.role.value,
        role_label=e.role.label,
        qualification=e.qualification,
        address=e.address,
        phone=e.phone,
    )


def normalize_name(name: str) -> str:
    """Half-width, no spaces, unified brackets: what two spellings of one name share."""
    text = unicodedata.normalize("NFKC", name or "")
    text = re.sub(r"\s+", "", text)
    return text.replace("(", "（").replace(")", "）")


def _match_key(name: str) -> str:
    key = normalize_name(name)
    for suffix in _LEGAL_SUFFIXES:
        key = key.removesuffix(suffix)
    return key or normalize_name(name)


def create_enterprise(
    session: Session,
    actor: Actor,
    *,
    uscc_code: str,
    name: str,
    role: str | EnterpriseRole,
    qualification: str = "",
    address: str = "",
    phone: str = "",
) -> EnterpriseOut:
    require_staff(actor, "登记企业")
    code = uscc.validate(uscc_code)
    clean_name = normalize_name(checks.text(name, "企业名称", max_len=200))
    kind = parse_enum(EnterpriseRole, role, "企业类别")
    existing = session.scalar(select(Enterprise).where(Enterprise.uscc == code))
    if existing:
        raise AlreadyExists(f"统一社会信用代码 {code} 已登记为“{existing.name}”")
    if session.scalar(select(Enterprise.id).where(Enterprise.name == clean_name)):
        raise AlreadyExists(f"企业“{clean_name}”已登记")
    ent = Enterprise(
        uscc=code,
        name=clean_name,
        role=kind,
        qualification=checks.text(qualification, "资质", max_len=200, required=False),
        address=checks.text(address, "地址", max_len=300, required=False),
        phone=checks.phone(phone, "企业电话") if phone else "",
    )
    session.add(ent)
    session.flush()
    audit.record(session, actor, "enterprise", ent.id, "create", detail={"uscc": code, "name": clean_name})
    return to_out(ent)


def list_enterprises(session: Session, role: str | EnterpriseRole | None = None) -> list[EnterpriseOut]:
    stmt = select(Enterprise).order_by(Enterprise.name)
    if role is not None:
        stmt = stmt.where(Enterprise.role == parse_enum(EnterpriseRole, role, "企业类别"))
    return [to_out(e) for e in session.scalars(stmt)]


def enterprise_row(session: Session, ref: int | str) -> Enterprise:
    """The ORM row for an id, a credit code or a name (near-miss tolerated); for other services."""
    if isinstance(ref, int):
        ent = session.get(Enterprise, ref)
        if ent is None:
            raise NotFound(f"未找到编号为 {ref} 的企业")
        return ent
    match = _match(session, ref)
    return session.get_one(Enterprise, match[0])


def find_enterprise(session: Session, query: str, *, threshold: float) -> EnterpriseMatch:
    """Resolve what a user typed: an 18-character credit code, an exact name or a near-miss name."""
    ent_id, how, score = _match(session, query, threshold=threshold)
    return EnterpriseMatch(enterprise=to_out(session.get_one(Enterprise, ent_id)), matched_by=how, score=score)


def suggest(session: Session, query: str, limit: int = 5) -> list[EnterpriseMatch]:
    """Best name matches, for 'did you mean' lists and type-ahead."""
    names = dict(session.execute(select(Enterprise.id, Enterprise.name)).all())
    return [
        EnterpriseMatch(enterprise=to_out(session.get_one(Enterprise, ent_id)), matched_by="fuzzy", score=score)
        for ent_id, score in _fuzzy_scores(query, names)[:limit]
    ]


def _fuzzy_scores(query: str, names: dict[int, str]) -> list[tuple[int, float]]:
    """(id, score) best first; a name scores its better match with or without the legal-form suffix."""
    best: dict[int, float] = {}
    for choices, q in (
        ({i: _match_key(n) for i, n in names.items()}, _match_key(query)),
        ({i: normalize_name(n) for i, n in names.items()}, normalize_name(query)),
    ):
        for _choice, score, ent_id in process.extract(q, choices, scorer=fuzz.WRatio, limit=10):
            best[ent_id] = max(best.get(ent_id, 0.0), round(score, 1))
    return sorted(best.items(), key=lambda kv: (-kv[1], names[kv[0]]))


def _match(session: Session, query: str, *, threshold: float = DEFAULT_NAME_MATCH) -> tuple[int, str, float]:
    raw = (query or "").strip()
    if not raw:
        raise NotFound("请输入企业名称或统一社会信用代码")
    if uscc.looks_like_code(raw):
        code = uscc.validate(raw)
        ent_id = session.scalar(select(Enterprise.id).where(Enterprise.uscc == code))
        if ent_id is None:
            raise NotFound(f"统一社会信用代码 {code} 未在本站登记")
        return ent_id, "code", 100.0
    name = normalize_name(raw)
    ent_id = session.scalar(select(Enterprise.id).where(Enterprise.name == name))
    if ent_id is not None:
        return ent_id, "name", 100.0
    names = dict(session.execute(select(Enterprise.id, Enterprise.name)).all())
    found = _fuzzy_scores(name, names)
    good = [(ent_id, score) for ent_id, score in found if score >= threshold]
    if not good:
        hint = "、".join(names[i] for i, s in found[:3] if s >= threshold * 0.6)
        extra = f"。您是不是要找：{hint}" if hint else "，请核对名称或改用统一社会信用代码查询"
        raise NotFound(f"未找到名称为“{raw}”的企业{extra}")
    if len(good) > 1 and good[0][1] - good[1][1] < _AMBIGUITY_MARGIN:
        close = [names[i] for i, s in good if good[0][1] - s < _AMBIGUITY_MARGIN]
        raise AmbiguousMatch(
            f"“{raw}”与多家企业名称相近：{'、'.join(close)}，请输入更完整的名称或统一社会信用代码",
            candidates=close,
        )
    best_id, best_score = good[0]
    return best_id, "fuzzy", round(best_score, 1)
