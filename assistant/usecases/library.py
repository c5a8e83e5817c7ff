"""Library maintenance for admins: upload standards, retire one, follow the background jobs."""

from __future__ import annotations

import errno
from datetime import date
from pathlib import Path

from assistant.jobs import Job, JobManager, safe_filename
from assistant.knowledge import Knowledge
from assistant.store.errors import InvalidInput, NotFound, StorageUnavailable, StoreError
from assistant.views import DocumentList
from corpus.ingest import SUPPORTED

MAX_FILES = 20


def storage_error(exc: OSError) -> StorageUnavailable:
    """What a user is told when the server cannot store what they sent (the path stays in the log)."""
    if exc.errno == errno.ENOSPC:
        return StorageUnavailable("服务器磁盘空间不足，暂时不能上传，请联系质监站管理员")
    return StorageUnavailable("服务器的数据目录暂时不可写，不能上传，请联系质监站管理员")


class UnsupportedFile(StoreError):
    status = 415
    code = "unsupported_file_type"


class LibraryDesk:
    def __init__(self, knowledge: Knowledge, jobs: JobManager) -> None:
        self._knowledge = knowledge
        self._jobs = jobs
        self._switch_synced: date | None = None
        knowledge.on_switch_due(self._switch_due)

    def _switch_due(self, day: date) -> None:
        """A revision or a new edition took effect today: one sync writes it into the library and the index."""
        if self._switch_synced == day:
            return
        self._switch_synced = day
        self._jobs.submit_sync(f"{day} 起实施的修订或新版本")

    supported: frozenset[str] = frozenset(SUPPORTED)

    def documents(self) -> DocumentList:
        return self._knowledge.documents()

    def check_upload(self, filenames: list[str]) -> list[str]:
        """The names uploaded files will be saved under; a Chinese error for a batch that cannot be ingested."""
        if not filenames:
            raise InvalidInput("请选择要上传的文件", code="no_files")
        if len(filenames) > MAX_FILES:
            raise InvalidInput(f"一次最多上传 {MAX_FILES} 个文件", code="too_many_files")
        names = [safe_filename(n) for n in filenames]
        bad = [n for n in names if "." not in n or "." + n.rsplit(".", 1)[-1].lower() not in self.supported]
        if bad:
            kinds = "、".join(sorted(s.lstrip(".") for s in self.supported))
            raise UnsupportedFile(f"不支持的文件类型：{'、'.join(bad)}（可上传：{kinds}）")
        if len(set(names)) != len(names):
            raise InvalidInput("上传的文件中有重名文件", code="duplicate_file_names")
        return names

    def new_upload(self) -> tuple[str, Path]:
        """A job id and the folder its files are written to before ``submit_ingest``."""
        try:
            return self._jobs.new_upload_dir()
        except OSError as exc:
            raise storage_error(exc) from exc

    def submit_ingest(self, job_id: str, files: list[Path], submitted_by: str) -> Job:
        return self._jobs.submit_ingest(job_id, files, submitted_by)

    def retire(self, code: str, superseded_by: str | None, submitted_by: str) -> Job:
        resolved = self._knowledge.resolve_code(code)
        if resolved is None:
            raise NotFound(f"知识库中没有标准“{code[:64]}”", code="document_not_found")
        return self._jobs.submit_retire(resolved, superseded_by, submitted_by)

    def remove(self, code: str, submitted_by: str) -> Job:
        """Delete a standard from the library (and so from search) as a background job."""
        resolved = self._knowledge.resolve_code(code)
        if resolved is None:
            raise NotFound(f"知识库中没有标准“{code[:64]}”", code="document_not_found")
        return self._jobs.submit_remove(resolved, submitted_by)

    def repair_index(self, submitted_by: str) -> Job | None:
        """Start a sync job when the index is behind the library (after a crash); None when it is current."""
        if not self._knowledge.lag().behind:
            return None
        return self._jobs.submit_sync(submitted_by)

    def jobs(self, limit: int = 50) -> list[Job]:
        return self._jobs.recent(limit)

    def job(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise NotFound(f"没有编号为 {job_id[:40]} 的任务", code="job_not_found")
        return job

    def shutdown(self) -> None:
        self._jobs.shutdown()
