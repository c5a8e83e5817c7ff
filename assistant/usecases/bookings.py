"""Inspection bookings and the projects they are for, as the channels see them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time

from assistant.store import booking_rules, bookings, projects
from assistant.store.actors import Actor
from assistant.store.booking_rules import ConflictOut
from assistant.store.booking_views import (
    booking_queues,
    booking_row,
    booking_window,
    get_booking,
    list_bookings,
)
from assistant.store.enums import AccountRole
from assistant.store.errors import PermissionDenied
from assistant.store.schemas import BookingDetail, BookingOut, BookingQueues, BookingWindow, ProjectOut
from assistant.usecases.runtime import Runtime

__all__ = ["ConflictOut", "BookingDesk"]


class BookingDesk:
    """Submit, look up and work bookings; every rule and date comes from the runtime's rules and clock."""

    def __init__(self, rt: Runtime) -> None:
        self._rt = rt

    def projects(self, actor: Actor, *, status: str | None = None) -> list[ProjectOut]:
        """Contractors see the projects their enterprise takes part in; staff see all."""
        with self._rt.session() as s:
            if actor.role == AccountRole.contractor:
                return projects.list_projects(s, enterprise_id=actor.enterprise_id, status=status)
            return projects.list_projects(s, status=status)

    def window(self, actor: Actor, project: int | str, milestone: str) -> BookingWindow:
        """The earliest date ``milestone`` may be booked for ``project``, and the free days after it."""
        rt = self._rt
        with rt.session() as s:
            proj = projects.get_project(s, project)
            if actor.role == AccountRole.contractor and actor.enterprise_id not in {p.enterprise_id for p in proj.parties}:
                raise PermissionDenied("贵单位不是该工程的参建单位")
            return booking_window(s, proj.id, milestone, rules=rt.rules, now=rt.now())

    def list(self, actor: Actor | None, *, status: str | None = None, day: date | None = None,
             date_from: date | None = None, date_to: date | None = None, project: int | str | None = None,
             limit: int = 200) -> list[BookingOut]:
        with self._rt.session() as s:
            return list_bookings(s, actor=actor, status=status, day=day, date_from=date_from, date_to=date_to,
                                 project=project, limit=limit, rules=self._rt.rules)

    def get(self, actor: Actor | None, booking_no: str) -> BookingDetail:
        with self._rt.session() as s:
            return get_booking(s, booking_no, actor=actor, rules=self._rt.rules)

    def create(self, actor: Actor, *, project: int | str, milestone: str, requested_date: date, contact_name: str,
               contact_phone: str, enterprise: int | str | None = None, note: str = "") -> BookingOut:
        rt = self._rt
        with rt.session() as s:
            return bookings.create_booking(
                s, actor, project=project, milestone=milestone, requested_date=requested_date,
                contact_name=contact_name, contact_phone=contact_phone, enterprise=enterprise, note=note,
                rules=rt.rules, now=rt.now(),
            )

    def accept(self, actor: Actor, booking_no: str) -> BookingOut:
        with self._rt.session() as s:
            return bookings.accept_booking(s, actor, booking_no, rules=self._rt.rules, now=self._rt.now())

    def return_(self, actor: Actor, booking_no: str, reason: str) -> BookingOut:
        with self._rt.session() as s:
            return bookings.return_booking(s, actor, booking_no, reason, rules=self._rt.rules, now=self._rt.now())

    def schedule(self, actor: Actor, booking_no: str, *, inspectors: Sequence[int | str], at_time: time,
                 on_date: date | None = None, allow_conflict: bool = False) -> BookingOut:
        with self._rt.session() as s:
            return bookings.schedule_booking(s, actor, booking_no, inspectors=inspectors, at_time=at_time,
                                             on_date=on_date, allow_conflict=allow_conflict, rules=self._rt.rules,
                                             now=self._rt.now())

    def queues(self, actor: Actor, *, mine: bool = False) -> BookingQueues:
        """Today / this week / overdue / awaiting 受理, with counts (``mine``: the actor's team only)."""
        with self._rt.session() as s:
            return booking_queues(s, rules=self._rt.rules, now=self._rt.now(),
                                  team_id=actor.team_id if mine else None)

    def conflicts(self, booking_no: str, *, inspectors: Sequence[int | str], at_time: time,
                  on_date: date | None = None) -> list[ConflictOut]:
        """Other inspections that already take one of ``inspectors`` near that time (before scheduling)."""
        from assistant.store.accounts import account_row

        with self._rt.session() as s:
            booking = booking_row(s, booking_no)
            ids = [account_row(s, ref).id for ref in inspectors]
            return booking_rules.find_conflicts(s, booking.id, ids, on_date or booking.inspection_date, at_time,
                                                self._rt.rules)

    def complete(self, actor: Actor, booking_no: str, result: str) -> BookingOut:
        with self._rt.session() as s:
            return bookings.complete_booking(s, actor, booking_no, result, rules=self._rt.rules, now=self._rt.now())

    def cancel(self, actor: Actor, booking_no: str, reason: str) -> BookingOut:
        with self._rt.session() as s:
            return bookings.cancel_booking(s, actor, booking_no, reason, rules=self._rt.rules, now=self._rt.now())
