"""On-site work: the tolerance catalogue, measured values, inspection records, notices from findings, printing."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from datetime import date
from typing import TypedDict, Unpack

from assistant import printing
from assistant.knowledge import Knowledge
from assistant.store import inspections, measurements, notice_loop, timeline
from assistant.store.actors import Actor
from assistant.store.errors import InvalidInput, PermissionDenied
from assistant.store.loop_schemas import (
    FindingOut,
    InspectionDetail,
    InspectionOut,
    MeasurementCheck,
    MeasurementOut,
    NoticeDraft,
    TimelineEntry,
    ToleranceItem,
)
from assistant.store.schemas import NoticeOut
from assistant.store.tolerances import build_catalogue, find_item
from assistant.usecases.runtime import Runtime


class ToleranceDesk:
    """The tolerance catalogue from the library's tolerance tables, and verdicts on measured values."""

    def __init__(self, rt: Runtime, knowledge: Knowledge) -> None:
        self._rt = rt
        self._knowledge = knowledge
        self._lock = threading.Lock()
        self._cache: tuple[tuple[int, int], list[ToleranceItem]] | None = None

    def _library_stamp(self) -> tuple[int, int]:
        """Changes whenever a document is added, replaced or removed (each write replaces a file)."""
        docs = self._knowledge.library.docs_dir
        try:
            st = os.stat(docs)
        except FileNotFoundError:
            return (0, 0)
        return (st.st_mtime_ns, sum(1 for _ in os.scandir(docs)))

    def items(self) -> list[ToleranceItem]:
        stamp = self._library_stamp()
        with self._lock:
            if self._cache is None or self._cache[0] != stamp:
                self._cache = (stamp, build_catalogue(self._knowledge.library.documents()))
            return list(self._cache[1])

    def item(self, item_id: str) -> ToleranceItem:
        return find_item(self.items(), item_id)

    def check(self, item_id: str, design: object, values: Sequence[object]) -> MeasurementCheck:
        """Per-point verdicts, pass rate, alert; a Chinese ``InvalidInput`` naming the field on bad input.

        ``design`` and ``values`` are what was typed (numbers, numeric text, blanks): they are checked here,
        point by point, so that a bad reading is named in the message rather than refused as a whole.
        """
        return measurements.check(self.item(item_id), design, values, rules=self._rt.rules)


class InspectionFields(TypedDict, total=False):
    """What a new inspection record may be given (``inspections.create_inspection``'s keywords)."""

    project: int | str | None
    source: str
    booking: str | None
    spot_check: str | None
    inspected_on: date | None
    inspectors: Sequence[int | str]
    unit_work: str
    position: str
    entity_items: Sequence[str]
    behavior_items: Sequence[str]
    photos: Sequence[int]


class InspectionDesk:
    """Inspection records: opened on site, findings citing clauses, measured sets, conclusion; notices from them."""

    def __init__(self, rt: Runtime, knowledge: Knowledge, tolerances: ToleranceDesk) -> None:
        self._rt = rt
        self._knowledge = knowledge
        self._tolerances = tolerances

    def check_clause(self, code: str, clause_no: str) -> tuple[str, str]:
        """The clause as the library prints it; a Chinese 422 when the standard or the clause is not there."""
        resolved = self._knowledge.library_code(code)
        if resolved is None:
            raise InvalidInput(f"知识库中没有标准“{code}”，请从检索结果中选择引用的条文", field="cited_code")
        view = self._knowledge.library_clause(resolved, clause_no)
        if view is None:
            raise InvalidInput(f"{resolved} 中没有第{clause_no}条，请从检索结果中选择引用的条文", field="cited_clause")
        return view.code, view.clause_no

    def create(self, actor: Actor, **fields: Unpack[InspectionFields]) -> InspectionDetail:
        with self._rt.session() as s:
            return inspections.create_inspection(s, actor, rules=self._rt.rules, now=self._rt.now(), **fields)

    def list(self, actor: Actor, *, project: int | str | None = None, status: str | None = None
             ) -> list[InspectionOut]:
        with self._rt.session() as s:
            return inspections.list_inspections(s, actor=actor, project=project, status=status)

    def get(self, actor: Actor, record_no: str) -> InspectionDetail:
        with self._rt.session() as s:
            return inspections.get_inspection(s, record_no, actor=actor)

    def add_finding(self, actor: Actor, record_no: str, *, category: str, description: str, cited_code: str,
                    cited_clause: str, photos: Sequence[int] = (), measurement_id: int | None = None) -> FindingOut:
        with self._rt.session() as s:
            return inspections.add_finding(
                s, actor, record_no, category=category, description=description, cited_code=cited_code,
                cited_clause=cited_clause, check_clause=self.check_clause, photos=photos,
                measurement_id=measurement_id, rules=self._rt.rules, now=self._rt.now())

    def measure(self, actor: Actor, record_no: str, *, item: str, design: object, values: Sequence[object],
                position: str = "") -> MeasurementOut:
        if not actor.is_staff:
            raise PermissionDenied("只有质监站监督员或管理员可以录入实测实量")
        result = self._tolerances.check(item, design, values)
        with self._rt.session() as s:
            return inspections.add_measurement(s, actor, record_no, result, position=position,
                                               rules=self._rt.rules, now=self._rt.now())

    def finish(self, actor: Actor, record_no: str, conclusion: str) -> InspectionDetail:
        with self._rt.session() as s:
            return inspections.finish_inspection(s, actor, record_no, conclusion=conclusion, rules=self._rt.rules,
                                                 now=self._rt.now())

    def notice_draft(self, actor: Actor, record_no: str, *, findings: Sequence[int] = (),
                     measurements: Sequence[int] = ()) -> NoticeDraft:
        with self._rt.session() as s:
            return notice_loop.notice_draft(s, actor, record_no, finding_ids=findings, measurement_ids=measurements,
                                            rules=self._rt.rules, now=self._rt.now())

    def issue_notice(self, actor: Actor, record_no: str, *, findings: Sequence[int] = (),
                     measurements: Sequence[int] = (), problem: str | None = None, deadline: date | None = None,
                     cited_code: str | None = None, cited_clause: str | None = None,
                     responsible: int | str | None = None) -> NoticeOut:
        with self._rt.session() as s:
            return notice_loop.issue_from_findings(
                s, actor, record_no, finding_ids=findings, measurement_ids=measurements, problem=problem,
                deadline=deadline, cited_code=cited_code, cited_clause=cited_clause, responsible=responsible,
                rules=self._rt.rules, now=self._rt.now())

    def pdf(self, actor: Actor, record_no: str) -> bytes:
        record = self.get(actor, record_no)
        st = self._rt.settings
        return printing.inspection_pdf(record, station=st.station_name, timezone=st.timezone, font=st.pdf_font)

    def timeline(self, actor: Actor, project: int | str) -> list[TimelineEntry]:
        with self._rt.session() as s:
            return timeline.project_timeline(s, actor, project, rules=self._rt.rules, now=self._rt.now())
