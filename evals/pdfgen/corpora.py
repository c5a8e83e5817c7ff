"""Specs built from the real corpora in ../shared/corpora, at test time only (never committed).

A spec is the ground truth the parser is scored against, so it is read without the parser's code:
evals.corpora says where each source is and gives the raw records; the structure (items, tables,
commentary, cleaned-up OCR) is read here.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from evals.corpora import CORPORA, GB55032_RECORDS, RST, gb55032_records, hydraulic_sources
from evals.pdfgen.spec import (
    Block,
    ChapterSpec,
    ClauseSpec,
    CommentarySpec,
    SectionSpec,
    StandardSpec,
    TableSpec,
)

__all__ = ["CORPORA", "load_gb55001", "load_gb55032", "load_hydraulic", "real_specs"]

# ---------------------------------------------------------------------------
# Specs from the real corpora (read at test time only; never committed)
# ---------------------------------------------------------------------------

_CH_TITLES = ["基本规定", "材料", "设计要求", "施工准备", "施工", "质量检查", "构造要求", "计算方法",
              "安全监测", "运行维护", "检验与验收", "专项措施", "环境保护", "安全防护", "资料管理"]
_SEC_TITLES = ["一般规定", "材料要求", "技术要求", "施工要求", "质量检验", "构造措施", "计算", "检查与维护"]
_CLAUSE_RE = re.compile(r"^((?:\d{1,2}|[A-Z])\.\d{1,2}\.\d{1,3})[\t 　]+(\S.*)$")
_ITEM_RE = re.compile(r"^(\d{1,2})[ \t　]*([^\d.．、,，)）%\s].*)$")
_SUB_RE = re.compile(r"^[（(]?(\d{1,2})[）)][ \t　]*(\S.*)$")
_SKIP_RE = re.compile(r"^(\$|<|!\[|\\|表\s*[A-Z\d]|图\s*[A-Z\d]|#|式中|注[:：]|[|│])")

_LATEX = [
    (r"\\(?:mathrm|mathbf|text|operatorname|mathit|boldsymbol)\s*\{([^{}]*)\}", r"\1"),
    (r"\^\s*\{\s*\\circ\s*\}", "°"), (r"\\circ", "°"), (r"\\sim", "～"), (r"\\%", "%"),
    (r"\\geqslant|\\geq|\\ge\b", "≥"), (r"\\leqslant|\\leq|\\le\b", "≤"), (r"\\times", "×"), (r"\\pm", "±"),
    (r"\^\s*\{?\s*3\s*\}?", "³"), (r"\^\s*\{?\s*2\s*\}?", "²"), (r"_\s*\{([^{}]*)\}", r"\1"), (r"\\cdot", "·"),
    (r"\\[,;!: ]", ""), (r"~", ""),
]


def _clean_latex(text: str) -> str | None:
    """Inline LaTeX from OCR ('$30\\mathrm{m}$') to print form ('30m'); None if it stays unreadable."""
    t = text
    if "$" in t:
        for _ in range(3):
            for pat, rep in _LATEX:
                t = re.sub(pat, rep, t)
        t = t.replace("$", "").replace("{", "").replace("}", "")
        t = re.sub(r"(?<=[\d.])\s+(?=[\d.])", "", t)
        t = re.sub(r"\s+", " ", t).strip()
    if "\\" in t or re.search(r"<\s*/?[a-zA-Z]", t) or ("$" in text and ("^" in t or "_" in t)):
        return None
    t = unicodedata.normalize("NFC", t).strip()
    return t or None


def _structure(code: str, title: str, clauses: list[ClauseSpec], appendix_titles: dict[str, str]) -> list[ChapterSpec]:
    """Group clauses into chapters/sections by number; headings are generic (the sources lack them)."""
    chapters: dict[str, ChapterSpec] = {}
    rnd = random.Random(code)
    for c in clauses:
        ch_no, sec_no, _ = c.no.split(".")
        ch = chapters.get(ch_no)
        if ch is None:
            if ch_no.isalpha():
                t = appendix_titles.get(ch_no, rnd.choice(["计算方法", "试验方法", "检查记录", "参数取值"]))
            elif ch_no == "1":
                t = "总则"
            elif ch_no == "2" and any(re.search(r"[a-z]{3}", x.text) for x in clauses if x.no.startswith("2.")):
                t = "术语"
            else:
                t = _CH_TITLES[(int(ch_no) + len(code)) % len(_CH_TITLES)]
            ch = chapters[ch_no] = ChapterSpec(ch_no, t)
        if sec_no == "0":
            ch.clauses.append(c)
        else:
            no = f"{ch_no}.{sec_no}"
            if not ch.sections or ch.sections[-1].no != no:
                t = "一般规定" if sec_no == "1" else _SEC_TITLES[(int(sec_no) + len(title)) % len(_SEC_TITLES)]
                ch.sections.append(SectionSpec(no, t, []))
            ch.sections[-1].clauses.append(c)
    return list(chapters.values())


def _pick_mandatory(spec_clauses: list[ClauseSpec], seed: str, k: int = 4) -> list[str]:
    rnd = random.Random(seed)
    nos = [c.no for c in spec_clauses if not c.no[0].isalpha() and not c.no.startswith(("1.", "2."))]
    picked = sorted(rnd.sample(nos, min(k, len(nos))), key=_sort_key)
    return picked


def _sort_key(no: str) -> tuple:
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in no.split("."))


def _add_table(clauses: list[ClauseSpec]) -> None:
    """Give the first clause that points to a table a small tolerance table (numbers in cells)."""
    for c in clauses:
        m = re.search(r"表\s*(\d+\.\d+\.\d+(?:-\d)?)", c.text)
        if m and not c.blocks:
            c.table = TableSpec(f"表{m.group(1)}　允许偏差", [["项目", "允许偏差", "检验方法"],
                                                            ["位置", "1.2", "尺量"], ["高程", "3.5", "水准仪"]])
            return


def _cap(clauses: list[ClauseSpec], max_clauses: int | None) -> list[ClauseSpec]:
    """Keep whole chapters until ``max_clauses`` is reached (appendices dropped when capping)."""
    if not max_clauses or len(clauses) <= max_clauses:
        return clauses
    out: list[ClauseSpec] = []
    for ch in dict.fromkeys(c.no.split(".")[0] for c in clauses):
        if ch.isalpha():
            break
        part = [c for c in clauses if c.no.split(".")[0] == ch]
        if out and len(out) + len(part) > max_clauses:
            break
        out.extend(part)
    return out


def load_gb55032(root: Path = CORPORA) -> StandardSpec:
    recs = gb55032_records(root)
    body, cmt, seen = [], [], set()
    for r in recs:
        # OCR debris no printed page has: a clause text opening with '>' or a closing bracket
        t = re.sub(r"^[>）)\s]+", "", _clean_latex(r["text"]) or "")
        if r["clause_no"] in seen or (body and _sort_key(r["clause_no"]) < _sort_key(body[-1].no)):
            cmt.append(CommentarySpec([r["clause_no"]], [t]))  # the source's record 4.2.3 is commentary
            continue
        seen.add(r["clause_no"])
        body.append(ClauseSpec(r["clause_no"], t))
    app_titles = {r["clause_no"][0]: r["chapter"].split(None, 1)[-1].removeprefix(f"附录{r['clause_no'][0]}").strip()
                  for r in recs if r["chapter"].startswith("附录")}
    chapters = _structure("GB 55032-2022", recs[0]["standard_name"], body, app_titles)
    # the source names its chapters and sections: use them
    names = {r["chapter"].split()[0]: r["chapter"].split(None, 1)[1] for r in recs
             if not r["chapter"].startswith("附录") and " " in r["chapter"]}
    secs = {r["section"].split()[0]: r["section"].split(None, 1)[1] for r in recs if " " in r["section"]}
    for ch in chapters:
        ch.title = names.get(ch.no, ch.title)
        for s in ch.sections:
            s.title = secs.get(s.no, s.title)
    return StandardSpec(
        code="GB 55032-2022", title=recs[0]["standard_name"],
        title_en="General code for construction quality control of building and municipal engineering",
        publish_date=date(2022, 10, 31), effective_date=date(2023, 3, 1),
        issuers=["中华人民共和国住房和城乡建设部", "国家市场监督管理总局"], heading="中华人民共和国国家标准",
        editor="示例主编单位", chapters=chapters, mandatory=None, commentary=cmt, source="GB55032-2022",
    )


def load_gb55001(root: Path = CORPORA) -> StandardSpec:
    from bs4 import BeautifulSoup, Tag

    d = root / RST["GB 55001-2021"][0]
    clauses: list[ClauseSpec] = []
    sec_titles: dict[str, str] = {}
    ch_titles: dict[str, str] = {}
    for name in ("1.rst", "2.rst", "3.rst", "4.rst"):
        raw = (d / name).read_text("utf-8")
        for m in re.finditer(r"^(\d+(?:\.\d+)?)\s+(\S[^\n]*)\n[=\-]{3,}", raw, re.M):
            (sec_titles if "." in m.group(1) else ch_titles)[m.group(1)] = m.group(2).strip()
        soup = BeautifulSoup(raw, "html.parser")
        cur: ClauseSpec | None = None
        for el in soup.find_all(["p", "ol", "table"]):
            if not isinstance(el, Tag):
                continue
            if el.name == "p":
                span = el.find("span", id=re.compile(r"^id[\dA-Z]"))
                if span is not None:
                    t = _norm_ws(span.get_text())
                    cur = ClauseSpec(span["id"][2:], t)
                    clauses.append(cur)
            elif el.name == "ol" and cur is not None and el.find_parent("ol") is None:
                for i, li in enumerate(el.find_all("li", recursive=False), 1):
                    t = _norm_ws(li.get_text())
                    if t:
                        cur.blocks.append(Block(str(i), t))
            elif el.name == "table" and cur is not None and cur.table is None and el.get("id") == "biaoge":
                cap = el.find("caption")
                rows = [[_norm_ws(td.get_text()) for td in tr.find_all(["td", "th"])] for tr in el.find_all("tr")]
                rows = [r for r in rows if r and any(r)][:6]
                if cap and rows:
                    cur.table = TableSpec(_norm_ws(cap.get_text()), [r[:5] for r in rows])
    cmt_soup = BeautifulSoup((d / "4twsm.rst").read_text("utf-8"), "html.parser")
    for br in cmt_soup.find_all("br"):
        br.replace_with("\n")
    cmt: dict[str, CommentarySpec] = {}
    for span in cmt_soup.find_all("span", id=re.compile(r"^idt")):
        if span.find_parent("span", id=re.compile(r"^idt")) is not None:
            continue
        no = span["id"][3:]
        inner = span.find("span", id=re.compile(r"^idt"))
        refers = [no, inner["id"][3:]] if inner is not None else [no]
        parts = [_norm_ws(x) for x in (inner or span).get_text().split("\n")]
        parts = [p for p in parts if p]
        if parts:
            cmt.setdefault(no, CommentarySpec(refers, [], "～" if inner is not None else "、")).paragraphs.extend(parts)
    chapters = _structure("GB 55001-2021", "工程结构通用规范", clauses, {})
    for ch in chapters:
        ch.title = ch_titles.get(ch.no, ch.title)
        for s in ch.sections:
            s.title = sec_titles.get(s.no, s.title)
    return StandardSpec(
        code="GB 55001-2021", title="工程结构通用规范", title_en="General code for engineering structures",
        publish_date=date(2021, 4, 9), effective_date=date(2022, 1, 1),
        issuers=["中华人民共和国住房和城乡建设部", "国家市场监督管理总局"], heading="中华人民共和国国家标准",
        editor="示例主编单位", chapters=chapters, mandatory=None,
        commentary=[e for e in cmt.values() if e.paragraphs], source="GB55001-2021",
    )


def _norm_ws(t: str) -> str:
    t = t.replace("\u2003", "").replace("\xa0", " ")
    return re.sub(r"\s+", " ", t).strip()


_SL_EN = {
    "SL 677-2014": "Specification for hydraulic concrete construction",
    "SL 757-2017": "Code for construction planning of hydraulic concrete",
    "SL 319-2018": "Design specification for concrete gravity dams",
    "SL 314-2018": "Design code for roller compacted concrete dams",
    "SL 274-2001": "Design code for rolled earth-rock fill dams",
    "GB 51247-2018": "Standard for seismic design of hydraulic structures",
}


# A clause the OCR glued onto the previous sentence: "…监测系统。11.2.3 仪器监测分为…"
_GLUED = re.compile(r"(?<=[。；])\s*(?=(?:\d{1,2}|[A-Z])\.\d{1,2}\.\d{1,3}[\t 　]+[^\d\s条])")


def _source_lines(path: Path) -> Iterator[str]:
    for raw in path.read_text("utf-8").splitlines():
        for part in _GLUED.split(raw.strip()):
            if part.strip():
                yield part.strip()


def load_hydraulic(path: Path, max_clauses: int | None = None) -> StandardSpec:
    """A clause-per-line SL file -> spec: body clauses with items/paragraphs, and its commentary."""
    name = path.name
    m = re.match(r"(GB|SL)\s*(\d+)-(\d{4})_?(.+?)_clean_text", name)
    assert m, name
    code = f"{m.group(1)} {m.group(2)}-{m.group(3)}"
    title = m.group(4)
    body: list[ClauseSpec] = []
    cmt: list[CommentarySpec] = []
    seen: set[str] = set()
    in_cmt = False
    cur: ClauseSpec | None = None
    cur_c: CommentarySpec | None = None
    app_titles: dict[str, str] = {}
    stop = False  # after a table/formula inside a clause, drop the rest of that clause
    for line in _source_lines(path):
        ha = re.match(r"^#\s*附录\s*([A-Z])\s+(.+)$", line)
        if ha:
            app_titles[ha.group(1)] = ha.group(2).strip()
            continue
        mc = _CLAUSE_RE.match(line)
        if mc and re.match(r"^[-－.．,，。)）]", mc.group(2)):
            continue  # OCR debris such as "A.1.12\t-1查得；" (the tail of a table reference)
        if mc:
            no, text = mc.group(1), mc.group(2)
            if not in_cmt and (no in seen or (body and no[0].isdigit() and body[-1].no[0].isalpha())
                               or (body and _sort_key(no)[0] < _sort_key(body[-1].no)[0])):
                in_cmt = True
            t = _clean_latex(text)
            stop = False
            if in_cmt:
                cur = None
                rng = re.match(r"^([~～、])\s*((?:\d{1,2}|[A-Z])\.\d{1,2}\.\d{1,3})\s*(.*)$", t or "")
                if rng and rng.group(3):  # "6.3.7 ～6.3.9 规定…": one entry for a run of clauses
                    joiner = "～" if rng.group(1) in "~～" else "、"
                    cur_c = CommentarySpec([no, rng.group(2)], [rng.group(3)], joiner) if no in seen else None
                else:
                    cur_c = CommentarySpec([no], [t]) if t and no in seen and not text.startswith("、") else None
                if cur_c and not any(no in e.refers_to for e in cmt):
                    cmt.append(cur_c)
                else:
                    cur_c = None
            else:
                seen.add(no)
                cur = ClauseSpec(no, t) if t else None
                if cur:
                    body.append(cur)
                else:
                    seen.discard(no)
            continue
        if _SKIP_RE.match(line) or line.startswith("$$") or len(line) < 2:
            stop = True
            continue
        if stop:
            continue
        t = _clean_latex(line)
        if t is None:
            stop = True
            continue
        if cur_c is not None:
            cur_c.paragraphs.append(t)
            continue
        if cur is None:
            continue
        mi, ms = _ITEM_RE.match(t), _SUB_RE.match(t)
        if ms and not re.match(r"^\d+[ \t　]", t):
            cur.blocks.append(Block(f"{ms.group(1)}）", ms.group(2)))
        elif mi and int(mi.group(1)) <= 20:
            cur.blocks.append(Block(mi.group(1), mi.group(2).strip()))
        elif not re.match(r"^\d", t):
            cur.blocks.append(Block("", t))
        else:
            stop = True
    body = _cap(body, max_clauses)
    keep = {c.no for c in body}
    cmt = [e for e in cmt if e.refers_to[0] in keep and all(e.paragraphs)]
    _add_table(body)
    spec = StandardSpec(
        code=code, title=title, title_en=_SL_EN.get(code, "Technical standard"),
        publish_date=date(int(m.group(3)), 6, 20), effective_date=date(int(m.group(3)), 9, 20),
        issuers=["中华人民共和国水利部"] if code.startswith("SL") else
        ["中华人民共和国住房和城乡建设部", "国家市场监督管理总局"],
        heading="中华人民共和国水利行业标准" if code.startswith("SL") else "中华人民共和国国家标准",
        editor="示例水利水电规划设计总院", chapters=_structure(code, title, body, app_titles),
        mandatory=[], commentary=cmt, source=code.replace(" ", ""),
    )
    spec.mandatory = _pick_mandatory(body, code)
    return spec


def real_specs(root: Path = CORPORA, max_clauses: int | None = None) -> dict[str, Callable[[], StandardSpec]]:
    """Loaders for every real standard under ``root`` (empty when the folder is absent)."""
    out: dict[str, Callable[[], StandardSpec]] = {}
    if (root / GB55032_RECORDS).exists():
        out["GB55032-2022"] = lambda: load_gb55032(root)
    if (root / RST["GB 55001-2021"][0] / "2.rst").exists():
        out["GB55001-2021"] = lambda: load_gb55001(root)
    for code, p in sorted(hydraulic_sources(root).items(), key=lambda kv: kv[1].name):
        out[code.replace(" ", "")] = lambda p=p: load_hydraulic(p, max_clauses)
    return out
