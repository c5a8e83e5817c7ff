"""HTML and reStructuredText-with-raw-HTML (Sphinx projects) -> lines.

Standards published as web pages or Sphinx sites carry CSS, scripts, comments
and presentational markup; only the text of block elements becomes lines.
List items and table rows keep their roles so numbers inside them are never
mistaken for clause numbers.
"""

from __future__ import annotations

import html as htmlmod
import re
from pathlib import Path

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from corpus.errors import IngestError
from corpus.lines import Line, RawText, Role
from corpus.loaders.textfile import decode_bytes
from corpus.tables import table_lines

_DROP_TAGS = (
    "script", "style", "head", "noscript", "template", "svg", "math", "title", "meta", "link", "iframe",
    "button", "input", "textarea", "select", "form", "dialog", "img",
)
# Widgets and collapsed panels (hidden comment threads, pop-ups) are page furniture, not text.
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_BLOCK = {
    "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "blockquote", "pre",
    "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "tr", "dl", "dt", "dd", "br", "hr",
    "body", "html", "center", "form", "figure", "figcaption", "caption", "thead", "tbody", "tfoot",
}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
# Stylesheet or script text that escaped its tag (broken markup in the wild).
_CODE_LINE = re.compile(
    r"^(?:[#.@]?[\w\-\s,#.:>*\[\]=\"']+\{[^}]*\}?|[\w\-]+\s*:\s*[^;:]{1,80};\s*\}?|\}|\{|"
    r"(?:var|let|const|function|document\.|window\.)\b.*|<!--.*|-->)$"
)


_NOISE_LINE = re.compile(r"^(?:[\\\s]+|html|\$+)$")


def _clean(text: str) -> str:
    text = htmlmod.unescape(text).replace("\u3000", " ").replace("\xa0", " ").replace("\u2003", " ")
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


class _Walker:
    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.buf: list[str] = []
        self.role = Role.text

    def flush(self) -> None:
        text = _clean("".join(self.buf))
        self.buf = []
        repeated_heading = (
            self.role is Role.heading and bool(self.lines) and self.lines[-1].role is Role.heading
            and self.lines[-1].text == text
        )
        if text and not _CODE_LINE.match(text) and not _NOISE_LINE.match(text) and not repeated_heading:
            self.lines.append(Line(text, role=self.role))
        self.role = Role.text

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                self.buf.append(str(child))
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name.lower()
            if name in _DROP_TAGS:
                continue
            if name == "table":
                self.flush()
                self.table(child)
                continue
            if name in _BLOCK:
                self.flush()
                if name in _HEADINGS:
                    self.role = Role.heading
                elif name == "li":
                    self.role = Role.item
                    self.buf.append(self.li_number(child))
                self.walk(child)
                self.flush()
            else:
                self.walk(child)

    @staticmethod
    def li_number(li: Tag) -> str:
        parent = li.parent
        if parent is None or parent.name != "ol":
            return ""
        siblings = [c for c in parent.find_all("li", recursive=False)]
        try:
            idx = next(i for i, c in enumerate(siblings) if c is li)
        except StopIteration:
            return ""
        start = int(parent.get("start", 1)) if str(parent.get("start", "1")).isdecimal() else 1
        return f"{start + idx} "

    def table(self, table: Tag) -> None:
        self.lines.extend(table_lines(table, self.lines))


def html_to_lines(markup: str) -> list[Line]:
    markup = re.sub(r"<!DOCTYPE[^>]*>", "", markup, flags=re.I)
    soup = BeautifulSoup(markup, "lxml")
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for c in soup.find_all(string=lambda s: isinstance(s, Comment)):
        c.extract()
    for tag in soup.find_all(style=_HIDDEN):
        tag.decompose()
    for tag in soup.find_all(hidden=True):
        tag.decompose()
    w = _Walker()
    w.walk(soup)
    w.flush()
    return w.lines


def load_html(path: Path) -> RawText:
    text = decode_bytes(path.read_bytes())
    lines = html_to_lines(text)
    return RawText(lines=lines, fmt="html", first_page_text="\n".join(ln.text for ln in lines[:40]))


