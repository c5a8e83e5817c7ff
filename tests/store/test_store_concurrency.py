"""Real concurrent transactions: one thread per attempt, each with its own database connection."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.pool import NullPool

from assistant.store import bookings, projects, teams
from assistant.store.actors import Actor
from assistant.store.db import engine_schema, make_engine, make_sessionmaker
from assistant.store.errors import CapacityFull, DuplicateActiveBooking
from assistant.store.models import Booking
from assistant.store.rules import StoreRules
from tests.plugins.store import NOW

DAY = date(2026, 9, 29)
ATTEMPTS = 50


def _own_engine(engine: Engine) -> Engine:
    """A second engine on the same database that opens a fresh connection per session."""
    url = engine.url.render_as_string(hide_password=False)
    return make_engine(url, schema=engine_schema(engine), poolclass=NullPool)


def _race(engine: Engine, n: int, attempt: Callable[[object, int], object]) -> list[object]:
    """Run ``attempt(session, i)`` in ``n`` threads released together; return results or exceptions."""
    own = _own_engine(engine)
    factory = make_sessionmaker(own)
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(i: int) -> None:
        conn = own.connect()
        try:
            conn.exec_driver_sql("SELECT 1")  # connection open before the start signal
            conn.commit()
            session = factory(bind=conn)
            barrier.wait(timeout=60)
            try:
                results[i] = attempt(session, i)
                session.commit()
            except Exception as exc:  # noqa: BLE001 - collected and asserted on below
                session.rollback()
                results[i] = exc
            finally:
                session.close()
        finally:
            conn.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    own.dispose()
    assert not any(t.is_alive() for t in threads)
    return results


def _setup(engine: Engine, *, capacity: int, projects_n: int) -> list[int]:
    admin = Actor.system()
    factory = make_sessionmaker(engine)
    with factory() as s:
        team = teams.create_team(s, admin, "并发测试组", daily_capacity=capacity, rules=StoreRules())
        from assistant.store import enterprises
        from assistant.store.seed import demo_code

        ent = enterprises.create_enterprise(s, admin, uscc_code=demo_code(77), name="并发测试建工有限公司",
                                            role="施工")
        ids = [
            projects.create_project(s, admin, name=f"并发工程{i}", supervision_no=f"BF-{i:03d}", team=team.id,
                                    parties={"施工": ent.id}).id
            for i in range(projects_n)
        ]
        s.commit()
    return ids


def _book(project_id: int):
    def attempt(session, _i):
        return bookings.create_booking(session, Actor.system("并发"), project=project_id, milestone="地基与基础验收",
                                       requested_date=DAY, contact_name="测试", contact_phone="13900000000", rules=StoreRules(),
                                       now=NOW)
    return attempt


def _active_on_day(engine: Engine) -> int:
    with make_sessionmaker(engine)() as s:
        return s.scalar(select(func.count(Booking.id)).where(Booking.inspection_date == DAY))


def test_fifty_attempts_at_the_last_free_slot_make_exactly_one_booking(engine):
    ids = _setup(engine, capacity=3, projects_n=ATTEMPTS + 2)
    factory = make_sessionmaker(engine)
    with factory() as s:  # two of three slots already taken
        for pid in ids[:2]:
            _book(pid)(s, 0)
        s.commit()
    racers = ids[2:]
    results = _race(engine, ATTEMPTS, lambda session, i: _book(racers[i])(session, i))
    kinds = Counter(type(r).__name__ for r in results)
    assert kinds == {"BookingOut": 1, "CapacityFull": ATTEMPTS - 1}, kinds
    assert all("预约已满" in r.message for r in results if isinstance(r, CapacityFull))
    assert _active_on_day(engine) == 3
    winner = next(r for r in results if not isinstance(r, Exception))
    assert winner.booking_no == "2026-000003"  # refused attempts consumed no number


def test_concurrent_bookings_never_share_a_number(engine):
    ids = _setup(engine, capacity=ATTEMPTS, projects_n=ATTEMPTS)
    results = _race(engine, ATTEMPTS, lambda session, i: _book(ids[i])(session, i))
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors[:3]
    numbers = sorted(r.booking_no for r in results)
    assert numbers == [f"2026-{i:06d}" for i in range(1, ATTEMPTS + 1)]


@pytest.mark.parametrize("n", [20])
def test_concurrent_duplicates_for_one_project_make_one_booking(engine, n):
    ids = _setup(engine, capacity=n, projects_n=1)
    results = _race(engine, n, lambda session, i: _book(ids[0])(session, i))
    kinds = Counter(type(r).__name__ for r in results)
    assert kinds == {"BookingOut": 1, "DuplicateActiveBooking": n - 1}, kinds
    assert all(isinstance(r, DuplicateActiveBooking) for r in results if isinstance(r, Exception))
    assert _active_on_day(engine) == 1


def test_concurrent_identical_visit_requests_make_one_request(engine, session, world, rules):
    """20 identical requests at once by one contractor: one is accepted, the others told it already exists."""
    session.commit()  # the world is written before the race starts
    from assistant.store import visits
    from assistant.store.errors import Conflict
    from assistant.store.models import VisitRequest

    def submit(session, _i):
        return visits.submit_visit(session, world.contractor, topic="技术咨询", description="地下室外墙渗水如何处理",
                                   contact_name="示例联系人", contact_phone="13900000002", project=world.project_id,
                                   rules=rules, now=NOW)

    results = _race(engine, 20, submit)
    kinds = Counter(type(r).__name__ for r in results)
    assert kinds == {"VisitOut": 1, "Conflict": 19}, kinds
    assert all("请勿重复申请" in r.message for r in results if isinstance(r, Conflict))
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count(VisitRequest.id))) == 1
