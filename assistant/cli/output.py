"""Output helpers every command group shares."""

from __future__ import annotations

import json
from typing import Any

import typer
from pydantic import BaseModel


def dump(obj: Any) -> Any:
    """Pydantic models (also inside a list) as JSON-ready data; anything else as it is."""
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if isinstance(obj, list):
        return [dump(x) for x in obj]
    return obj


def echo_json(obj: Any, *, indent: int | None = 2) -> None:
    """The ``--json`` output of a read command: UTF-8 Chinese kept readable."""
    typer.echo(json.dumps(dump(obj), ensure_ascii=False, indent=indent, default=str))
