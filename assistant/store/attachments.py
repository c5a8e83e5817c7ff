"""Photos and PDFs kept as evidence on a record: checked by content, resized for phones, access-checked.

A record type (``booking``, ``visit``, ``notice``, ``inspection``; other modules add theirs with
``register_subject``) says how its rows are found by number, who may see them
and who may add evidence. An upload is accepted only when its bytes are a
JPEG/PNG/WebP/GIF photo (opened and decoded by Pillow, whatever the file is
called) or a PDF that pypdf can read, within the size limit. Photos are turned
upright, re-encoded as JPEG with the long edge at most ``max_px`` (what a phone
shows) plus a 320 px thumbnail; the stored file carries no EXIF (so no GPS
position leaves the station with it), while the row keeps what the original
said as evidence: capture time (DateTimeOriginal), camera make and model, GPS
position when present, original size, dimensions and SHA-256.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError
from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assistant.store.actors import Actor
from assistant.store.errors import InvalidInput, NotFound, PermissionDenied
from assistant.store.models import Account, Attachment, Booking, Inspection, RectificationNotice, VisitRequest
from assistant.store.schemas import Out

IMAGE_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}
MAX_PIXELS = 60_000_000  # a 60-megapixel photo is the largest decoded (decompression bombs are refused)
THUMB_PX = 320
JPEG_QUALITY = 82


class AttachmentTooLarge(InvalidInput):
    status = 413
    code = "attachment_too_large"


class UnsupportedAttachment(InvalidInput):
    status = 415
    code = "unsupported_attachment"


@dataclass(frozen=True)
class Subject:
    """A kind of record that can hold attachments."""

    label: str  # 预约 / 服务申请 / 整改通知单, for messages
    model: type[Any]
    number: str  # the column people quote (booking_no …)
    can_see: Callable[[Actor, Any], bool]
    can_attach: Callable[[Actor, Any], bool]
    denied: str  # why an upload was refused


SUBJECTS: dict[str, Subject] = {}


def register_subject(name: str, subject: Subject) -> None:
    """Let records of ``name`` hold attachments (inspection records, for instance, register theirs)."""
    SUBJECTS[name] = subject


def _staff(actor: Actor, _row: Any) -> bool:
    return actor.is_staff


def _booking_visible(actor: Actor, row: Booking) -> bool:
    from assistant.store.booking_views import can_see

    return can_see(actor, row)


def _visit_visible(actor: Actor, row: VisitRequest) -> bool:
    return actor.is_staff or actor.acts_for(row.enterprise_id) or actor.account_id in {a.id for a in row.experts}


def _visit_attach(actor: Actor, row: VisitRequest) -> bool:
    return actor.is_staff or actor.account_id in {a.id for a in row.experts}


def _notice_visible(actor: Actor, row: RectificationNotice) -> bool:
    from assistant.store.projects import party_ids

    return actor.is_staff or (actor.enterprise_id is not None and actor.enterprise_id in party_ids(row.project))


def _inspection_visible(actor: Actor, row: Inspection) -> bool:
    from assistant.store.inspections import can_see

    return can_see(actor, row)


def _notice_attach(actor: Actor, row: RectificationNotice) -> bool:
    return actor.is_staff or actor.acts_for(row.responsible_enterprise_id)


register_subject("booking", Subject("预约", Booking, "booking_no", _booking_visible, _staff,
                                    "只有质监站工作人员可以为预约上传附件"))
register_subject("visit", Subject("服务申请", VisitRequest, "visit_no", _visit_visible, _visit_attach,
                                  "只有派遣的专家或质监站工作人员可以上传服务照片"))
register_subject("notice", Subject("整改通知单", RectificationNotice, "notice_no", _notice_visible, _notice_attach,
                                   "只有整改责任单位或质监站工作人员可以上传整改照片"))
register_subject("inspection", Subject("监督检查记录", Inspection, "record_no", _inspection_visible, _staff,
                                       "只有质监站工作人员可以为监督检查记录上传照片"))


class AttachmentOut(Out):
    id: int = Field(description="附件编号：检查发现的问题、整改回复按它引用照片")
    uid: str
    subject_type: str
    subject_no: str
    kind: str  # image | pdf
    filename: str
    content_type: str
    size: int
    original_size: int
    original_sha256: str
    width: int | None
    height: int | None
    taken_at: str | None  # as the camera wrote it (local time of the camera, no zone)
    exif: dict[str, Any]
    note: str
    uploaded_by_name: str
    created_at: datetime


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_px: int
    max_per_record: int


@dataclass(frozen=True)
class Processed:
    kind: str
    content_type: str
    ext: str
    body: bytes
    thumb: bytes | None
    width: int | None
    height: int | None
    taken_at: str | None
    exif: dict[str, Any]


def _subject(name: str) -> Subject:
    subject = SUBJECTS.get(name)
    if subject is None:
        raise NotFound(f"不支持为“{name[:32]}”上传附件")
    return subject


def _row(session: Session, subject: Subject, number: str) -> Any:
    model = subject.model
    row = session.scalars(select(model).where(getattr(model, subject.number) == (number or "").strip())).one_or_none()
    if row is None:
        raise NotFound(f"未找到{subject.label} {number[:40]}")
    return row


def _gps(gps: dict[int, Any]) -> dict[str, float] | None:
    def degrees(value: Any, ref: Any, negative: str) -> float | None:
        try:
            d, m, s = (float(x) for x in value)
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        out = d + m / 60 + s / 3600
        return round(-out if str(ref).upper().startswith(negative) else out, 6)

    lat = degrees(gps.get(2), gps.get(1), "S")
    lon = degrees(gps.get(4), gps.get(3), "W")
    return {"lat": lat, "lon": lon} if lat is not None and lon is not None else None


def read_exif(img: Image.Image) -> tuple[str | None, dict[str, Any]]:
    """(capture time, the evidence kept): DateTimeOriginal, camera make/model, GPS position."""
    exif = img.getexif()
    if not exif:
        return None, {}
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    kept: dict[str, Any] = {}
    for key, tag, source in (("datetime_original", 36867, sub), ("offset_time_original", 36881, sub),
                             ("datetime", 306, exif), ("make", 271, exif), ("model", 272, exif)):
        value = source.get(tag)
        if isinstance(value, bytes):
            value = value.decode("ascii", "ignore")
        if isinstance(value, str) and value.strip("\x00 "):
            kept[key] = value.strip("\x00 ")[:64]
    gps = _gps(exif.get_ifd(ExifTags.IFD.GPSInfo))
    if gps:
        kept["gps"] = gps
    return kept.get("datetime_original") or kept.get("datetime"), kept


def _jpeg(img: Image.Image, px: int, quality: int) -> bytes:
    copy = img.copy()
    copy.thumbnail((px, px), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    copy.save(buf, "JPEG", quality=quality, optimize=True)
    return buf.getvalue()


def process(data: bytes, filename: str, *, max_px: int) -> Processed:
    """Check ``data`` by content and prepare what is stored; ``UnsupportedAttachment`` (Chinese) otherwise."""
    name = filename[:80] or "附件"
    refused = UnsupportedAttachment(f"“{name}”不是可识别的照片（JPEG、PNG、WebP、GIF）或 PDF 文件，未保存")
    if data.startswith(b"%PDF-"):
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError

        try:
            pages = len(PdfReader(io.BytesIO(data)).pages)
        except (PyPdfError, ValueError, OSError, KeyError, TypeError) as exc:
            raise refused from exc
        if pages == 0:
            raise refused
        return Processed("pdf", "application/pdf", "pdf", data, None, None, None, None, {"pages": pages})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in IMAGE_FORMATS:
                raise refused
            if probe.width * probe.height > MAX_PIXELS:
                raise UnsupportedAttachment(f"“{name}”像素过多（{probe.width}×{probe.height}），请压缩后再上传")
            probe.verify()
            img = Image.open(io.BytesIO(data))
            img.load()
    except UnsupportedAttachment:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise refused from exc
    taken_at, kept = read_exif(img)
    kept["format"] = IMAGE_FORMATS[img.format or "JPEG"]
    kept["original_width"], kept["original_height"] = img.width, img.height
    upright = ImageOps.exif_transpose(img)
    if upright.mode not in ("RGB", "L"):
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        upright = flat
    elif upright.mode == "L":
        upright = upright.convert("RGB")
    body = _jpeg(upright, max_px, JPEG_QUALITY)
    thumb = _jpeg(upright, THUMB_PX, 75)
    shown = Image.open(io.BytesIO(body))
    return Processed("image", "image/jpeg", "jpg", body, thumb, shown.width, shown.height, taken_at, kept)


def to_out(a: Attachment, subject_no: str) -> AttachmentOut:
    return AttachmentOut(
        id=a.id, uid=a.uid, subject_type=a.subject_type, subject_no=subject_no, kind=a.kind, filename=a.filename,
        content_type=a.content_type, size=a.size, original_size=a.original_size, original_sha256=a.original_sha256,
        width=a.width, height=a.height, taken_at=a.taken_at, exif=a.exif or {}, note=a.note,
        uploaded_by_name=a.uploaded_by_name, created_at=a.created_at,
    )


def _safe_name(filename: str, ext: str) -> str:
    base = Path((filename or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '/\\:*?"<>|').strip().lstrip(".")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{(stem or '附件')[:100]}.{ext}"


def save_attachment(session: Session, actor: Actor, subject_type: str, subject_no: str, filename: str, data: bytes,
                    *, root: Path, limits: Limits, note: str = "", now: datetime) -> AttachmentOut:
    """Check, process and store one upload on a record the actor may add evidence to."""
    subject = _subject(subject_type)
    row = _row(session, subject, subject_no)
    if not subject.can_see(actor, row) or not subject.can_attach(actor, row):
        raise PermissionDenied(subject.denied)
    if not data:
        raise InvalidInput(f"文件“{filename[:80]}”是空的")
    if len(data) > limits.max_bytes:
        raise AttachmentTooLarge(f"文件“{filename[:80]}”有 {len(data) / 1048576:.1f} MB，"
                                 f"超过 {limits.max_bytes // 1048576} MB 的上限")
    held = session.scalar(select(func.count(Attachment.id)).where(
        Attachment.subject_type == subject_type, Attachment.subject_id == row.id)) or 0
    if held >= limits.max_per_record:
        raise InvalidInput(f"该{subject.label}已有 {held} 个附件，达到上限 {limits.max_per_record} 个")
    done = process(data, filename, max_px=limits.max_px)
    uid = secrets.token_hex(16)
    folder = Path(f"{now:%Y}") / f"{now:%m}"
    rel = folder / f"{uid}.{done.ext}"
    rel_thumb = folder / f"{uid}_t.jpg" if done.thumb is not None else None
    (root / folder).mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        (root / rel).write_bytes(done.body)
        written.append(root / rel)
        if rel_thumb is not None and done.thumb is not None:
            (root / rel_thumb).write_bytes(done.thumb)
            written.append(root / rel_thumb)
        uploader = session.get(Account, actor.account_id) if actor.account_id else None
        att = Attachment(
            uid=uid, subject_type=subject_type, subject_id=row.id, kind=done.kind,
            filename=_safe_name(filename, done.ext), content_type=done.content_type, path=rel.as_posix(),
            thumb_path=rel_thumb.as_posix() if rel_thumb else None, size=len(done.body), original_size=len(data),
            original_sha256=hashlib.sha256(data).hexdigest(), width=done.width, height=done.height,
            taken_at=done.taken_at, exif=done.exif, note=(note or "").strip()[:200],
            uploaded_by_id=uploader.id if uploader else None, uploaded_by_name=actor.name[:64], created_at=now,
        )
        session.add(att)
        session.flush()
    except BaseException:
        for p in written:
            p.unlink(missing_ok=True)
        raise
    return to_out(att, getattr(row, subject.number))


def list_attachments(session: Session, actor: Actor | None, subject_type: str, subject_no: str
                     ) -> list[AttachmentOut]:
    """The record's attachments, oldest first (``actor=None``: a trusted caller)."""
    subject = _subject(subject_type)
    row = _row(session, subject, subject_no)
    if actor is not None and not subject.can_see(actor, row):
        raise PermissionDenied(f"无权查看该{subject.label}的附件")
    rows = session.scalars(select(Attachment).where(Attachment.subject_type == subject_type,
                                                    Attachment.subject_id == row.id).order_by(Attachment.id))
    return [to_out(a, getattr(row, subject.number)) for a in rows]


@dataclass(frozen=True)
class StoredFile:
    path: Path
    content_type: str
    filename: str


def open_attachment(session: Session, actor: Actor | None, uid: str, *, root: Path, thumb: bool = False
                    ) -> StoredFile:
    """The stored file of attachment ``uid``, for someone allowed to see its record (else ``NotFound``)."""
    att = session.scalars(select(Attachment).where(Attachment.uid == (uid or "")[:32])).one_or_none()
    missing = NotFound("未找到该附件")
    if att is None:
        raise missing
    subject = SUBJECTS.get(att.subject_type)
    row = session.get(subject.model, att.subject_id) if subject else None
    if row is None or (actor is not None and not subject.can_see(actor, row)):  # type: ignore[union-attr]
        raise missing  # never confirm that someone else's evidence exists
    rel = att.thumb_path if thumb and att.thumb_path else att.path
    path = root / rel
    if not path.is_file():
        raise NotFound("附件文件已丢失，请联系管理员")
    ctype = "image/jpeg" if thumb and att.thumb_path else att.content_type
    return StoredFile(path=path, content_type=ctype, filename=att.filename)
