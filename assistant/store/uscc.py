"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters: registration authority (1), entity type (1), administrative
division (6 digits), organisation code (9) and a check character computed
modulo 31 over the first 17 with fixed weights. The letters I, O, S, V and Z
are never used, so the most common typing slips (O for 0, I for 1) can be
named precisely.
"""

from __future__ import annotations

import unicodedata

from assistant.store.errors import InvalidCreditCode

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {c: i for i, c in enumerate(CHARSET)}
_FORBIDDEN = set("IOSVZ")


def normalize(raw: str) -> str:
    """Full-width to half-width, upper case, spaces and dashes removed."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in text.upper() if not ch.isspace() and ch not in "-_")


def check_char(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters."""
    if len(first17) != 17 or any(c not in _VALUE for c in first17):
        raise InvalidCreditCode("计算校验位需要17位合法字符")
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def validate(raw: str) -> str:
    """Return the normalised code or raise ``InvalidCreditCode`` saying exactly what is wrong."""
    code = normalize(raw)
    if not code:
        raise InvalidCreditCode("请填写统一社会信用代码")
    if len(code) != 18:
        raise InvalidCreditCode(f"统一社会信用代码应为18位，您输入的是{len(code)}位")
    bad = [c for c in code if c not in _VALUE]
    if bad:
        forbidden = sorted({c for c in bad if c in _FORBIDDEN})
        if forbidden:
            raise InvalidCreditCode(
                f"统一社会信用代码不使用字母 {'、'.join(forbidden)}（I、O、S、V、Z 均不使用），请核对是否把数字 0 或 1 输成了字母"
            )
        raise InvalidCreditCode(f"统一社会信用代码含有非法字符：{''.join(sorted(set(bad)))}")
    if not code[2:8].isdigit():
        raise InvalidCreditCode("统一社会信用代码第3至8位应为行政区划代码（6位数字）")
    if check_char(code[:17]) != code[17]:
        raise InvalidCreditCode("统一社会信用代码校验位不正确，请核对是否有输错的字符")
    return code


def is_valid(raw: str) -> bool:
    try:
        validate(raw)
    except InvalidCreditCode:
        return False
    return True


def looks_like_code(raw: str) -> bool:
    """True when the text is meant as a code rather than a name (mostly ASCII letters/digits, 15+ chars)."""
    text = normalize(raw)
    return len(text) >= 15 and all(c.isascii() and c.isalnum() for c in text)
