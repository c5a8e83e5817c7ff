"""Small input checks shared by the services, each failing with a Chinese message."""

from __future__ import annotations

import re
import unicodedata

from assistant.store.errors import InvalidInput

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def text(value: str | None, what: str, *, max_len: int, required: bool = True) -> str:
    """Stripped text; '请填写…' when required and empty, '…过长' past ``max_len`` characters."""
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise InvalidInput(f"请填写{what}")
    if len(cleaned) > max_len:
        raise InvalidInput(f"{what}过长（最多{max_len}个字，您输入了{len(cleaned)}个字）")
    return cleaned


def phone(value: str | None, what: str = "联系电话") -> str:
    """A mainland mobile number or a landline with area code, normalised to half-width digits."""
    raw = unicodedata.normalize("NFKC", value or "").strip()
    compact = re.sub(r"[\s()（）]", "", raw).removeprefix("+86").removeprefix("0086")
    if not compact:
        raise InvalidInput(f"请填写{what}")
    if _MOBILE.match(compact) or _LANDLINE.match(compact):
        return compact
    raise InvalidInput(f"{what}“{raw}”格式不正确，请填写11位手机号或带区号的固定电话（如 0571-87654321）")


def attachment_ids(values: object, what: str, *, limit: int = 30) -> list[int]:
    """Photos and files are referenced by attachment id (positive integers), at most ``limit``, no repeats."""
    out: list[int] = []
    for v in values or ():  # type: ignore[attr-defined]
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise InvalidInput(f"{what}应为附件编号（正整数）", field="photos")
        out.append(v)
    out = list(dict.fromkeys(out))
    if len(out) > limit:
        raise InvalidInput(f"{what}最多 {limit} 个", field="photos")
    return out
