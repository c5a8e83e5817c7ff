"""Photos and documents kept as evidence on a record (a booking, a visit, a rectification notice, …).

The file itself lives under ``<data_dir>/attachments`` (resized for phones);
this row says whose record it belongs to, who uploaded it, and what the
original carried: its SHA-256, size, dimensions and EXIF capture time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from assistant.store.models.base import Base, utcnow


class Attachment(Base):
    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, unguessable: the download URL names it (access is still checked against the record).
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # image | pdf
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(200))  # relative to the attachments folder
    thumb_path: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)  # bytes stored
    original_size: Mapped[int] = mapped_column(Integer)
    original_sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    taken_at: Mapped[str | None] = mapped_column(String(32))  # EXIF DateTimeOriginal as the camera wrote it
    exif: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(String(200), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    uploaded_by_name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
