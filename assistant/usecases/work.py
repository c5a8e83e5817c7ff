"""The station's follow-up work: quality-service visits (质量服务团) and rectification notices (整改通知单)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from assistant import printing
from assistant.store import notice_loop, rectifications, visits
from assistant.store.actors import Actor
from assistant.store.credit import credit_public
from assistant.store.enterprises import enterprise_row
from assistant.store.loop_schemas import EscalationOut, OverdueNotice
from assistant.store.schemas import CreditPublic, NoticeDetail, NoticeOut, Out, VisitDetail, VisitOut
from assistant.usecases.runtime import Runtime


class VisitContext(Out):
    """What an expert reads before going: the firm's credit grade and the open notices of the firm and project."""

    visit_no: str
    credit: CreditPublic
    open_notices: list[NoticeOut]


class VisitDesk:
    """Requests for an expert visit: submitted by firms, queued by priority, assigned, recorded, closed."""

    def __init__(self, rt: Runtime) -> None:
        self._rt = rt

    def list(self, actor: Actor | None, *, status: str | None = None) -> list[VisitOut]:
        with self._rt.session() as s:
            return visits.list_visits(s, actor=actor, status=status)

    def queue(self) -> list[VisitOut]:
        """Requests awaiting experts, most urgent first (credit grade, key project, open notices, waiting)."""
        with self._rt.session() as s:
            return visits.visit_queue(s, rules=self._rt.rules, now=self._rt.now())

    def submit(self, actor: Actor, *, topic: str, description: str, contact_name: str, contact_phone: str,
               enterprise: int | str | None = None, project: int | str | None = None,
               preferred_dates: Sequence[date] = ()) -> VisitOut:
        with self._rt.session() as s:
            return visits.submit_visit(
                s, actor, topic=topic, description=description, contact_name=contact_name,
                contact_phone=contact_phone, enterprise=enterprise, project=project,
                preferred_dates=preferred_dates, rules=self._rt.rules, now=self._rt.now(),
            )

    def get(self, actor: Actor | None, visit_no: str) -> VisitDetail:
        with self._rt.session() as s:
            return visits.get_visit(s, visit_no, actor=actor)

    def assign(self, actor: Actor, visit_no: str, *, experts: Sequence[int | str], planned_date: date) -> VisitOut:
        with self._rt.session() as s:
            return visits.assign_visit(s, actor, visit_no, experts=experts, planned_date=planned_date,
                                       rules=self._rt.rules, now=self._rt.now())

    def record(self, actor: Actor, visit_no: str, *, findings: str, visited_on: date | None = None) -> VisitOut:
        with self._rt.session() as s:
            return visits.record_visit(s, actor, visit_no, findings=findings, visited_on=visited_on,
                                       rules=self._rt.rules, now=self._rt.now())

    def close(self, actor: Actor, visit_no: str, *, satisfaction: int, feedback: str = "") -> VisitOut:
        with self._rt.session() as s:
            return visits.close_visit(s, actor, visit_no, satisfaction=satisfaction, feedback=feedback,
                                      rules=self._rt.rules, now=self._rt.now())

    def withdraw(self, actor: Actor, visit_no: str, reason: str) -> VisitOut:
        with self._rt.session() as s:
            return visits.withdraw_visit(s, actor, visit_no, reason, rules=self._rt.rules, now=self._rt.now())

    def release(self, actor: Actor, visit_no: str, reason: str) -> VisitOut:
        """The assigned expert hands the visit back to the station's queue, with a reason."""
        with self._rt.session() as s:
            return visits.release_visit(s, actor, visit_no, reason, rules=self._rt.rules, now=self._rt.now())

    def context(self, actor: Actor, visit_no: str) -> VisitContext:
        """Credit grade and open notices of the visit's enterprise, for whoever may see the visit."""
        rt = self._rt
        with rt.session() as s:
            visit = visits.get_visit(s, visit_no, actor=actor)
            uscc = enterprise_row(s, visit.enterprise_id).uscc
            credit = credit_public(s, uscc, rules=rt.rules, now=rt.now())
            notices = rectifications.list_notices(s, open_only=True, rules=rt.rules, now=rt.now())
            related = [n for n in notices if n.responsible_enterprise_id == visit.enterprise_id
                       or (visit.project_id is not None and n.project_id == visit.project_id)]
            return VisitContext(visit_no=visit.visit_no, credit=credit, open_notices=related)


class NoticeDesk:
    """Rectification notices: issued by staff, answered by the responsible firm, re-inspected until closed."""

    def __init__(self, rt: Runtime) -> None:
        self._rt = rt

    def list(self, actor: Actor | None, *, project: int | str | None = None, status: str | None = None,
             open_only: bool = False) -> list[NoticeOut]:
        with self._rt.session() as s:
            return rectifications.list_notices(s, actor=actor, project=project, status=status, open_only=open_only,
                                               rules=self._rt.rules, now=self._rt.now())

    def issue(self, actor: Actor, *, project: int | str, problem: str, deadline: date, cited_code: str = "",
              cited_clause: str = "", responsible: int | str | None = None) -> NoticeOut:
        with self._rt.session() as s:
            return rectifications.issue_notice(
                s, actor, project=project, problem=problem, deadline=deadline, cited_code=cited_code,
                cited_clause=cited_clause, responsible=responsible, rules=self._rt.rules, now=self._rt.now(),
            )

    def get(self, actor: Actor | None, notice_no: str) -> NoticeDetail:
        with self._rt.session() as s:
            return rectifications.get_notice(s, notice_no, actor=actor, rules=self._rt.rules, now=self._rt.now())

    def reply(self, actor: Actor, notice_no: str, reply: str, photos: Sequence[int] = ()) -> NoticeOut:
        with self._rt.session() as s:
            return rectifications.reply_notice(s, actor, notice_no, reply, photos=photos, rules=self._rt.rules,
                                               now=self._rt.now())

    def reinspect(self, actor: Actor, notice_no: str, *, passed: bool, note: str = "",
                  new_deadline: date | None = None) -> NoticeOut:
        """Pass (销号) or re-issue with a new deadline; either drafts the credit record it calls for."""
        now = self._rt.now()
        with self._rt.session() as s:
            out = rectifications.reinspect_notice(s, actor, notice_no, passed=passed, note=note,
                                                  new_deadline=new_deadline, rules=self._rt.rules, now=now)
            notice_loop.after_reinspection(s, out.notice_no, passed=passed, rules=self._rt.rules, now=now)
            return out

    def overdue(self, actor: Actor) -> list[OverdueNotice]:
        """Open notices past their deadline, longest overdue first (the inspectors' queue)."""
        with self._rt.session() as s:
            return notice_loop.overdue(s, actor, rules=self._rt.rules, now=self._rt.now())

    def escalate(self, actor: Actor) -> EscalationOut:
        """Tell inspectors about notices newly overdue and draft the bad records (run it daily, or by hand)."""
        with self._rt.session() as s:
            return notice_loop.escalate(s, actor, rules=self._rt.rules, now=self._rt.now())

    def pdf(self, actor: Actor | None, notice_no: str) -> bytes:
        """The printable notice (PDF), numbered and with the station's name, ready to stamp."""
        with self._rt.session() as s:
            n = rectifications.get_notice(s, notice_no, actor=actor, rules=self._rt.rules, now=self._rt.now())
            findings, issuer = notice_loop.printed_parts(s, n.id)
        st = self._rt.settings
        return printing.notice_pdf(n, station=st.station_name, station_phone=st.station_phone, findings=findings,
                                   issued_by=issuer, timezone=st.timezone, font=st.pdf_font)
