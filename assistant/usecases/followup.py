"""What follows from the inspection loop: credit drafts to confirm, cases to publish, random-check draws."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Mapping
from datetime import date

from filelock import FileLock

from assistant.jobs import JobManager
from assistant.store import cases, credit_drafts, spot_checks
from assistant.store.actors import Actor, require_staff
from assistant.store.loop_schemas import (
    CaseDraft,
    CaseFields,
    CreditDraftOut,
    DrawDetail,
    DrawOut,
    PublishedCaseOut,
)
from assistant.usecases.runtime import Runtime


class CreditDraftDesk:
    """Drafted credit records: staff confirm (it then counts, by the existing scheme) or reject each one."""

    def __init__(self, rt: Runtime) -> None:
        self._rt = rt

    def list(self, actor: Actor, *, status: str | None = "pending", enterprise: int | str | None = None
             ) -> list[CreditDraftOut]:
        with self._rt.session() as s:
            return credit_drafts.list_drafts(s, actor, status=status, enterprise=enterprise)

    def confirm(self, actor: Actor, draft_id: int, *, points: float | None = None, expires_on: date | None = None,
                reason: str | None = None) -> CreditDraftOut:
        with self._rt.session() as s:
            return credit_drafts.confirm(s, actor, draft_id, points=points, expires_on=expires_on, reason=reason,
                                         rules=self._rt.rules, now=self._rt.now())

    def reject(self, actor: Actor, draft_id: int, note: str) -> CreditDraftOut:
        with self._rt.session() as s:
            return credit_drafts.reject(s, actor, draft_id, note, rules=self._rt.rules, now=self._rt.now())


class CaseDesk:
    """Closed notices published, anonymised, into the knowledge base as the station's own cases.

    The case is kept in the database first; then the whole collection is written to
    ``<data_dir>/station/cases.yaml`` and ingested by a library job (a child process, like
    an admin's upload), after which search finds it and answers cite it like the bundled cases.
    """

    def __init__(self, rt: Runtime, jobs: JobManager) -> None:
        self._rt = rt
        self._jobs = jobs

    @property
    def document_code(self) -> str:
        return self._rt.settings.station_cases_code

    @property
    def document_title(self) -> str:
        return f"{self._rt.settings.station_name}质量问题案例"

    @property
    def path(self):  # noqa: ANN201 - a Path
        return self._rt.settings.data_dir / "station" / "cases.yaml"

    def draft(self, actor: Actor, notice_no: str) -> CaseDraft:
        with self._rt.session() as s:
            return cases.case_draft(s, actor, notice_no)

    def preview(self, actor: Actor, notice_no: str, fields: CaseFields) -> CaseFields:
        """What publishing these fields would keep (anonymised), with nothing saved."""
        with self._rt.session() as s:
            return cases.case_preview(s, actor, notice_no, fields)

    def publish(self, actor: Actor, notice_no: str, fields: CaseFields) -> PublishedCaseOut:
        job_id = uuid.uuid4().hex
        with self._rt.session() as s:
            out = cases.publish(s, actor, notice_no, fields, job_id=job_id, document_code=self.document_code,
                                rules=self._rt.rules, now=self._rt.now())
        job = self._ingest(job_id, actor.name)
        return out.model_copy(update={"job_status": job.status.value, "job_status_label": job.status_label})

    def list(self, actor: Actor) -> list[PublishedCaseOut]:
        require_staff(actor, "查看本站发布的案例")
        with self._rt.session() as s:
            rows = cases.published(s, self.document_code)
        out = []
        for c in rows:
            job = self._jobs.get(c.job_id) if c.job_id else None
            out.append(c.model_copy(update={"job_status": job.status.value if job else None,
                                            "job_status_label": job.status_label if job else None}))
        return out

    def resync(self, actor: Actor) -> str:
        """Write the collection again and re-ingest it (after a failed job); the new job's id."""
        require_staff(actor, "重新导入本站案例")
        job_id = uuid.uuid4().hex
        self._ingest(job_id, actor.name)
        return job_id

    def _ingest(self, job_id: str, who: str):  # noqa: ANN202 - a Job
        with self._rt.session() as s:
            rows = cases.published(s, self.document_code)
        text = cases.render_collection(rows, code=self.document_code, title=self.document_title)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(self.path.with_suffix(".lock")), timeout=60):
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-", suffix=".yaml")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, self.path)
        return self._jobs.submit_ingest(job_id, [self.path], who)


class SpotCheckDesk:
    """Random-check draws (双随机) by credit grade, with the seed kept for audit."""

    def __init__(self, rt: Runtime) -> None:
        self._rt = rt

    def create(self, actor: Actor, *, period_start: date, period_end: date, seed: str | None = None,
               ratios: Mapping[str, float] | None = None, inspectors_per_project: int | None = None,
               note: str = "") -> DrawDetail:
        with self._rt.session() as s:
            return spot_checks.create_draw(s, actor, period_start=period_start, period_end=period_end, seed=seed,
                                           ratios=ratios, inspectors_per_project=inspectors_per_project, note=note,
                                           rules=self._rt.rules, now=self._rt.now())

    def get(self, actor: Actor, draw_no: str) -> DrawDetail:
        with self._rt.session() as s:
            return spot_checks.get_draw(s, actor, draw_no)

    def list(self, actor: Actor) -> list[DrawOut]:
        with self._rt.session() as s:
            return spot_checks.list_draws(s, actor)
