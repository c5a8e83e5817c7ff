"""The ``zhijian`` console command: the composition root of the command line.

The core's own groups (library, index, store, conversations) live in this
package. Channels and tools above the core — ``serve`` (api), ``bot`` and
``wecom`` (bots), ``eval`` (evals) — add their commands through the
``zhijian.commands`` entry-point group declared in pyproject.toml, so
``assistant`` never imports the packages that depend on it.
"""

from __future__ import annotations

import importlib
import logging
from importlib.metadata import entry_points

import typer

app = typer.Typer(
    name="zhijian",
    help="质监助手：规范条文检索、问答与监督业务办理。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

COMMAND_GROUP = "zhijian.commands"
_CORE = ("corpus_cmds", "index_cmds", "store_cmds", "inspection_cmds", "token_cmds", "binding_cmds",
         "notification_cmds", "assistant_cmds")
log = logging.getLogger(__name__)


def _register() -> None:
    for mod in _CORE:  # imported for their side effect of adding commands to ``app``
        importlib.import_module(f"assistant.cli.{mod}")
    for ep in sorted(entry_points(group=COMMAND_GROUP), key=lambda e: e.name):
        try:
            register = ep.load()
        except ImportError as exc:  # an optional channel whose dependencies are not installed
            log.debug("command %s not available: %s", ep.name, exc)
            continue
        register(app)


_register()


def watch_parent() -> None:
    """A background job's worker ends when the server that started it is gone (no orphans after kill -9).

    Everything it writes is atomic (one library file at a time, the index by publishing a new version),
    so stopping midway loses nothing; the next ingest, sync or server start completes the index.
    """
    import os
    import threading
    import time

    parent = os.environ.get("ZHIJIAN_JOB_PARENT_PID", "")
    if not parent.isdecimal():
        return

    def watch() -> None:
        while os.getppid() == int(parent):
            time.sleep(1.0)
        os._exit(3)

    threading.Thread(target=watch, name="zhijian-parent-watch", daemon=True).start()


# Libraries that log in English about things an operator cannot act on; shown with ZHIJIAN_LOG_LEVEL=DEBUG.
_QUIET_LIBRARIES = ("pypdf", "bm25s", "faiss", "httpx", "httpcore", "jieba", "filelock", "PIL", "urllib3",
                    "multipart", "onnxruntime", "rapidocr", "RapidOCR", "alembic", "sentence_transformers")


def configure_logging() -> None:
    """One line per record (time, level, logger, message); our own messages are Chinese, and third-party
    libraries are quiet below ERROR unless ZHIJIAN_LOG_LEVEL=DEBUG asks for everything."""
    import os

    level = os.environ.get("ZHIJIAN_LOG_LEVEL", "WARNING").upper()
    logging.basicConfig(level=level if level in logging.getLevelNamesMapping() else "WARNING",
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if level != "DEBUG":
        for name in _QUIET_LIBRARIES:
            logging.getLogger(name).setLevel(logging.ERROR)


def main() -> None:
    """Run ``zhijian``; a failure the operator can fix is one Chinese line and exit code 1, not a traceback."""
    import sys

    from assistant.cli.failures import explain
    from assistant.config import get_settings

    configure_logging()
    watch_parent()
    try:
        app()
    except Exception as exc:  # noqa: BLE001 - explained below or re-raised
        try:
            line = explain(exc, get_settings())
        except Exception:  # noqa: BLE001 - e.g. the settings themselves are broken
            line = None
        if line is None:
            raise
        log.debug("command failed", exc_info=exc)
        print(f"错误：{line}", file=sys.stderr)
        sys.exit(1)
