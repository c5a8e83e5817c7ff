"""Unified social credit codes (GB 32100-2015)."""

from __future__ import annotations

import pytest

from assistant.store import uscc
from assistant.store.errors import InvalidCreditCode

# Codes of well-known companies, as published in their business registrations.
PUBLIC_CODES = ["914403001922038216", "91440300708461136T", "91330100716105852F", "91110000100001043E"]


@pytest.mark.parametrize("code", PUBLIC_CODES)
def test_published_codes_validate(code):
    assert uscc.validate(code) == code
    assert uscc.check_char(code[:17]) == code[17]


def test_check_character_by_hand():
    # 9 1 3 5 0 1 0 0 M A 0 0 0 0 0 0 1 with weights 1,3,9,…: sum = 9+3+27+135+0+26+0+0+420+290+0+…+28
    first17 = "91350100MA0000001"
    values = [uscc.CHARSET.index(c) for c in first17]
    total = sum(v * w for v, w in zip(values, uscc.WEIGHTS, strict=True))
    assert uscc.check_char(first17) == uscc.CHARSET[(31 - total % 31) % 31]


@pytest.mark.parametrize("code", PUBLIC_CODES)
def test_every_single_character_slip_is_caught(code):
    for pos in range(18):
        for c in uscc.CHARSET:
            if c == code[pos]:
                continue
            bad = code[:pos] + c + code[pos + 1 :]
            if pos in range(2, 8) and not c.isdigit():
                continue  # caught by the region rule instead; checked below
            with pytest.raises(InvalidCreditCode, match="校验位不正确"):
                uscc.validate(bad)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "请填写统一社会信用代码"),
        ("91440300708461136", "应为18位，您输入的是17位"),
        ("91440300708461136TX", "应为18位，您输入的是19位"),
        ("9144030O708461136T", "不使用字母 O"),
        ("91440300708461I36T", "不使用字母 I"),
        ("914403007084611#6T", "含有非法字符：#"),
        ("9144A300708461136T", "第3至8位应为行政区划代码"),
        ("91440300708461136A", "校验位不正确"),
    ],
)
def test_specific_messages(raw, fragment):
    with pytest.raises(InvalidCreditCode) as info:
        uscc.validate(raw)
    assert fragment in info.value.message


def test_normalisation_of_what_people_type():
    assert uscc.validate(" 9144 0300 7084 6113 6t ") == "91440300708461136T"
    assert uscc.validate("９１４４０３００７０８４６１１３６Ｔ") == "91440300708461136T"  # full-width
    assert uscc.looks_like_code("91440300708461136T") and not uscc.looks_like_code("示例建工")