# ---------------------------------------------------------------------------
# reStructuredText with raw HTML (Sphinx)
# ---------------------------------------------------------------------------

_UNDERLINE = re.compile(r"^\s*([=\-~^\"'`#*+_])\1{2,}\s*$")
_DIRECTIVE = re.compile(r"^\s*\.\.\s+([\w:-]+)::(.*)$")
_COMMENT = re.compile(r"^\s*\.\.(?:\s|$)")
_SUBST_DEF = re.compile(r"^\s*\.\.\s+\|[^|]+\|\s+\w+::")


def rst_to_html(text: str) -> str:
    """Turn Sphinx source into one HTML string: headings -> <h2>, prose -> <p>, raw html kept as is."""
    out: list[str] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        d = _DIRECTIVE.match(line)
        if d or _SUBST_DEF.match(line) or _COMMENT.match(line):
            name = d.group(1).lower() if d else ""
            base = len(line) - len(line.lstrip())
            i += 1
            block: list[str] = []
            while i < n and (not lines[i].strip() or (len(lines[i]) - len(lines[i].lstrip())) > base):
                block.append(lines[i])
                i += 1
            if name == "raw":
                out.append("\n".join(block))
            elif name in {"math"}:
                out.append(f"<p>{htmlmod.escape(' '.join(b.strip() for b in block if b.strip()))}</p>")
            # toctree, image, figure, comments, substitutions, options: dropped
            continue
        if i + 1 < n and _UNDERLINE.match(lines[i + 1]) and line.strip() and not _UNDERLINE.match(line):
            out.append(f"<h2>{htmlmod.escape(line.strip())}</h2>")
            i += 2
            continue
        if _UNDERLINE.match(line):
            i += 1
            continue
        s = line.strip()
        if s:
            if s.startswith("<") or s.endswith(">"):
                out.append(line)  # stray HTML outside a raw block still parses as HTML
            else:
                s = re.sub(r":\w+:`([^`]*)`", r"\1", s)  # :math:`x` -> x
                s = re.sub(r"\|[\w\-]+\|", "", s)  # |image12| substitutions
                out.append(f"<p>{htmlmod.escape(s)}</p>")
        i += 1
    return "\n".join(out)


def load_rst(path: Path) -> RawText:
    text = decode_bytes(path.read_bytes())
    lines = html_to_lines(rst_to_html(text))
    return RawText(lines=lines, fmt="rst", first_page_text="\n".join(ln.text for ln in lines[:40]))


_TOCTREE = re.compile(r"^\.\.\s+toctree::")


def toctree_order(index_rst: Path) -> list[str]:
    """Document names listed in index.rst's toctree(s), in order."""
    names: list[str] = []
    lines = decode_bytes(index_rst.read_bytes()).splitlines()
    i = 0
    while i < len(lines):
        if _TOCTREE.match(lines[i].strip()):
            i += 1
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith((" ", "\t"))):
                s = lines[i].strip()
                if s and not s.startswith(":"):
                    names.append(s)
                i += 1
            continue
        i += 1
    return names


def is_sphinx_project(folder: Path) -> bool:
    idx = folder / "index.rst"
    return idx.is_file() and bool(toctree_order(idx))


def load_sphinx(folder: Path) -> RawText:
    """A Sphinx project is one document: its files concatenated in (nested) toctree order."""
    index = folder / "index.rst"
    lines = load_rst(index).lines
    cover = "\n".join(ln.text for ln in lines)
    seen = {index.resolve()}

    def visit(rst: Path) -> None:
        for name in toctree_order(rst):
            p = (rst.parent / f"{name}.rst").resolve()
            if p in seen or not p.is_file():
                continue
            seen.add(p)
            try:
                part = load_rst(p).lines
            except IngestError:
                continue
            if part:
                part[0].gap_before = True
            lines.extend(part)
            visit(p)

    visit(index)
    if not lines:
        raise IngestError("Sphinx 项目中没有可读取的内容")
    return RawText(lines=lines, fmt="rst", first_page_text=cover)
