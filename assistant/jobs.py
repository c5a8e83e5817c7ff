"""Background jobs for administrators: ingest uploaded files, retire a standard; pollable status.

Each job runs ``zhijian ingest`` / ``zhijian retire`` in a child process, one at
a time (the library maintenance the station admin starts from the web page):
parsing and embedding use the other core instead of the server's, a
crash cannot take the server down, and the library and index locks are the
same ones the command line uses. The new index is published atomically by the
indexer; when the job ends the app loads it and drops cached search results.
Job records are JSON files under ``<data_dir>/jobs``, so status survives a restart.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from assistant.config import Settings

log = logging.getLogger(__name__)

JOB_TIMEOUT_S = 4 * 3600
# Path separators, control characters and what Windows forbids; spaces stay ("GB 51247-2018_….md" names its code).
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    interrupted = "interrupted"


STATUS_LABELS = {"queued": "排队中", "running": "处理中", "succeeded": "已完成", "failed": "失败",
                 "interrupted": "已中断（服务重启）"}
# The worker exits when the server that started it is gone (see assistant.cli.watch_parent).
PARENT_ENV = "ZHIJIAN_JOB_PARENT_PID"
OUTCOME_LABELS = {"added": "新增", "replaced": "更新", "unchanged": "未变化", "failed": "失败"}


class FileResult(BaseModel):
    file: str
    outcome: str
    outcome_label: str
    code: str = ""
    title: str = ""
    clauses: int = 0
    commentary: int = 0
    mandatory: int = 0
    warnings: list[str] = Field(default_factory=list)
    error: str = ""


class Job(BaseModel):
    id: str
    kind: str = Field(description="ingest | retire | remove | sync")
    status: JobStatus
    status_label: str
    submitted_by: str
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    files: list[str] = Field(default_factory=list)
    target: str | None = Field(default=None, description="the standard a retire job acts on")
    results: list[FileResult] = Field(default_factory=list)
    index: str | None = Field(default=None, description="what the index update did")
    message: str = ""
    pid: int | None = Field(default=None, description="the worker process while the job runs")


def _now() -> datetime:
    return datetime.now(UTC)


def safe_filename(name: str) -> str:
    """The base name of an uploaded file, without path parts, control characters or a leading dot.

    Spaces and Chinese punctuation are kept: ingestion reads a standard's code and title from the file
    name, and the file is handed to the ingest process as an argument, never through a shell.
    """
    base = Path((name or "").replace("\\", "/")).name
    cleaned = re.sub(r"\s+", " ", _UNSAFE_NAME.sub("_", base)).strip().lstrip(".").strip()
    return cleaned[:120] or "upload"


class JobManager:
    def __init__(self, settings: Settings, *, on_index_changed: Callable[[], None],
                 on_finished: Callable[[Job], None] = lambda job: None) -> None:
        self.settings = settings
        self.root = settings.data_dir / "jobs"
        self.uploads = settings.data_dir / "uploads"
        self._on_index_changed = on_index_changed
        self._on_finished = on_finished
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._recovered = False

    # -- records ---------------------------------------------------------
    def _path(self, job_id: str) -> Path:
        return self.root / f"{job_id}.json"

    def _save(self, job: Job) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(job.model_dump_json())
        os.replace(tmp, self._path(job.id))

    def get(self, job_id: str) -> Job | None:
        if not re.fullmatch(r"[0-9a-f]{32}", job_id or ""):
            return None
        self._recover()
        p = self._path(job_id)
        return Job.model_validate_json(p.read_text("utf-8")) if p.is_file() else None

    def recent(self, limit: int = 50) -> list[Job]:
        self._recover()
        if not self.root.is_dir():
            return []
        jobs = [Job.model_validate_json(p.read_text("utf-8")) for p in self.root.glob("*.json")]
        return sorted(jobs, key=lambda j: j.created_at, reverse=True)[:limit]

    def _recover(self) -> None:
        """Jobs left queued or running by a previous process will never finish: say so."""
        if self._recovered or not self.root.is_dir():
            self._recovered = True
            return
        with self._lock:
            if self._recovered:
                return
            for p in self.root.glob("*.json"):
                job = Job.model_validate_json(p.read_text("utf-8"))
                if job.status in (JobStatus.queued, JobStatus.running):
                    _stop_orphan(job)
                    self._set(job, JobStatus.interrupted, pid=None,
                              message="服务在任务完成前重启，任务已中断；重新提交即可（已导入的部分会自动补入索引）")
            self._recovered = True

    def _set(self, job: Job, status: JobStatus, **changes: Any) -> Job:
        job = job.model_copy(update={"status": status, "status_label": STATUS_LABELS[status.value], **changes})
        self._save(job)
        return job

    # -- submission ------------------------------------------------------
    def _submit(self, job: Job, command: list[str]) -> Job:
        self._recover()
        self._save(job)
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="zhijian-job")
            self._executor.submit(self._run, job, command)
        return job

    def new_upload_dir(self) -> tuple[str, Path]:
        job_id = uuid.uuid4().hex
        folder = self.uploads / job_id
        folder.mkdir(parents=True, exist_ok=True)
        return job_id, folder

    def submit_ingest(self, job_id: str, files: list[Path], submitted_by: str) -> Job:
        job = Job(id=job_id, kind="ingest", status=JobStatus.queued, status_label=STATUS_LABELS["queued"],
                  submitted_by=submitted_by, created_at=_now(), files=[f.name for f in files])
        return self._submit(job, ["ingest", "--json", "--quiet", *[str(f) for f in files]])

    def submit_retire(self, code: str, superseded_by: str | None, submitted_by: str) -> Job:
        job = Job(id=uuid.uuid4().hex, kind="retire", status=JobStatus.queued, status_label=STATUS_LABELS["queued"],
                  submitted_by=submitted_by, created_at=_now(), target=code)
        return self._submit(job, ["retire", code, *(["--by", superseded_by] if superseded_by else [])])

    def submit_remove(self, code: str, submitted_by: str) -> Job:
        """Delete a document from the library and the index (``zhijian remove``)."""
        job = Job(id=uuid.uuid4().hex, kind="remove", status=JobStatus.queued, status_label=STATUS_LABELS["queued"],
                  submitted_by=submitted_by, created_at=_now(), target=code)
        return self._submit(job, ["remove", code])

    def submit_sync(self, submitted_by: str) -> Job:
        """Bring the index in line with the library (after a crash left it behind)."""
        job = Job(id=uuid.uuid4().hex, kind="sync", status=JobStatus.queued, status_label=STATUS_LABELS["queued"],
                  submitted_by=submitted_by, created_at=_now())
        return self._submit(job, ["index", "sync", "--quiet"])

    # -- execution -------------------------------------------------------
    def _env(self) -> dict[str, str]:
        s = self.settings
        env = dict(os.environ)
        env.update({"ZHIJIAN_DATA_DIR": str(Path(s.data_dir).resolve()), "ZHIJIAN_EMBEDDER": s.embedder,
                    "ZHIJIAN_ANN_THRESHOLD": str(s.ann_threshold), "PYTHONIOENCODING": "utf-8",
                    PARENT_ENV: str(os.getpid())})
        return env

    def _run(self, job: Job, command: list[str]) -> None:
        job = self._set(job, JobStatus.running, started_at=_now())
        argv = [sys.executable, "-c", "from assistant.cli import main; main()", *command]
        try:
            with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                  env=self._env()) as child:
                job = self._set(job, JobStatus.running, pid=child.pid)
                try:
                    stdout, stderr = child.communicate(timeout=JOB_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.communicate()
                    self._finish(job, JobStatus.failed, message=f"任务超过 {JOB_TIMEOUT_S // 3600} 小时未完成，已终止")
                    return
            proc = subprocess.CompletedProcess(argv, child.returncode, stdout, stderr)
        except Exception as exc:  # pragma: no cover - e.g. the interpreter vanished
            log.exception("job %s could not start", job.id)
            self._finish(job, JobStatus.failed, message=f"任务无法启动：{type(exc).__name__}")
            return
        if job.kind == "ingest":
            self._finish_ingest(job, proc)
        else:
            ok = proc.returncode == 0
            text = (proc.stdout if ok else proc.stderr).strip()
            self._finish(job, JobStatus.succeeded if ok else JobStatus.failed, message=text[-2000:] or
                         ("已完成" if ok else "任务失败"), index=text.splitlines()[-1] if ok and text else None)

    def _finish_ingest(self, job: Job, proc: subprocess.CompletedProcess[str]) -> None:
        try:
            out = json.loads(proc.stdout)
        except (json.JSONDecodeError, TypeError):
            log.error("ingest job %s: exit %s, stderr: %s", job.id, proc.returncode, proc.stderr[-4000:])
            self._finish(job, JobStatus.failed, message="导入程序异常退出，详情见服务日志")
            return
        results = [
            FileResult(file=Path(r["path"]).name, outcome=r["outcome"],
                       outcome_label=OUTCOME_LABELS.get(r["outcome"], r["outcome"]), code=r.get("code", ""),
                       title=r.get("title", ""), clauses=r.get("clauses", 0), commentary=r.get("commentary", 0),
                       mandatory=r.get("mandatory", 0), warnings=r.get("warnings", []),
                       error=(r.get("error") or "").replace(str(self.uploads / job.id) + "/", ""))
            for r in out.get("files", [])
        ]
        failed = sum(r.outcome == "failed" for r in results)
        ok = failed < len(results)
        message = f"共 {len(results)} 个文件：成功 {len(results) - failed}，失败 {failed}"
        self._finish(job, JobStatus.succeeded if ok else JobStatus.failed, results=results, index=out.get("index"),
                     message=message)

    def _finish(self, job: Job, status: JobStatus, **changes: Any) -> None:
        job = self._set(job, status, finished_at=_now(), pid=None, **changes)
        self._on_finished(job)
        if status == JobStatus.succeeded:
            self._on_index_changed()

    def shutdown(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None


def _stop_orphan(job: Job) -> None:
    """A worker left running by a server that died (kill -9): stop it, so it cannot race a resubmission.

    Only a process that is still our worker (its command line runs the zhijian CLI) is signalled.
    """
    if not job.pid:
        return
    try:
        cmdline = Path(f"/proc/{job.pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return  # gone already (or not Linux: the worker's own watchdog ends it)
    if b"assistant.cli" not in cmdline:
        return
    with contextlib.suppress(OSError):
        os.kill(job.pid, signal.SIGTERM)
        log.warning("stopped the worker %s of interrupted job %s", job.pid, job.id)
