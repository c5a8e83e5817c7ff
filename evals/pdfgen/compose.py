"""Composition: a spec laid out on pages of positioned text runs, independent of the PDF writer."""

from __future__ import annotations

import re
from collections.abc import Callable

from evals.pdfgen.front import FrontMatter, _balanced, _cn_date
from evals.pdfgen.layout import FOOTERS, ROMAN, Layout, Page, Run, _width, wrap
from evals.pdfgen.spec import ClauseSpec, CommentarySpec, StandardSpec, TableSpec


class Composer(FrontMatter):
    """Lays a spec out on pages; page numbers and the table of contents come from a first pass."""

    def __init__(self, spec: StandardSpec, layout: Layout, toc_pages: dict[str, int] | None = None) -> None:
        self.s, self.L = spec, layout
        self.W, self.H = layout.page
        self.ml, self.mr, self.mt, self.mb = layout.margins
        self.size = layout.size
        self.lh = layout.size * 1.75
        self.pages: list[Page] = []
        self.y = 0.0
        self.toc_in = toc_pages or {}
        self.toc_out: dict[str, int] = {}
        self.cpages: dict[str, list[int]] = {}
        self.cmt_pages: dict[str, list[int]] = {}
        self._cur: dict[str, list[int]] | None = None
        self._cur_key = ""
        self._title_page: Page | None = None

    # -- page mechanics --------------------------------------------------
    @property
    def width(self) -> float:
        return self.W - self.ml - self.mr

    def new_page(self, kind: str) -> None:
        self.pages.append(Page(kind))
        self.y = self.H - self.mt

    def _note_page(self) -> None:
        if self._cur is not None:
            lst = self._cur.setdefault(self._cur_key, [])
            if len(self.pages) not in lst:
                lst.append(len(self.pages))

    def need(self, h: float) -> None:
        if self.y - h < self.mb:
            kind = self.pages[-1].kind
            self.new_page("cmt" if kind == "cmt_title" else kind)

    def put(self, x: float, text: str, font: str = "song", size: float | None = None, **kw) -> None:
        self.pages[-1].runs.append(Run(x, self.y, text, font, size or self.size, **kw))

    def center(self, text: str, size: float, font: str = "song") -> None:
        self.put((self.W - _width(text, font, size)) / 2, text, font, size)

    def measure(self, size: float | None = None) -> Callable[[str], float]:
        sz = size or self.size
        return lambda t: _width(t, "song", sz)

    # -- text blocks -----------------------------------------------------
    def paragraph(self, text: str, prefix: str = "", indent_first: float = 0.0, indent_rest: float = 0.0,
                  fake_bold: bool = False) -> None:
        """A paragraph; ``prefix`` (clause number / item label) is drawn as its own run."""
        if prefix and self.L.joined_number:
            text, prefix = f"{prefix}\u3000{text}", ""
        gap = self.size  # one em between number and text, as standards print it
        pw = (_width(prefix, self.number_font(prefix), self.size) + gap) if prefix else 0.0
        lines = wrap(text, self.width - indent_first - pw, self.width - indent_rest, self.measure(),
                     self.L.adversarial) or [""]
        for i, line in enumerate(lines):
            self.need(self.lh)
            self.y -= self.lh
            self._note_page()
            x = self.ml + (indent_first if i == 0 else indent_rest)
            avail = self.width - (indent_first if i == 0 else indent_rest)
            if i == 0 and prefix:
                self.put(x, prefix, self.number_font(prefix), fake_bold=fake_bold)
                x += pw
                avail -= pw
            cs = 0.0
            if self.L.justify and i < len(lines) - 1 and len(line) > 1:
                cs = max(0.0, (avail - _width(line, "song", self.size)) / (len(line) - 1))
            self.put(x, line, "song", char_space=cs, fake_bold=fake_bold)

    def number_font(self, prefix: str) -> str:
        if self.L.number_font == "bold" and re.fullmatch(r"[A-Z0-9.]+", prefix):
            return "bold"
        return "song"

    def heading(self, text: str, size: float, before: float, after: float, toc_key: str | None = None) -> None:
        self.need(before + size * 1.5 + after + self.lh * 2)  # keep a heading with its first line
        self.y -= before + size
        self.center(text, size)
        self.y -= after
        if toc_key:
            self.toc_out[toc_key] = len(self.pages)  # physical; turned into printed by number_pages

    # -- parts -----------------------------------------------------------
    def compose(self) -> list[Page]:
        self.cover()
        if self.L.title_page:
            self.title_page()
        if self.L.notice_page:
            self.notice()
        self.preface()
        self.toc()
        self.body()
        self.closing()
        if self.s.commentary:
            self.commentary_part()
        self.number_pages()
        return self.pages

    def clause(self, c: ClauseSpec, store: dict[str, list[int]], key: str, label: str | None = None) -> None:
        self._cur, self._cur_key = store, key
        bold = self.s.mandatory is not None and c.no in (self.s.mandatory or []) and self.L.producer == "reportlab"
        self.paragraph(c.text, prefix=label or c.no, fake_bold=bold)
        for b in c.blocks:
            if b.label:
                ind = 2 * self.size if not b.label.endswith("）") else 3 * self.size
                self.paragraph(b.text, prefix=b.label, indent_first=ind, indent_rest=ind, fake_bold=bold)
            else:
                self.paragraph(b.text, indent_first=2 * self.size)
        self._cur = None
        if c.table:
            self.table(c.table)

    def table(self, t: TableSpec) -> None:
        if self.L.table_style == "three_line":
            self.three_line_table(t)
            return
        size = self.size - 1
        lh = size * 1.35
        ncol = max(len(r) for r in t.rows)
        cw = self.width / ncol
        cells = [[wrap(c, cw - size, cw - size, lambda x: _width(x, "song", size), False) or [""] for c in r]
                 for r in t.rows]
        heights = [max(2.0 * self.size, max(len(c) for c in r) * lh + size) for r in cells]
        self.need(min(sum(heights) + self.lh * 2, self.H - self.mt - self.mb - self.lh))
        self.y -= self.lh
        self.center(t.caption, self.size)
        top = self.y - 6
        self.y = top
        for ri, row in enumerate(cells):
            rh = heights[ri]
            self.pages[-1].rules.append((self.ml, self.y, self.W - self.mr, self.y, "b"))
            lines_max = max(len(c) for c in row)
            for i, lines in enumerate(row):
                for li, text in enumerate(lines):
                    x = self.ml + i * cw + (cw - _width(text, "song", size)) / 2
                    base = self.y - rh + 7 if lines_max == 1 else self.y - size * 0.5 - (li + 1) * lh + size * 0.35
                    self.pages[-1].runs.append(Run(x, base, text, "song", size))
            self.y -= rh
        self.pages[-1].rules.append((self.ml, self.y, self.W - self.mr, self.y, "b"))
        for i in range(ncol + 1):
            x = self.ml + i * cw
            self.pages[-1].rules.append((x, top, x, self.y, "b"))
        for n in t.notes:
            self.paragraph(n, indent_first=self.size, indent_rest=3 * self.size)
        self.y -= 4

    def three_line_table(self, t: TableSpec) -> None:
        """A 三线表: rules above, under the header and below only; columns as wide as their text, long cells
        wrapped (top-aligned) when the table would be wider than the measure; the first column left-aligned."""
        size = self.size - 1.5
        lh = size * 1.35
        pad = size
        ncol = max(len(r) for r in t.rows)
        natural = [max(_width(r[i], "song", size) if i < len(r) else 0 for r in t.rows) + pad for i in range(ncol)]
        widths = list(natural)
        if sum(natural) > self.width:  # water-fill: one width level L with sum(min(w, L)) == the measure
            lo, hi = 0.0, max(natural)
            for _ in range(40):
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if sum(min(w, mid) for w in natural) < self.width else (lo, mid)
            widths = [min(w, lo) for w in natural]
        widths[-1] += max(0.0, self.width - sum(widths))
        cells = [[wrap(c, w - pad, w - pad, lambda x: _width(x, "song", size), False) or [""]
                  for c, w in zip(r, widths, strict=False)] for r in t.rows]
        heights = [max(len(c) for c in r) * lh + size * 0.6 for r in cells]
        self.need(min(sum(heights) + self.lh * 2, self.H - self.mt - self.mb - self.lh))
        self.y -= self.lh
        self.center(t.caption, self.size)
        self.y -= 6
        self.pages[-1].rules.append((self.ml, self.y, self.W - self.mr, self.y, "b"))
        for ri, row in enumerate(cells):
            if self.y - heights[ri] < self.mb:
                self.pages[-1].rules.append((self.ml, self.y, self.W - self.mr, self.y, "b"))
                self.new_page("body")
                self.pages[-1].rules.append((self.ml, self.y, self.W - self.mr, self.y, "b"))
            x0 = self.ml
            for i, lines in enumerate(row):
                w = widths[i]
                for li, text in enumerate(lines):
                    x = x0 + pad / 2 if i == 0 else x0 + (w - _width(text, "song", size)) / 2
                    self.pages[-1].runs.append(Run(x, self.y - size * 0.3 - (li + 1) * lh + size * 0.35, text, "song", size))
                x0 += w
            self.y -= heights[ri]
            if ri == 0:
                self.pages[-1].rules.append((self.ml, self.y, self.W - self.mr, self.y, "b"))
        self.pages[-1].rules.append((self.ml, self.y, self.W - self.mr, self.y, "b"))
        for n in t.notes:
            self.paragraph(n, indent_first=self.size, indent_rest=3 * self.size)
        self.y -= 4

    def body(self) -> None:
        self.new_page("body")
        for ci, ch in enumerate(self.s.chapters):
            if ci and (ch.appendix or self.L.name != "both_hyphen"):
                self.new_page("body")  # chapters start on a new page in most books
            self.heading(ch.heading, self.size + 3, 8, 10, toc_key=f"ch:{ch.no}")
            for c in ch.clauses:
                self.clause(c, self.cpages, c.no)
            for sec in ch.sections:
                self.heading(f"{sec.no}　{sec.title}", self.size + 1, 6, 6, toc_key=f"sec:{sec.no}")
                for c in sec.clauses:
                    self.clause(c, self.cpages, c.no)

    def closing(self) -> None:
        self.new_page("body")
        self.heading("本标准用词说明", self.size + 3, 8, 10, toc_key="words")
        for label, text in (
            ("1", "为便于执行本标准时区别对待，对要求严格程度不同的用词说明如下："),
            ("", "1）表示要求很严、非这样做不可的：正面用“必须”，反面用“严禁”；"),
            ("", "2）表示严格、正常情况下均应这样做的：正面用“应”，反面用“不应”或“不得”；"),
            ("", "3）表示允许稍有选择、条件许可时首先应这样做的：正面用“宜”，反面用“不宜”；"),
            ("2", "条文中指明应按其他有关标准执行的写法为：“应符合……的规定”或“应按……执行”。"),
        ):
            if label:
                self.paragraph(text, prefix=label, indent_first=2 * self.size, indent_rest=2 * self.size)
            else:
                self.paragraph(text, indent_first=3 * self.size, indent_rest=3 * self.size)
        self.heading("引用标准名录", self.size + 3, 16, 10, toc_key="refs")
        for i, ref in enumerate(("《示例混凝土结构施工标准》GB 59001", "《示例建筑地基检测标准》JGJ 9002",
                                 "《示例工程测量通用规范》GB 59003"), 1):
            self.paragraph(ref, prefix=str(i), indent_first=2 * self.size, indent_rest=2 * self.size)

    def commentary_part(self) -> None:
        s = self.s
        self.new_page("cmt_title")
        self.toc_out["cmt"] = len(self.pages)
        self.y -= 90
        self.center(s.heading, 16)
        self.y -= 50
        for line in _balanced(s.title, self.width, 18):
            self.center(line, 18)
            self.y -= 28
        self.y -= 10
        self.center(s.printed_code, 14)
        self.y -= 70
        self.center("条　文　说　明", 20)
        self.new_page("cmt")
        self.heading("编　制　说　明", 15, 8, 12)
        for p in (
            f"《{s.title}》{s.printed_code}，经{s.issuers[0]}{_cn_date(s.publish_date)}以第"
            f"{(s.publish_date.toordinal() % 900) + 100}号公告批准发布。",
            "为便于有关人员在使用本标准时能正确理解和执行条文规定，编制组按章、节、条的顺序编写了本标准的"
            "条文说明，说明条文规定的目的和依据，以及执行中应注意的事项。条文说明不具备与标准正文同等的法律"
            "效力，仅供使用者理解和把握标准规定时参考。",
        ):
            self.paragraph(p, indent_first=2 * self.size)
        by_chapter: dict[str, list[CommentarySpec]] = {}
        for e in s.commentary:
            by_chapter.setdefault(e.refers_to[0].split(".")[0], []).append(e)
        sections = {sec.no: sec.title for ch in s.chapters for sec in ch.sections}
        for ch in s.chapters:
            entries = by_chapter.get(ch.no)
            if not entries:
                continue
            self.new_page("cmt")
            self.heading(ch.heading, self.size + 3, 8, 10)
            seen_sec = set()
            for e in entries:
                sec = ".".join(e.refers_to[0].split(".")[:2])
                if sec in sections and sec not in seen_sec:
                    seen_sec.add(sec)
                    self.heading(f"{sec}　{sections[sec]}", self.size + 1, 6, 6)
                self._cur, self._cur_key = self.cmt_pages, e.label
                self.paragraph(e.paragraphs[0], prefix=e.label)
                for p in e.paragraphs[1:]:
                    self.paragraph(p, indent_first=2 * self.size)
                self._cur = None

    # -- page furniture --------------------------------------------------
    def number_pages(self) -> None:
        L, s = self.L, self.s
        numbering: list[int] = []
        n = front = 0
        for p in self.pages:
            if p.kind == "toc" or (p.kind == "front" and p is not self._title_page):
                front += 1
                p.label = ROMAN[front - 1] if L.front_roman else None
            if p.kind in ("body", "cmt", "cmt_title"):
                n += 1
                if p.kind != "cmt_title":
                    p.label = str(n)
            numbering.append(n)
        self.toc_out = {k: numbering[v - 1] for k, v in self.toc_out.items()}
        for idx, p in enumerate(self.pages, 1):
            odd = idx % 2 == 1
            if p.kind in ("body", "cmt"):
                self._header(p, odd)
            if p.label:
                txt = FOOTERS[L.footer].format(n=p.label, total=sum(1 for q in self.pages if q.kind == "body"))
                w = _width(txt, "song", 9)
                if L.footer_align == "center":
                    x = (self.W - w) / 2
                else:
                    x = self.W - self.mr - w if odd else self.ml
                p.runs.append(Run(x, self.mb - 28, txt, "song", 9, role="f"))
        self.header_texts = {
            "code": [s.printed_code],
            "title": [s.title],
            "both": [s.printed_code, s.title],
            "two_lines": [s.title, s.printed_code],
        }[L.header]

    def _header(self, p: Page, odd: bool) -> None:
        L, s = self.L, self.s
        y = self.H - self.mt + 26
        sz = 9.0

        def place(text: str, yy: float, align: str) -> None:
            w = _width(text, "song", sz)
            if align == "center":
                x = (self.W - w) / 2
            elif align == "right" or (align == "outer" and odd):
                x = self.W - self.mr - w
            else:
                x = self.ml
            p.runs.append(Run(x, yy, text, "song", sz, role="h"))

        if L.header == "code":
            place(s.printed_code, y, L.header_align)
        elif L.header == "title":
            place(s.title, y, L.header_align)
        elif L.header == "both":
            place(s.printed_code, y, "left")
            place(s.title, y, "right")
        else:
            place(s.title, y + 11, L.header_align)
            place(s.printed_code, y, L.header_align)
        if L.header_rule:
            p.rules.append((self.ml, y - 5, self.W - self.mr, y - 5, "h"))
