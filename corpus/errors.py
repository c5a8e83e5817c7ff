"""Errors raised by ingestion; ``message`` is the Chinese text a user sees."""

from __future__ import annotations

import yaml


class IngestError(Exception):
    """A file that cannot be ingested. ``reason`` is a short Chinese explanation."""

    def __init__(self, reason: str, path: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = path

    @property
    def message(self) -> str:
        return f"{self.path}：{self.reason}" if self.path else self.reason


def yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML error said in Chinese, with where it is: the library's own words are English."""
    mark = getattr(exc, "problem_mark", None)
    where = f"第{mark.line + 1}行第{mark.column + 1}列附近" if mark is not None else ""
    if isinstance(exc, yaml.constructor.ConstructorError):
        return f"YAML 中有不允许的标记（如 !!python/…）{where}，出于安全原因不予读取"
    if isinstance(exc, yaml.scanner.ScannerError | yaml.parser.ParserError):
        return f"YAML 格式错误：{where or '某处'}的括号、引号、冒号或缩进不匹配"
    return f"YAML 格式错误{('：' + where) if where else ''}"
