"""Typed contact names keep every character of the name; only the lead-in words around it go."""

import pytest

from assistant.conversation.slots import find_contact


@pytest.mark.parametrize(
    ("text", "name"),
    [("李为民", "李为民"), ("是孙七", "孙七"), ("我叫王五", "王五"), ("示例建工联系人", "示例建工联系人"),
     ("联系人：赵六", "赵六"), ("张三 13800001234", "张三")],
)
def test_bare_contact_name(text: str, name: str) -> None:
    assert find_contact(text, bare=True) == name


def test_contact_in_a_sentence() -> None:
    assert find_contact("联系人是李为民，电话13800001234") == "李为民"
