"""Which words name a standard, and what is left of a query once its reference is taken out (no index needed)."""

from __future__ import annotations

import pytest

from assistant.lookup import named_standard, remainder

HELD = {"ZJ/T 101-2025": "混凝土工程施工质量要点（示例）", "ZJ-CASE-2025": "工程质量问题案例选编（示例）"}


@pytest.mark.parametrize("text,named", [
    ("GB55032 3.3.5", "GB55032"),
    ("gb 50204-2002 混凝土养护", "gb 50204-2002"),
    ("GB/T 50502 施工组织设计", "GB/T 50502"),
    ("JGJ18 钢筋焊接", "JGJ18"),
    ("DB33/T 1001 地方标准", "DB33/T 1001"),
    ("T/CECS 02 团体标准", "T/CECS 02"),
    ("ZJ/T 999 示例", "ZJ/T 999"),  # a prefix the library itself uses
    # Steel grades, pipe sizes, plastics and concrete grades look like codes but are not standards.
    ("HRB400 钢筋连接", None),
    ("DN100 管道试压", None),
    ("PE100 给水管", None),
    ("C30 混凝土强度", None),
    ("Q235 钢材", None),
])
def test_named_standard(text: str, named: str | None) -> None:
    assert named_standard(text, HELD) == named


@pytest.mark.parametrize("text,parts,rest", [
    ("GB55032 3.3.5", ("GB55032", "3.3.5"), ""),
    ("GB55032 第3.3.5条", ("GB55032", "3.3.5"), ""),
    ("GB55032 第3.3.5条 混凝土养护", ("GB55032", "3.3.5"), "混凝土养护"),
    ("GB 50204 的 养护", ("GB 50204",), "养护"),  # two characters are enough
    ("GB 50204 的 护", ("GB 50204",), ""),  # one is not
])
def test_remainder(text: str, parts: tuple[str, ...], rest: str) -> None:
    assert remainder(text, *parts) == rest
