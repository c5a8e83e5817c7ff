"""Front matter of a standard: cover, 扉页, 公告, 前言 and 目次 (with an English Contents page)."""

from __future__ import annotations

import re
from datetime import date

from evals.pdfgen.layout import _width

_EN_TITLES = {"总则": "General provisions", "术语": "Terms", "基本规定": "Basic requirements",
              "一般规定": "General requirements"}


class FrontMatter:
    """Mixin for Composer: the pages before the body. Needs the page mechanics Composer defines."""

    def cover(self) -> None:
        s = self.s
        self.new_page("cover")
        self.y = self.H - 48
        self.put(self.ml, "ICS 91.010.01", "latin", 10)  # a dotted number that is not a clause
        self.put(self.W - self.mr - 30, f"{s.category} 59", "latin", 12)
        if not s.code.startswith("GB"):
            self.y -= 14
            self.put(self.ml, f"备案号 J {1000 + s.effective_date.year % 1000}—{s.effective_date.year}", "song", 9)
        self.y -= 40
        self.center(s.heading, 20)
        self.y -= 34
        code = s.printed_code
        self.put(self.W - self.mr - _width(code, "song", 14), code, "song", 14)
        if s.code.startswith("SL"):  # SL covers name the edition they replace, right under the code
            self.y -= 16
            prefix, num, year = re.match(r"(\S+) (\S+)-(\d{4})$", s.code).groups()
            old = f"替代 {prefix} {num}—{int(year) - 12}"
            self.put(self.W - self.mr - _width(old, "song", 10), old, "song", 10)
        self.y -= 70
        for line in _balanced(s.title, self.width - 20, 22):
            self.center(line, 22)
            self.y -= 32
        self.y -= 6
        for line in _wrap_words(s.title_en, self.width, 11):
            self.center(line, 11, "latin")
            self.y -= 15
        self.y = self.mb + 90
        self.put(self.ml, f"{s.publish_date.isoformat()} 发布", "song", 12)
        t = f"{s.effective_date.isoformat()} 实施"
        self.put(self.W - self.mr - _width(t, "song", 12), t, "song", 12)
        self.y -= 14
        self.pages[-1].rules.append((self.ml, self.y, self.W - self.mr, self.y, "b"))
        self.y -= 34
        for iss in s.issuers:
            self.center(iss, 14)
            self.y -= 20
        self.put(self.W - self.mr - _width("发布", "song", 14), "联合发布" if len(s.issuers) > 1 else "发布", "song", 14)

    def title_page(self) -> None:
        s = self.s
        self.new_page("front")
        self._title_page = self.pages[-1]
        self.y -= 40
        self.center(s.heading, 16)
        self.y -= 50
        for line in _balanced(s.title, self.width, 18):
            self.center(line, 18)
            self.y -= 28
        for line in _wrap_words(s.title_en, self.width, 10):
            self.center(line, 10, "latin")
            self.y -= 14
        self.y -= 12
        self.center(s.printed_code, 14)
        self.y -= 60
        e = s.effective_date
        for line in (f"主编部门：{s.editor}", f"批准部门：{s.issuers[0]}",
                     f"施行日期：{e.year} 年 {e.month} 月 {e.day} 日"):
            self.put(self.ml + 30, line, "song", 12)
            self.y -= 22
        self.y = self.mb + 40
        self.center("示例出版社", 13)
        self.y -= 18
        self.center(f"{s.publish_date.year}　北　京", 12)

    def notice(self) -> None:
        s = self.s
        self.new_page("front")
        self.y -= 10
        self.center(f"{s.issuers[0]}公告", 15)
        self.y -= 22
        self.center(f"{s.publish_date.year}年　第{(s.publish_date.toordinal() % 900) + 100}号", 12)
        self.y -= 12
        num, year = re.search(r"(\S+)-(\d{4})$", s.code).groups()
        old = f"{s.code.split()[0]} {num}—{int(year) - 10}"
        text = f"现批准《{s.title}》为标准，编号为{s.printed_code}，自{_cn_date(s.effective_date)}起实施。"
        if s.mandatory is None:
            text += "本规范为强制性工程建设规范，全部条文必须严格执行。"
        elif s.mandatory:
            text += f"其中，第{'、'.join(s.mandatory)}条为强制性条文，必须严格执行。"
        text += f"原《{s.title}》{old}同时废止。"
        self.paragraph(text, indent_first=2 * self.size)
        self.paragraph("本标准在示例网站公开，并由示例出版社出版发行。", indent_first=2 * self.size)
        self.y -= 10
        self.put(self.W - self.mr - _width(s.issuers[0], "song", self.size), s.issuers[0])
        self.y -= self.lh
        d = _cn_date(s.publish_date)
        self.put(self.W - self.mr - _width(d, "song", self.size), d)

    def preface(self) -> None:
        s = self.s
        self.new_page("front")
        self.heading("前　　言", 16, 10, 16)
        body = [c for c in s.chapters if not c.appendix]
        apps = [c for c in s.chapters if c.appendix]
        contents = "、".join(c.title for c in body)
        paras = [
            f"本标准依照{s.issuers[0]}下达的编制任务组织编写。编制组开展了专题调研，整理了近年来的工程经验"
            f"和事故教训，征求了设计、施工、监督等单位的意见，于{s.publish_date.year - 1}年{(s.publish_date.month % 12) + 1}"
            "月完成送审稿，经审查定稿。",
            f"本标准共分{len(body)}章" + (f"和{len(apps)}个附录" if apps else "") + f"，主要技术内容是：{contents}。",
        ]
        if s.mandatory is None:
            paras.append("本规范为强制性工程建设规范，全部条文必须严格执行。现行工程建设标准相关强制性条文同时废止。")
        elif s.mandatory:
            lst = "、".join(s.mandatory)
            variant = sum(map(ord, s.code)) % 2
            paras.append(f"本标准第{lst}条为强制性条文，必须严格执行。" if variant == 0
                         else f"本标准中以黑体字标志的第{lst}条为强制性条文，必须严格执行。")
        paras.append(
            f"本标准由{s.issuers[0]}负责管理，由{s.editor}负责具体技术内容的解释。执行过程中如有意见或建议，"
            f"请寄送{s.editor}（地址：示例市建设路12号，邮政编码：100013）。"
        )
        paras.append(f"本标准主编单位：{s.editor}")
        paras.append("本标准主要起草人员：张　明　李　华　王　强　赵　敏　刘　洋")
        for p in paras:
            self.paragraph(p, indent_first=2 * self.size)

    def toc_entries(self) -> list[tuple[str, str, int]]:
        """(key, printed text, indent level) for the 目次 page."""
        out: list[tuple[str, str, int]] = []
        for ch in self.s.chapters:
            out.append((f"ch:{ch.no}", ch.heading, 0))
            for sec in ch.sections:
                out.append((f"sec:{sec.no}", f"{sec.no}　{sec.title}", 1))
        out.append(("words", "本标准用词说明", 0))
        out.append(("refs", "引用标准名录", 0))
        if self.s.commentary:
            out.append(("cmt", "附：条文说明", 0))
        return out

    def toc(self) -> None:
        self.new_page("toc")
        self.heading("目　　次", 16, 10, 16)
        for key, text, level in self.toc_entries():
            self.need(self.lh)
            self.y -= self.lh
            x = self.ml + level * 2 * self.size
            num = str(self.toc_in.get(key, 0))
            num = f"（{num}）" if self.L.toc_parens else num
            self.put(x, text)
            tw = _width(text, "song", self.size)
            nw = _width(num, "song", self.size)
            lw = _width(self.L.leader, "song", self.size)
            count = max(2, int((self.W - self.mr - nw - 6 - x - tw - 6) / lw))
            self.put(x + tw + 6, self.L.leader * count)
            self.put(self.W - self.mr - nw, num)
        if self.L.english_contents:
            self.new_page("toc")
            self.y -= 10 + 16
            self.center("Contents", 16, "latin")
            self.y -= 16
            for key, text, level in self.toc_entries():
                no = text.split("\u3000")[0] if "\u3000" in text else ""
                zh = text.split("\u3000")[-1]
                en = _EN_TITLES.get(zh, "Explanation of wording" if key == "words" else
                                    "List of quoted standards" if key == "refs" else
                                    "Addition: Explanation of provisions" if key == "cmt" else
                                    "General requirements" if level else "Technical requirements")
                if no.startswith("附录"):
                    no = "Appendix " + no[2:]
                line = f"{no} {en}".strip()
                self.need(self.lh)
                self.y -= self.lh
                num = f"({self.toc_in.get(key, 0)})"
                x = self.ml + level * 2 * self.size
                self.put(x, line, "latin")
                self.put(self.W - self.mr - _width(num, "latin", self.size), num, "latin")


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _balanced(title: str, width: float, size: float) -> list[str]:
    """A long title on a cover is set as two lines of about equal length."""
    if _width(title, "song", size) <= width:
        return [title]
    half = (len(title) + 1) // 2
    return [title[:half], title[half:]]


def _wrap_words(text: str, width: float, size: float) -> list[str]:
    lines, cur = [], ""
    for w in text.split():
        cand = f"{cur} {w}".strip()
        if cur and _width(cand, "latin", size) > width:
            lines.append(cur)
            cur = w
        else:
            cur = cand
    return lines + ([cur] if cur else [])
