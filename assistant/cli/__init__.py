"""The ``zhijian`` console command.

Each group of subcommands lives in its own module and registers itself on
``app``; this module only wires them together.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="zhijian",
    help="质监助手：规范条文检索、问答与监督业务办理。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    # Imported for their side effect of adding commands to ``app``.
    import importlib

    for mod in ("corpus_cmds", "index_cmds", "store_cmds", "assistant_cmds", "serve_cmds", "eval_cmds", "bot_cmds"):
        try:
            importlib.import_module(f"assistant.cli.{mod}")
        except ModuleNotFoundError as exc:  # a group not written yet
            if exc.name != f"assistant.cli.{mod}":
                raise


_register()


def main() -> None:
    app()
