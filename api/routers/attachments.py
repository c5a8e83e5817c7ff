"""Photos and PDFs kept as evidence on a record (预约办结、上门服务、整改回复; inspection records reuse it).

Uploads are one file per request (so a page can show each file's progress); the
file is checked by its content, resized and stored by ``Assistant.attachments``.
Files are served only to callers allowed to see the record they belong to.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Path, UploadFile
from fastapi.responses import FileResponse

from api.deps import attachments_desk, require
from api.errors import ApiError
from assistant.store.actors import Actor
from assistant.usecases.attachments import AttachmentDesk, AttachmentOut

router = APIRouter(prefix="/v1/attachments", tags=["照片与附件"])
_SUBJECT = Path(pattern=r"^[a-z_]{1,32}$", description="记录类型：booking 预约、visit 服务申请、notice 整改通知单、inspection 监督检查记录")
_NUMBER = Path(min_length=1, max_length=40, description="记录编号，如 2026-000004")
_UID = Path(pattern=r"^[0-9a-f]{32}$")
_CHUNK = 1 << 20


@router.post("/{subject_type}/{subject_no}", response_model=AttachmentOut, status_code=201,
             summary="上传一张照片或一个 PDF",
             description="按文件内容识别 JPEG、PNG、WebP、GIF 照片和 PDF（不看扩展名）；照片转正、缩小到适合手机查看的尺寸，"
                         "保留拍摄时间等 EXIF 信息作为证据。预约附件限工作人员；服务照片限派遣的专家和工作人员；"
                         "整改照片限整改责任单位和工作人员。")
async def upload(subject_type: str = _SUBJECT, subject_no: str = _NUMBER,
                 file: UploadFile = File(description="照片或 PDF"), note: str = Form("", max_length=200),
                 desk: AttachmentDesk = Depends(attachments_desk),
                 actor: Actor = Depends(require())) -> AttachmentOut:
    limit = desk.limits.max_bytes
    data = bytearray()
    while chunk := await file.read(_CHUNK):
        data += chunk
        if len(data) > limit:
            raise ApiError(413, f"文件“{(file.filename or '')[:80]}”超过 {limit // 1048576} MB 的上限",
                           "attachment_too_large")
    return desk.upload(actor, subject_type, subject_no, file.filename or "附件", bytes(data), note=note)


def _file(desk: AttachmentDesk, actor: Actor, uid: str, thumb: bool) -> FileResponse:
    stored = desk.open(actor, uid, thumb=thumb)
    return FileResponse(stored.path, media_type=stored.content_type, filename=stored.filename,
                        content_disposition_type="inline",
                        headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"})


@router.get("/file/{uid}", summary="下载附件（须有权查看该记录）", response_class=FileResponse,
            responses={200: {"content": {"image/jpeg": {}, "application/pdf": {}}}})
def download(uid: str = _UID, desk: AttachmentDesk = Depends(attachments_desk),
             actor: Actor = Depends(require())) -> FileResponse:
    return _file(desk, actor, uid, thumb=False)


@router.get("/thumb/{uid}", summary="照片缩略图", response_class=FileResponse,
            responses={200: {"content": {"image/jpeg": {}}}})
def thumbnail(uid: str = _UID, desk: AttachmentDesk = Depends(attachments_desk),
              actor: Actor = Depends(require())) -> FileResponse:
    return _file(desk, actor, uid, thumb=True)


@router.get("/{subject_type}/{subject_no}", response_model=list[AttachmentOut], summary="记录的照片与附件")
def list_(subject_type: str = _SUBJECT, subject_no: str = _NUMBER, desk: AttachmentDesk = Depends(attachments_desk),
          actor: Actor = Depends(require())) -> list[AttachmentOut]:
    return desk.list(actor, subject_type, subject_no)
