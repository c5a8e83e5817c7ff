"""The knowledge base's documents: list (anyone); upload and retire as background jobs (admins)."""

from __future__ import annotations

import shutil

from fastapi import APIRouter, Depends, File, Response, UploadFile

from api.deps import ADMIN, current_actor, library_desk, require
from api.errors import ApiError
from api.schemas import RetireIn
from assistant.jobs import Job
from assistant.store.actors import Actor
from assistant.usecases.library import LibraryDesk, storage_error
from assistant.views import DocumentList

router = APIRouter(prefix="/v1/documents", tags=["知识库文档"])

_CHUNK = 1 << 20


@router.get("", response_model=DocumentList, summary="知识库中可检索的文档")
def list_documents(library: LibraryDesk = Depends(library_desk),
                   _actor: Actor | None = Depends(current_actor)) -> DocumentList:
    return library.documents()


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
    library: LibraryDesk = Depends(library_desk),
    actor: Actor = Depends(require(*ADMIN)),
) -> Job:
    names = library.check_upload([f.filename or "" for f in files])
    job_id, folder = library.new_upload()
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
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        raise storage_error(exc) from exc
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return _accepted(library.submit_ingest(job_id, saved, actor.name), response)


@router.get("/jobs", response_model=list[Job], summary="最近的导入任务")
def list_jobs(library: LibraryDesk = Depends(library_desk), _actor: Actor = Depends(require(*ADMIN))) -> list[Job]:
    return library.jobs()


@router.get("/jobs/{job_id}", response_model=Job, summary="查询导入任务进度",
            responses={404: {"description": "没有该任务"}})
def get_job(job_id: str, library: LibraryDesk = Depends(library_desk),
            _actor: Actor = Depends(require(*ADMIN))) -> Job:
    return library.job(job_id)


@router.post("/{code:path}/retire", response_model=Job, status_code=202, summary="废止一部标准（后台任务）",
             description="标记为废止后检索默认不再返回；可注明替代它的新标准。仅限管理员。")
def retire(code: str, body: RetireIn, response: Response, library: LibraryDesk = Depends(library_desk),
           actor: Actor = Depends(require(*ADMIN))) -> Job:
    return _accepted(library.retire(code, body.superseded_by, actor.name), response)


@router.delete("/{code:path}", response_model=Job, status_code=202, summary="删除一部标准（后台任务）",
               description="从条文库和索引中删除；已废止但仍需查阅的标准请用“废止”而不是删除。仅限管理员。")
def remove(code: str, response: Response, library: LibraryDesk = Depends(library_desk),
           actor: Actor = Depends(require(*ADMIN))) -> Job:
    return _accepted(library.remove(code, actor.name), response)
