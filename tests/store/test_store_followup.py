"""Random-check draws (双随机), anonymised cases, and two inspectors re-inspecting one notice at once."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.pool import NullPool

from assistant.store import accounts, cases, credit, enterprises, projects, rectifications, spot_checks
from assistant.store.db import engine_schema, make_engine, make_sessionmaker
from assistant.store.errors import AlreadyExists, IllegalTransition, InvalidInput, PermissionDenied
from assistant.store.loop_schemas import CaseFields
from assistant.store.models import AuditEvent, CreditDraft, PublishedCase
from assistant.store.notice_loop import after_reinspection
from assistant.store.seed import demo_code
from tests.plugins.store import NOW

# -- 双随机 ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n,ratio,lo,hi,expected", [
    (10, 2.5, 0, 5, 0),     # A: 10 × 5 % = 0.5 -> never beyond the ratio: none
    (19, 5, 0, 5, 0),       # A: 0.95 -> 0
    (20, 5, 0, 5, 1),       # A: exactly 1
    (40, 2.5, 0, 5, 1),     # A: round(1.0) = 1, at most 2
    (10, 12.5, 5, 20, 1),   # B: round(1.25) = 1, at least ceil(0.5) = 1, at most 2
    (4, 12.5, 5, 20, 1),    # B: at least ceil(0.2) = 1 beats at most floor(0.8) = 0
    (10, 40.5, 21, 60, 4),  # C: round(4.05) = 4
    (2, 40.5, 21, 60, 1),   # C: at least ceil(0.42) = 1, at most floor(1.2) = 1
    (3, 80.5, 61, 100, 2),  # D: round(2.415) = 2, at least ceil(1.83) = 2
    (1, 80.5, 61, 100, 1),  # D: the one D-grade project is always drawn
    (0, 80.5, 61, 100, 0),
])
def test_how_many_of_a_grade_are_drawn(n, ratio, lo, hi, expected):
    assert spot_checks.count_for(n, ratio, lo, hi) == expected


def test_a_draw_is_reproducible_from_its_seed_and_independent_of_input_order():
    population = [[i, "C" if i % 3 else "D"] for i in range(1, 31)]
    bounds = {"A": (0, 5), "B": (5, 20), "C": (21, 60), "D": (61, 100)}
    ratios = {"A": 2.5, "B": 12.5, "C": 40.5, "D": 80.5}
    first = spot_checks.draw(population, [5, 6, 7, 8], ratios, bounds, "abc123", 2)
    again = spot_checks.draw(list(reversed(population)), [8, 7, 6, 5], ratios, bounds, "abc123", 2)
    other = spot_checks.draw(population, [5, 6, 7, 8], ratios, bounds, "abc124", 2)
    assert first == again and first != other
    assert sum(1 for _, g, _ in first if g == "C") == 8 and sum(1 for _, g, _ in first if g == "D") == 8
    assert all(len(set(ins)) == 2 and set(ins) <= {5, 6, 7, 8} for _, _, ins in first)


def _graded_world(session, admin, world, rules):
    """Eight more projects: the builder (no records: 70 -> C), an A-grade firm and a D-grade firm."""
    firm_a = enterprises.create_enterprise(session, admin, uscc_code=demo_code(21), name="示例优质建设有限公司", role="施工")
    firm_d = enterprises.create_enterprise(session, admin, uscc_code=demo_code(22), name="示例失信建设有限公司", role="施工")
    day = NOW.date() - timedelta(days=10)
    credit.add_record(session, admin, enterprise=firm_a.id, kind="good", points=25, recorded_on=day, reason="优质工程",
                      rules=rules, now=NOW)
    credit.add_record(session, admin, enterprise=firm_d.id, kind="bad", points=20, recorded_on=day, reason="失信",
                      expires_on=date(2027, 9, 1), rules=rules, now=NOW)
    for i in range(4):
        projects.create_project(session, admin, name=f"A级工程{i}", supervision_no=f"A-{i}", parties={"施工": firm_a.id})
        projects.create_project(session, admin, name=f"D级工程{i}", supervision_no=f"D-{i}", parties={"施工": firm_d.id})
    accounts.create_account(session, admin, login="insp3", name="王监督", role="inspector")
    session.commit()


def test_a_draw_by_credit_grade_is_kept_with_its_seed_and_replays(session, admin, world, rules):
    _graded_world(session, admin, world, rules)
    out = spot_checks.create_draw(session, world.inspector, period_start=date(2026, 10, 1),
                                  period_end=date(2026, 12, 31), seed="2026Q4", rules=rules, now=NOW)
    session.commit()
    assert out.draw_no == "CC2026-001" and out.seed == "2026Q4" and out.replay_ok
    assert out.counts["A"] == {"eligible": 4, "drawn": 0, "ratio": 2.5, "min": 0, "max": 5}  # 无事不扰
    assert out.counts["C"]["eligible"] == 2 and out.counts["C"]["drawn"] == 1
    assert out.counts["D"] == {"eligible": 4, "drawn": 3, "ratio": 80.5, "min": 61, "max": 100}
    assert all(p.grade != "A" for p in out.picks) and len(out.picks) == 4
    assert all(len(p.inspectors) == 2 and set(p.inspectors) <= {"张监督", "李监督", "王监督"} for p in out.picks)
    # the same seed over the same population draws the same picks
    again = spot_checks.create_draw(session, world.inspector, period_start=date(2027, 1, 1),
                                    period_end=date(2027, 3, 31), seed="2026Q4", rules=rules, now=NOW)
    assert [(p.project_id, p.inspector_ids) for p in again.picks] == [(p.project_id, p.inspector_ids) for p in out.picks]
    detail = spot_checks.get_draw(session, world.inspector, out.draw_no)
    assert detail.replay_ok and detail.population["as_of"] == "2026-09-24"


def test_a_tampered_draw_no_longer_replays(session, admin, world, rules):
    _graded_world(session, admin, world, rules)
    out = spot_checks.create_draw(session, world.inspector, period_start=date(2026, 10, 1),
                                  period_end=date(2026, 12, 31), seed="s1", rules=rules, now=NOW)
    session.commit()
    row = spot_checks.draw_row(session, out.draw_no)
    row.seed = "s2"  # someone edits the recorded seed
    session.commit()
    assert spot_checks.get_draw(session, world.inspector, out.draw_no).replay_ok is False


@pytest.mark.parametrize("ratios,field", [({"A": 6}, "ratios.A"), ({"D": 50}, "ratios.D"), ({"E": 10}, "ratios"),
                                          ({"B": "x"}, "ratios.B")])
def test_ratios_outside_the_grade_range_are_refused(session, world, rules, ratios, field):
    with pytest.raises(InvalidInput) as err:
        spot_checks.create_draw(session, world.inspector, period_start=date(2026, 10, 1),
                                period_end=date(2026, 12, 31), ratios=ratios, rules=rules, now=NOW)
    assert err.value.detail["field"] == field


def test_draws_are_for_staff_and_need_enough_inspectors(session, world, rules):
    with pytest.raises(PermissionDenied):
        spot_checks.create_draw(session, world.contractor, period_start=date(2026, 10, 1),
                                period_end=date(2026, 12, 31), rules=rules, now=NOW)
    with pytest.raises(InvalidInput, match="不足每个工程 3 人"):
        spot_checks.create_draw(session, world.inspector, period_start=date(2026, 10, 1),
                                period_end=date(2026, 12, 31), inspectors_per_project=3, rules=rules, now=NOW)


# -- cases ----------------------------------------------------------------------------------------------------


def test_the_anonymiser_removes_every_name_the_store_knows(session, world):
    clean = cases.Anonymiser.from_store(session)
    text = ("示例建工集团有限公司（统一社会信用代码 91999999MA00000011）在示例中学教学楼三层施工，项目经理张监督、"
            "示例建工联系人（电话 138 0013 8000，座机 0571-87654321）称示例建工已整改；身份证 110101199003071234。")
    out = clean(text)
    for gone in ("示例建工", "示例中学教学楼", "张监督", "示例建工联系人", "138", "0571-87654321", "91999999",
                 "110101199003071234"):
        assert gone not in out, gone
    assert out.startswith("某施工单位（统一社会信用代码 ［信用代码已隐去］）在某工程三层施工")
    assert "［电话已隐去］" in out and "［证件号已隐去］" in out


def _closed_notice(session, world, rules):
    n = rectifications.issue_notice(session, world.inspector, project=world.project_id,
                                    problem="示例中学教学楼三层楼板保护层厚度不足，示例建工联系人（13800138000）在场",
                                    cited_code="ZJ/T 102-2025", cited_clause="5.0.6", deadline=date(2026, 10, 12),
                                    rules=rules, now=NOW)
    rectifications.reply_notice(session, world.contractor, n.notice_no, "示例建工集团有限公司已返工并复测合格",
                                rules=rules, now=NOW)
    session.commit()
    return n


def test_a_closed_notice_becomes_an_anonymised_case(session, world, rules):
    n = _closed_notice(session, world, rules)
    with pytest.raises(IllegalTransition, match="尚未销项"):
        cases.case_draft(session, world.inspector, n.notice_no)
    rectifications.reinspect_notice(session, world.inspector, n.notice_no, passed=True, note="张监督复查合格",
                                    rules=rules, now=NOW)
    session.commit()
    draft = cases.case_draft(session, world.inspector, n.notice_no)
    assert draft.problem == "某工程三层楼板保护层厚度不足，某某（［电话已隐去］）在场"
    assert draft.treatment == "某施工单位已返工并复测合格；复查意见：某某复查合格"
    assert draft.basis == "ZJ/T 102-2025第5.0.6条" and draft.title == "某工程三层楼板保护层厚度不足，某某（［电话已隐去］）在场"
    fields = CaseFields(title="楼板钢筋保护层厚度不足", problem=draft.problem, cause="示例建工未按要求设置垫块",
                        treatment=draft.treatment, basis=draft.basis, tags=["保护层", "示例建工"])
    out = cases.publish(session, world.inspector, n.notice_no, fields, document_code="ZJ-CASE-STATION", rules=rules,
                        now=NOW)
    session.commit()
    assert out.case_no == "AL2026-001" and out.cause == "某施工单位未按要求设置垫块"  # what staff typed is cleaned too
    assert out.tags == ["保护层", "某施工单位"]
    with pytest.raises(AlreadyExists):
        cases.publish(session, world.inspector, n.notice_no, fields, document_code="X", rules=rules, now=NOW)
    session.rollback()
    with pytest.raises(PermissionDenied):
        cases.case_draft(session, world.contractor, n.notice_no)
    text = cases.render_collection(cases.published(session, "ZJ-CASE-STATION"), code="ZJ-CASE-STATION",
                                   title="示例县建设工程质量监督站质量问题案例")
    assert "示例建工" not in text and "AL2026-001" in text
    assert session.scalar(select(func.count(PublishedCase.id))) == 1


def test_the_rendered_collection_ingests_as_case_clauses(session, world, rules, tmp_path):
    from corpus.ingest import parse_path

    n = _closed_notice(session, world, rules)
    rectifications.reinspect_notice(session, world.inspector, n.notice_no, passed=True, rules=rules, now=NOW)
    fields = CaseFields(title="楼板钢筋保护层厚度不足", problem="保护层厚度不足", cause="垫块缺失", treatment="返工",
                        basis="ZJ/T 102-2025第5.0.6条", tags=[])
    cases.publish(session, world.inspector, n.notice_no, fields, document_code="ZJ-CASE-STATION", rules=rules, now=NOW)
    f = tmp_path / "cases.yaml"
    f.write_text(cases.render_collection(cases.published(session, "ZJ-CASE-STATION"), code="ZJ-CASE-STATION",
                                         title="本站案例"), "utf-8")
    doc = parse_path(f)
    assert doc.code == "ZJ-CASE-STATION" and doc.kind == "case" and not doc.illustrative
    assert doc.clauses[0].clause_no == "AL2026-001" and doc.clauses[0].text.startswith("问题：保护层厚度不足")


# -- two inspectors, one notice -------------------------------------------------------------------------------


def _race(engine, attempts):
    own = make_engine(engine.url.render_as_string(hide_password=False), schema=engine_schema(engine),
                      poolclass=NullPool)
    factory = make_sessionmaker(own)
    barrier = threading.Barrier(len(attempts))
    results: list[object] = [None] * len(attempts)

    def run(i: int) -> None:
        conn = own.connect()
        try:
            conn.exec_driver_sql("SELECT 1")
            conn.commit()
            session = factory(bind=conn)
            barrier.wait(timeout=60)
            try:
                results[i] = attempts[i](session)
                session.commit()
            except Exception as exc:  # noqa: BLE001 - asserted on below
                session.rollback()
                results[i] = exc
            finally:
                session.close()
        finally:
            conn.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(attempts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    own.dispose()
    assert not any(t.is_alive() for t in threads)
    return results


@pytest.mark.parametrize("round_", range(4))
def test_two_inspectors_reinspect_one_notice_one_wins_nothing_is_lost(engine, session, world, rules, round_):
    n = rectifications.issue_notice(session, world.inspector, project=world.project_id, problem="保护层不足",
                                    deadline=date(2026, 10, 12), rules=rules, now=NOW)
    rectifications.reply_notice(session, world.contractor, n.notice_no, "已整改", rules=rules, now=NOW)
    session.commit()

    def reinspect(actor, passed):
        def attempt(s):
            out = rectifications.reinspect_notice(s, actor, n.notice_no, passed=passed,
                                                  note="" if passed else "未整改到位", rules=rules, now=NOW)
            after_reinspection(s, n.notice_no, passed=passed, rules=rules, now=NOW)
            return out
        return attempt

    # alternate who passes and who fails, so either outcome can win
    first_passes = round_ % 2 == 0
    results = _race(engine, [reinspect(world.inspector, first_passes), reinspect(world.inspector2, not first_passes)])
    wins = [r for r in results if not isinstance(r, Exception)]
    losses = [r for r in results if isinstance(r, Exception)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert isinstance(losses[0], IllegalTransition) and "不能复查" in losses[0].message
    session.expire_all()
    final = rectifications.get_notice(session, n.notice_no, rules=rules, now=NOW)
    assert final.status == wins[0].status and final.reinspection_note == wins[0].reinspection_note
    assert final.reissue_count == (0 if wins[0].status == "closed" else 1)
    events = session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "notice",
                                                             AuditEvent.entity_id == n.id)).all()
    assert sorted(events) == sorted(["issue", "reply", "reinspect_pass" if wins[0].status == "closed"
                                     else "reinspect_fail"])
    drafts = session.scalars(select(CreditDraft.event)).all()
    assert drafts == (["notice_closed_on_time"] if wins[0].status == "closed" else ["notice_reissued"])


def test_an_inspection_of_a_drawn_project_is_linked_to_its_draw(session, admin, world, rules):
    from assistant.store import inspections

    _graded_world(session, admin, world, rules)
    out = spot_checks.create_draw(session, world.inspector, period_start=date(2026, 10, 1),
                                  period_end=date(2026, 12, 31), seed="link", rules=rules, now=NOW)
    session.commit()
    drawn = out.picks[0]
    not_drawn = next(p for p in (world.project_id, world.project2_id) if p not in {x.project_id for x in out.picks})
    rec = inspections.create_inspection(session, world.inspector, project=drawn.project_id, spot_check=out.draw_no,
                                        inspectors=drawn.inspector_ids, rules=rules, now=NOW)
    session.commit()
    assert rec.source == "spot_check" and rec.source_label == "双随机抽查"
    assert spot_checks.get_draw(session, world.inspector, out.draw_no).picks[0].inspection_no == rec.record_no
    with pytest.raises(IllegalTransition, match="已有检查记录"):
        inspections.create_inspection(session, world.inspector, project=drawn.project_id, spot_check=out.draw_no,
                                      rules=rules, now=NOW)
    with pytest.raises(InvalidInput, match="没有抽中该工程"):
        inspections.create_inspection(session, world.inspector, project=not_drawn, spot_check=out.draw_no,
                                      rules=rules, now=NOW)


def test_an_inspection_from_a_scheduled_booking(session, world, rules):
    from datetime import time

    from assistant.store import bookings, inspections
    from assistant.store.booking_views import booking_window

    day = booking_window(session, world.project_id, "地基与基础验收", rules=rules, now=NOW).days[0].day
    b = bookings.create_booking(session, world.contractor, project=world.project_id, milestone="地基与基础验收",
                                requested_date=day, contact_name="项目经理", contact_phone="13900000001",
                                rules=rules, now=NOW)
    with pytest.raises(IllegalTransition, match="排期后"):
        inspections.create_inspection(session, world.inspector, booking=b.booking_no, rules=rules, now=NOW)
    bookings.accept_booking(session, world.inspector, b.booking_no, rules=rules, now=NOW)
    bookings.schedule_booking(session, world.inspector, b.booking_no, inspectors=["insp1", "insp2"],
                              at_time=time(9, 0), rules=rules, now=NOW)
    rec = inspections.create_inspection(session, world.inspector, booking=b.booking_no, rules=rules, now=NOW)
    assert (rec.source, rec.booking_no, rec.project_id) == ("booking", b.booking_no, world.project_id)
    with pytest.raises(InvalidInput, match="不是该工程的预约"):
        inspections.create_inspection(session, world.inspector, booking=b.booking_no, project=world.project2_id,
                                      rules=rules, now=NOW)
