"""What is in force on a given day: statuses, replaced editions and revised wordings, kept in the library.

The library stores each standard with the day it takes effect, the editions it
replaces (代替) and its revision notices. ``bring_up_to_date`` writes what that
means on the station's today into the documents themselves — 即将实施 becomes
现行 on its date, an edition in force retires the ones it replaces (废止, 被…代替),
a revised clause's ``text`` becomes the wording in force — so every reader (the
index, clause views, ``zhijian docs``) sees one consistent state. The next day
anything switches is kept in ``schedule.json``; ``switch_due`` compares it with
today, cheaply, so index status and the server notice a switch that fell due.

The day is always passed in (the station's clock and time zone live in the
assistant's settings); nothing here reads the wall clock.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from corpus.library import Library
from corpus.models import DocStatus, Document
from corpus.revisions import materialize, pending_dates

SCHEDULE = "schedule.json"


@dataclass
class Refresh:
    """What ``bring_up_to_date`` changed, in Chinese lines for the operator."""

    day: date
    changed: list[str] = field(default_factory=list)  # codes written back
    lines: list[str] = field(default_factory=list)
    next_switch: date | None = None


def status_on(doc: Document, day: date) -> DocStatus:
    """现行 / 即将实施 by the effective date (as stated when there is none); a withdrawal stays."""
    if doc.status is DocStatus.withdrawn:
        return DocStatus.withdrawn
    if doc.effective_date is None:  # no date to go by: as stated
        return doc.status
    return DocStatus.upcoming if doc.effective_date > day else DocStatus.current


def bring_up_to_date(library: Library, day: date) -> Refresh:
    """Write the state in force on ``day`` into the library; returns what changed (nothing when already so).

    Takes the library's write lock itself: do not call it while holding ``library.writing()``.
    """
    out = Refresh(day)
    with library.writing():
        docs = {d.code: d for d in library.documents()}
        dirty: set[str] = set()
        for d in docs.values():
            if d.status is DocStatus.upcoming and status_on(d, day) is DocStatus.current:
                d.status = DocStatus.current
                dirty.add(d.code)
                out.lines.append(f"{d.code}《{d.title}》自 {d.effective_date} 起实施，状态改为现行")
            before = {c.clause_no: c.text for c in d.clauses if c.versions}
            if materialize(d, day):
                dirty.add(d.code)
                switched = [no for no, text in before.items() if d.find(no) and d.find(no).text != text]
                if switched:
                    out.lines.append(f"{d.code} 第{'、'.join(switched[:5])}条{'等' if len(switched) > 5 else ''}"
                                     f"的修订自今日起施行（已按修订后的条文检索和引用）")
        for d in docs.values():
            if status_on(d, day) is not DocStatus.current:
                continue
            for old_code in d.replaces:
                old = docs.get(old_code)
                if old is None or old.code == d.code or old.status is DocStatus.withdrawn:
                    continue
                old.status, old.superseded_by = DocStatus.withdrawn, d.code
                dirty.add(old.code)
                out.lines.append(f"{old.code}《{old.title}》已被 {d.code} 代替，已标记为废止")
        for code in sorted(dirty):
            library.put(docs[code])
        out.changed = sorted(dirty)
        upcoming = [x for d in docs.values() if d.status is not DocStatus.withdrawn for x in pending_dates(d, day)]
        out.next_switch = min(upcoming) if upcoming else None
        _write_schedule(library.root, day, out.next_switch)
    return out


def replacement_note(doc: Document, library: Library) -> str:
    """'即将实施（2026-09-01起），届时代替 GB X' for an edition not yet in force that replaces one in the library."""
    if doc.status is not DocStatus.upcoming or not doc.replaces:
        return ""
    held = [c for c in doc.replaces if library.get(c) is not None]
    when = f"（{doc.effective_date} 起）" if doc.effective_date else ""
    return f"即将实施{when}" + (f"，届时代替 {'、'.join(held)}；在此之前 {'、'.join(held)} 仍为现行" if held else "")


def next_switch(library_root: Path) -> date | None:
    """The next day something switches, as of the last ``bring_up_to_date`` (None: nothing pending or never run)."""
    try:
        data = json.loads((Path(library_root) / SCHEDULE).read_text("utf-8"))
        return date.fromisoformat(data["next_switch"]) if data.get("next_switch") else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def switch_due(library_root: Path, day: date) -> date | None:
    """The switch day that has come by ``day`` and is not yet written into the library, else None."""
    nxt = next_switch(library_root)
    return nxt if nxt is not None and nxt <= day else None


def _write_schedule(root: Path, day: date, nxt: date | None) -> None:
    root.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"as_of": day.isoformat(), "next_switch": nxt.isoformat() if nxt else None})
    fd, tmp = tempfile.mkstemp(dir=root, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(data)
        os.replace(tmp, root / SCHEDULE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
