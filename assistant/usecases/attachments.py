"""Photos and attachments on records, as channels use them (the API; inspection records reuse it)."""

from __future__ import annotations

from assistant.store import attachments
from assistant.store.actors import Actor
from assistant.store.attachments import AttachmentOut, Limits, StoredFile
from assistant.usecases.runtime import Runtime

__all__ = ["AttachmentOut", "AttachmentDesk"]


class AttachmentDesk:
    """Upload evidence to a booking, visit or notice; list it; open a file for someone allowed to see it."""

    def __init__(self, rt: Runtime) -> None:
        self._rt = rt

    @property
    def limits(self) -> Limits:
        s = self._rt.settings
        return Limits(max_bytes=s.attachment_max_mb * 1024 * 1024, max_px=s.attachment_image_max_px,
                      max_per_record=s.attachment_max_per_record)

    @property
    def subjects(self) -> list[str]:
        return sorted(attachments.SUBJECTS)

    def upload(self, actor: Actor, subject_type: str, subject_no: str, filename: str, data: bytes, *,
               note: str = "") -> AttachmentOut:
        with self._rt.session() as s:
            return attachments.save_attachment(
                s, actor, subject_type, subject_no, filename, data, root=self._rt.settings.attachments_dir,
                limits=self.limits, note=note, now=self._rt.now(),
            )

    def list(self, actor: Actor | None, subject_type: str, subject_no: str) -> list[AttachmentOut]:
        with self._rt.session() as s:
            return attachments.list_attachments(s, actor, subject_type, subject_no)

    def open(self, actor: Actor | None, uid: str, *, thumb: bool = False) -> StoredFile:
        with self._rt.session() as s:
            return attachments.open_attachment(s, actor, uid, root=self._rt.settings.attachments_dir, thumb=thumb)
