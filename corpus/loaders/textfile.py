"""Plain text and Markdown, in whatever encoding Chinese files come in."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from charset_normalizer import from_bytes

from corpus.errors import IngestError, yaml_problem
from corpus.lines import Line, RawText, Role
from corpus.tables import PIPE_ROW, PIPE_RULE, markup_table_lines, pipe_table_lines

_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_TABLE_OPEN = re.compile(r"^<table[\s>]", re.I)
_MD_NOISE = re.compile(r"^\s*(?:!\[.*?\]\(.*?\)|<!--.*?-->|```.*|---+|\*\*\*+)\s*$")


def decode_bytes(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), GB18030/GBK or UTF-16; refuse binary noise."""
    if not data.strip():
        raise IngestError("文件为空")
    # Mostly UTF-8 with a stray bad byte or a cut-off last character: keep the text, mark the damage.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        loose = data.decode("utf-8-sig", errors="replace")
        if loose.count("\ufffd") <= max(6, len(loose) // 500) and _looks_like_text(loose.replace("\ufffd", "")):
            return loose
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text
    best = from_bytes(data).best()
    if best is not None:
        text = str(best)
        if _looks_like_text(text):
            return text
    raise IngestError("无法识别文件编码，或不是文本文件")


def _looks_like_text(text: str) -> bool:
    if not text:
        return False
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\r\n\f") or ch == "\ufffd")
    return bad / len(text) < 0.01


def split_front_matter(text: str) -> tuple[dict, str]:
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        raise IngestError(f"文件头部的元数据有误：{yaml_problem(exc)}") from exc
    if not isinstance(meta, dict):
        raise IngestError("文件头部的 YAML 元数据应为键值对")
    return meta, text[m.end():]


def text_to_lines(text: str, markdown: bool) -> list[Line]:
    """Lines of a text or Markdown file; tables (raw HTML ``<table>``, Markdown pipe tables) become table rows."""
    lines: list[Line] = []
    gap = False
    raws = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    while i < len(raws):
        s = raws[i].strip().replace("\u3000", " ")
        i += 1
        if not s:
            gap = True
            continue
        if _TABLE_OPEN.match(s):
            end = next((j for j in range(i - 1, min(len(raws), i + 2000)) if "</table>" in raws[j].lower()), None)
            rows = markup_table_lines("\n".join(raws[i - 1 : end + 1]), lines) if end is not None else []
            if rows:
                lines.extend(rows)
                i, gap = end + 1, False
                continue
        if markdown and PIPE_ROW.match(s) and i < len(raws) and PIPE_RULE.match(raws[i].strip()):
            block = [s]
            while i < len(raws) and (PIPE_ROW.match(raws[i].strip()) or PIPE_RULE.match(raws[i].strip())):
                block.append(raws[i].strip())
                i += 1
            lines.extend(pipe_table_lines(block, lines))
            gap = False
            continue
        role = Role.text
        if markdown:
            if _MD_NOISE.match(s):
                continue
            h = _MD_HEADING.match(s)
            if h:
                s, role = h.group(2), Role.heading
            s = re.sub(r"\*\*(.+?)\*\*", r"\1", s)
            s = re.sub(r"^[-*+]\s+", "", s) if role is Role.text else s
        lines.append(Line(s, role=role, gap_before=gap))
        gap = False
    return lines


def load_text(path: Path) -> RawText:
    text = decode_bytes(path.read_bytes())
    meta, body = split_front_matter(text)
    markdown = path.suffix.lower() in {".md", ".markdown"}
    lines = text_to_lines(body, markdown)
    head = "\n".join(ln.text for ln in lines[:40])
    return RawText(lines=lines, meta=meta, fmt="markdown" if markdown else "text", first_page_text=head)
