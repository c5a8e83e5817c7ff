"""The knowledge base's documents: list (anyone); upload and retire as background jobs (admins)."""

from __future__ import annotations

import shutil

from fastapi import APIRouter, Depends, File, Response, UploadFile
from pydantic import BaseModel

from api.deps import ADMIN, current_actor, get_services, require
from api.errors import ApiError
from api.jobs import Job, safe_filename
from api.schemas import RetireIn
from api.services import Services
from assistant.store.actors import Actor
from corpus.ingest import SUPPORTED
from index.query import resolve_code

router = APIRouter(prefix="/v1/documents", tags=["知识库文档"])

MAX_FILES = 20
_CHUNK = 1 << 20


class DocumentOut(BaseModel):
    code: str
    title: str
    kind: str
    status: str
    superseded_by: str | None = None
    clauses: int


class DocumentList(BaseModel):
    index_version: str
    documents: list[DocumentOut]


@router.get("", response_model=DocumentList, summary="知识库中可检索的文档")
def list_documents(services: Services = Depends(get_services),
                   _actor: Actor | None = Depends(current_actor)) -> DocumentList:
    manifest = services.searcher().manifest
    docs = sorted(manifest.docs.values(), key=lambda d: (d.kind != "standard", d.code))
    return DocumentList(
        index_version=manifest.version_id,
        documents=[DocumentOut(code=d.code, title=d.title, kind=d.kind, status=d.status,
                               superseded_by=d.superseded_by, clauses=d.clauses) for d in docs],
    )


def _accepted(job: Job, response: Response) -> Job:
    response.status_code = 202
    response.headers["Location"] = f"/v1/documents/jobs/{job.id}"
    return job


@router.post(
    "",
    response_model=Job,
    status_code=202,
    summary="上传并导入规范（后台任务）",
    description="上传 PDF、Word、Markdown、文本、HTML、rst、JSONL 或 YAML 文件；立即返回任务，"
                "用 Location 中的地址查询进度。导入完成后新索引自动生效。仅限管理员。",
)
async def upload(
    response: Response,
    files: list[UploadFile] = File(description="一个或多个文件"),
    services: Services = Depends(get_services),
    actor: Actor = Depends(require(*ADMIN)),
) -> Job:
    if not files:
        raise ApiError(422, "请选择要上传的文件", "no_files")
    if len(files) > MAX_FILES:
        raise ApiError(422, f"一次最多上传 {MAX_FILES} 个文件", "too_many_files")
    names = [safe_filename(f.filename or "") for f in files]
    bad = [n for n in names if "." + n.rsplit(".", 1)[-1].lower() not in SUPPORTED or "." not in n]
    if bad:
        kinds = "、".join(sorted(s.lstrip(".") for s in SUPPORTED))
        raise ApiError(415, f"不支持的文件类型：{'、'.join(bad)}（可上传：{kinds}）", "unsupported_file_type")
    if len(set(names)) != len(names):
        raise ApiError(422, "上传的文件中有重名文件", "duplicate_file_names")
    job_id, folder = services.jobs.new_upload_dir()
    saved = []
    try:
        for f, name in zip(files, names, strict=True):
            target = folder / name
            with target.open("wb") as out:
                while chunk := await f.read(_CHUNK):
                    out.write(chunk)
            if target.stat().st_size == 0:
                raise ApiError(422, f"文件“{name}”是空的", "empty_file")
            saved.append(target)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return _accepted(services.jobs.submit_ingest(job_id, saved, actor.name), response)


@router.get("/jobs", response_model=list[Job], summary="最近的导入任务")
def list_jobs(services: Services = Depends(get_services), _actor: Actor = Depends(require(*ADMIN))) -> list[Job]:
    return services.jobs.recent()


@router.get("/jobs/{job_id}", response_model=Job, summary="查询导入任务进度",
            responses={404: {"description": "没有该任务"}})
def get_job(job_id: str, services: Services = Depends(get_services),
            _actor: Actor = Depends(require(*ADMIN))) -> Job:
    job = services.jobs.get(job_id)
    if job is None:
        raise ApiError(404, f"没有编号为 {job_id} 的任务", "job_not_found")
    return job


@router.post("/{code:path}/retire", response_model=Job, status_code=202, summary="废止一部标准（后台任务）",
             description="标记为废止后检索默认不再返回；可注明替代它的新标准。仅限管理员。")
def retire(code: str, body: RetireIn, response: Response, services: Services = Depends(get_services),
           actor: Actor = Depends(require(*ADMIN))) -> Job:
    if len(code) > 64:
        raise ApiError(404, "知识库中没有该标准", "document_not_found")
    resolved = resolve_code(code, list(services.searcher().manifest.docs))
    if resolved is None:
        raise ApiError(404, f"知识库中没有标准“{code}”", "document_not_found")
    return _accepted(services.jobs.submit_retire(resolved, body.superseded_by, actor.name), response)
