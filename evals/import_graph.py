"""The project's import graph between top-level packages, read from the source (every import, lazy ones too).

``python -m evals.import_graph`` prints each edge with how many imports make it
and where the first one is, then the layering rules of DESIGN.md and whether
they hold; it exits 1 when one is broken. ``tests/test_layering.py`` checks the same rules.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("corpus", "index", "assistant", "api", "bots", "evals", "tests")


@dataclass(frozen=True)
class Import:
    source: str  # file, relative to the repository
    line: int
    module: str  # the imported module, absolute


def _package_files(pkg: str) -> list[Path]:
    return sorted(p for p in (ROOT / pkg).rglob("*.py") if "__pycache__" not in p.parts)


def imports_of(path: Path) -> list[Import]:
    rel = path.relative_to(ROOT).as_posix()
    module_parts = list(path.relative_to(ROOT).with_suffix("").parts)
    out: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=rel)):
        if isinstance(node, ast.Import):
            out += [Import(rel, node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this file's package
                base = module_parts[: len(module_parts) - node.level]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            # 'from assistant.store import bookings' imports the module assistant.store.bookings
            out += [Import(rel, node.lineno, f"{name}.{a.name}" if name else a.name) for a in node.names]
    return out


def graph() -> dict[tuple[str, str], list[Import]]:
    """(from package, to package) -> the imports that make that edge (third-party imports left out)."""
    edges: dict[tuple[str, str], list[Import]] = defaultdict(list)
    for pkg in PACKAGES:
        for path in _package_files(pkg):
            for imp in imports_of(path):
                top = imp.module.split(".")[0]
                if top in PACKAGES and top != pkg:
                    edges[(pkg, top)].append(imp)
    return dict(edges)


# (importing package, forbidden module prefix, why)
RULES: list[tuple[str, str, str]] = [
    *[(low, high, "data flows corpus -> index -> assistant -> api/bots")
      for low, highs in (("corpus", ("index", "assistant", "api", "bots", "evals")),
                         ("index", ("assistant", "api", "bots", "evals")),
                         ("assistant", ("api", "bots", "evals")))
      for high in highs],
    *[(chan, mod, "channels use the assistant's typed use-cases only")
      for chan in ("api", "bots")
      for mod in ("index", "corpus", "evals", "sqlalchemy", "assistant.store.db", "assistant.store.bookings",
                  "assistant.store.booking_views", "assistant.store.visits", "assistant.store.rectifications",
                  "assistant.store.credit", "assistant.store.accounts", "assistant.store.projects",
                  "assistant.store.migrate", "assistant.store.inspections", "assistant.store.notice_loop",
                  "assistant.store.credit_drafts", "assistant.store.cases", "assistant.store.spot_checks",
                  "assistant.store.timeline", "assistant.store.measurements", "assistant.store.tolerances",
                  "assistant.answering.service")],
    *[(pkg, "tests", "shipped packages never depend on test code")
      for pkg in ("corpus", "index", "assistant", "api", "bots", "evals")],
]


def violations() -> list[tuple[Import, str]]:
    found = []
    for pkg, prefix, why in RULES:
        for path in _package_files(pkg):
            for imp in imports_of(path):
                if imp.module == prefix or imp.module.startswith(prefix + "."):
                    found.append((imp, why))
    return found


def main() -> int:
    for (a, b), imps in sorted(graph().items()):
        first = imps[0]
        print(f"{a:>9} -> {b:<9} {len(imps):>4} imports   e.g. {first.source}:{first.line} ({first.module})")
    bad = violations()
    print()
    if not bad:
        print(f"layering: all {len(RULES)} rules hold")
        return 0
    for imp, why in bad:
        print(f"VIOLATION {imp.source}:{imp.line} imports {imp.module} — {why}")
    print(f"layering: {len(bad)} violations")
    return 1


if __name__ == "__main__":
    sys.exit(main())
