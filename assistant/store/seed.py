"""Demo data: fictional enterprises (every name starts with 示例), projects, credit records,
inspection teams, accounts, a rectification notice, bookings and visit requests.

Everything goes through the services, so the demo obeys the same rules as real
use; past events (a completed booking) are replayed with an earlier ``now``.
Running it twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.store import (
    accounts,
    bookings,
    credit,
    enterprises,
    projects,
    rectifications,
    teams,
    uscc,
    visits,
)
from assistant.store.actors import Actor
from assistant.store.booking_views import booking_window
from assistant.store.models import InspectionTeam
from assistant.store.models.base import utcnow
from assistant.store.rules import StoreRules

MARKER_TEAM = "示例第一监督组"


@dataclass
class SeedSummary:
    created: bool
    enterprises: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    bookings: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    visits: list[str] = field(default_factory=list)


def demo_code(n: int) -> str:
    """A well-formed but fictional credit code (region 999999 does not exist)."""
    first17 = f"91999999MA{n:07d}"
    return first17 + uscc.check_char(first17)


_ENTERPRISES = [  # (key, name, role, qualification)
    ("builder", "示例建工集团有限公司", "contractor", "建筑工程施工总承包一级（示例）"),
    ("municipal", "示例市政建设有限公司", "contractor", "市政公用工程施工总承包二级（示例）"),
    ("supervisor", "示例建设监理咨询有限公司", "supervisor", "房屋建筑工程监理甲级（示例）"),
    ("owner", "示例城投置业有限公司", "owner", ""),
    ("designer", "示例勘察设计研究院有限公司", "designer", "建筑行业（建筑工程）甲级（示例）"),
    ("testing", "示例工程检测有限公司", "testing", "建设工程质量检测机构资质（示例）"),
]


def seed_demo(session: Session, *, rules: StoreRules, now: datetime | None = None) -> SeedSummary:
    now = now or utcnow()
    if session.scalar(select(InspectionTeam.id).where(InspectionTeam.name == MARKER_TEAM)):
        return SeedSummary(created=False)
    admin = Actor.system("示例数据")
    out = SeedSummary(created=True)
    today = rules.today(now)

    team1 = teams.create_team(session, admin, MARKER_TEAM, rules=rules)
    team2 = teams.create_team(session, admin, "示例第二监督组", daily_capacity=3, rules=rules)

    ent = {}
    for i, (key, name, role, qual) in enumerate(_ENTERPRISES, start=1):
        ent[key] = enterprises.create_enterprise(
            session, admin, uscc_code=demo_code(i), name=name, role=role, qualification=qual,
            address="示例县建设路（示例）",
        )
        out.enterprises.append(name)
    builder, municipal = ent["builder"], ent["municipal"]

    for login, name, role, kw in [
        ("admin", "示例管理员", "admin", {}),
        ("zhang", "张监督（示例）", "inspector", {"team": team1.id}),
        ("li", "李监督（示例）", "inspector", {"team": team1.id}),
        ("wang", "王监督（示例）", "inspector", {"team": team2.id}),
        ("zhao", "赵专家（示例）", "expert", {}),
        ("jiangong", "示例建工联系人", "contractor", {"enterprise": builder.id}),
        ("shizheng", "示例市政联系人", "contractor", {"enterprise": municipal.id}),
    ]:
        accounts.create_account(session, admin, login=login, name=name, role=role, **kw)
        out.accounts.append(login)

    common = {"owner": ent["owner"].id, "supervisor": ent["supervisor"].id, "designer": ent["designer"].id}
    school = projects.create_project(
        session, admin, name="示例县第一中学综合楼（示例）", supervision_no="示例监2026-001",
        permit_no="示例施2026-0101", address="示例县学府路8号（示例）", team=team1.id, is_key_public=True,
        parties={**common, "contractor": builder.id, "testing": ent["testing"].id},
    )
    housing = projects.create_project(
        session, admin, name="示例花园小区3号住宅楼（示例）", supervision_no="示例监2026-002",
        address="示例县花园路16号（示例）", team=team1.id, parties={**common, "contractor": municipal.id},
    )
    hospital = projects.create_project(
        session, admin, name="示例县人民医院门诊楼（示例）", supervision_no="示例监2026-003",
        address="示例县健康路1号（示例）", team=team2.id, is_key_public=True,
        parties={**common, "contractor": municipal.id},
    )
    out.projects += [school.name, housing.name, hospital.name]

    def rec(e, kind, points, days_ago, reason, doc, months=None):
        recorded = today - timedelta(days=days_ago)
        expires = credit.add_months(recorded, months) if months else None
        credit.add_record(session, admin, enterprise=e.id, kind=kind, points=points, recorded_on=recorded, rules=rules,
                          expires_on=expires, reason=reason, document_no=doc, now=now)

    rec(builder, "good", 15, 200, "获评省级优质工程奖（示例）", "示例建〔2026〕1号")
    rec(builder, "good", 10, 400, "获评市级安全文明标准化工地（示例）", "示例建〔2025〕8号")
    rec(builder, "bad", 3, 1500, "资料归档不及时（示例，已过期）", "示例质监〔2022〕3号", months=12)
    rec(municipal, "bad", 15, 90, "混凝土强度检测不合格，擅自隐蔽（示例）", "示例质监〔2026〕12号", months=24)
    rec(municipal, "bad", 8, 30, "未按要求整改质量问题（示例）", "示例质监〔2026〕15号", months=12)
    rec(ent["supervisor"], "good", 12, 100, "监理工作考评优秀（示例）", "示例建〔2026〕5号")

    notice = rectifications.issue_notice(
        session, admin, project=housing.id, problem="三层楼板钢筋保护层厚度抽检不合格（示例）",
        cited_code="GB 50204-2015", deadline=today + timedelta(days=10), rules=rules, now=now,
    )
    out.notices.append(notice.notice_no)

    # A finished 监督交底 replayed from a month ago.
    past = now - timedelta(days=30)
    past_window = booking_window(session, school.id, "监督交底", rules=rules, now=past)
    day0 = past_window.days[0].day
    b0 = bookings.create_booking(session, admin, project=school.id, milestone="监督交底", requested_date=day0,
                                 contact_name="示例项目经理", contact_phone="13800000001", rules=rules, now=past)
    bookings.accept_booking(session, admin, b0.booking_no, rules=rules, now=past)
    bookings.schedule_booking(session, admin, b0.booking_no, inspectors=["zhang", "li"], at_time=time(9, 30),
                              rules=rules, now=past)
    on_day = datetime.combine(day0, time(11, 0), ZoneInfo(rules.timezone))
    bookings.complete_booking(session, admin, b0.booking_no, "交底完成，参建各方已签到（示例）", rules=rules,
                              now=on_day)
    out.bookings.append(b0.booking_no)

    win = booking_window(session, school.id, "地基与基础验收", rules=rules, now=now)
    b1 = bookings.create_booking(session, admin, project=school.id, milestone="地基与基础验收",
                                 requested_date=win.days[0].day, contact_name="示例项目经理",
                                 contact_phone="13800000001", note="桩基检测报告已出（示例）", rules=rules, now=now)
    bookings.accept_booking(session, admin, b1.booking_no, rules=rules, now=now)
    bookings.schedule_booking(session, admin, b1.booking_no, inspectors=["zhang", "li"], at_time=time(9, 0),
                              rules=rules, now=now)
    win2 = booking_window(session, housing.id, "地基与基础验收", rules=rules, now=now)
    b2 = bookings.create_booking(session, admin, project=housing.id, milestone="地基与基础验收",
                                 requested_date=win2.days[0].day, contact_name="示例施工员",
                                 contact_phone="0571-88000000", rules=rules, now=now)
    bookings.accept_booking(session, admin, b2.booking_no, rules=rules, now=now)
    win3 = booking_window(session, hospital.id, "监督交底", rules=rules, now=now)
    b3 = bookings.create_booking(session, admin, project=hospital.id, milestone="监督交底",
                                 requested_date=win3.days[0].day, contact_name="示例资料员",
                                 contact_phone="13900000002", rules=rules, now=now)
    out.bookings += [b1.booking_no, b2.booking_no, b3.booking_no]

    v1 = visits.submit_visit(session, admin, enterprise=municipal.id, project=housing.id, topic="整改帮扶",
                             description="楼板钢筋保护层控制措施需要指导（示例）", contact_name="示例施工员",
                             contact_phone="0571-88000000", rules=rules, now=now)
    v2 = visits.submit_visit(session, admin, enterprise=builder.id, topic="技术咨询",
                             description="装配式构件进场验收流程咨询（示例）", contact_name="示例技术负责人",
                             contact_phone="13800000003", rules=rules, now=now)
    out.visits += [v1.visit_no, v2.visit_no]
    return out
