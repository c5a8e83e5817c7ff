"""Printable rectification notices and inspection records (PDF), ready to sign and stamp.

fpdf2 lays out A4 pages with a Chinese font embedded (subset): the one the
settings name, else Noto Serif SC from the ``pylopdf-fonts-zh-cn`` package (SIL
Open Font License 1.1) that the project installs, else a system CJK font. Each
document carries the station's name, its number on every page, and a signature
and stamp block.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import Align, TableCellFillMode, WrapMode
from fpdf.fonts import FontFace

from assistant.store.errors import StoreError
from assistant.store.loop_schemas import FindingOut, InspectionDetail
from assistant.store.schemas import NoticeDetail
from corpus.loaders.tolerance import bounds_text

SYSTEM_FONTS = (
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
FONT = "cjk"


class FontMissing(StoreError):
    status = 503
    code = "font_missing"


def font_path(configured: Path | None = None) -> Path:
    """The CJK font to embed; ``FontMissing`` (Chinese) when none is installed."""
    if configured is not None:
        if Path(configured).is_file():
            return Path(configured)
        raise FontMissing(f"配置的中文字体文件不存在：{configured}")
    try:
        import pylopdf_fonts_zh_cn

        packaged = pylopdf_fonts_zh_cn.serif_path()
        if packaged.is_file():
            return packaged
    except ImportError:
        pass
    for candidate in SYSTEM_FONTS:
        if Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing("未安装中文字体，无法生成 PDF：请安装 pylopdf-fonts-zh-cn（pip install -e . 会自动安装）")


class _Doc(FPDF):
    def __init__(self, font: Path, station: str, number: str, kind: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.station, self.number, self.kind = station, number, kind
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(True, margin=20)
        self.add_font(FONT, fname=str(font))
        self.set_title(f"{kind} {number}")
        self.set_author(station)
        self.set_creator("zhijian 质监助手")
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, size=8)
        self.set_text_color(110)
        self.cell(0, 5, f"{self.station}  {self.kind}  编号 {self.number}  第 {self.page_no()} 页 / 共 {{nb}} 页",
                  align=Align.C)
        self.set_text_color(0)

    # -- building blocks ---------------------------------------------------------------------------
    def heading(self, title: str) -> None:
        self.set_font(FONT, size=13)
        self.cell(0, 8, self.station, align=Align.C, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=20)
        self.cell(0, 13, title, align=Align.C, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=10.5)
        self.cell(0, 7, f"编号：{self.number}", align=Align.R, new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def fields(self, rows: Sequence[tuple[str, str]], *, pairs: bool = False) -> None:
        """Label | value rows; ``pairs`` puts two of them on a line (a compact form head)."""
        self.set_font(FONT, size=10.5)
        widths, per_line = ((22, 63, 22, 63), 2) if pairs else ((28, 142), 1)
        with self.table(col_widths=widths, first_row_as_headings=False, line_height=6, padding=1.3,
                        text_align=(Align.C, Align.L) * per_line, wrapmode=WrapMode.CHAR, cell_fill_color=245,
                        cell_fill_mode=TableCellFillMode.COLUMNS
                        ) as table:
            for start in range(0, len(rows), per_line):
                row = table.row()
                for label, value in rows[start:start + per_line]:
                    row.cell(label)
                    row.cell(value or "—")
        self.ln(3)

    def section(self, title: str, body: str) -> None:
        self.set_font(FONT, size=12)
        self.cell(0, 7.5, title, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=10.5)
        self.multi_cell(0, 6, body or "—", wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")
        self.ln(1.5)

    def signatures(self, left: Sequence[str], stamp_date: str) -> None:
        if self.get_y() + 44 > self.page_break_trigger:
            self.add_page()
        self.ln(3)
        y = self.get_y()
        self.set_font(FONT, size=10.5)
        for line in left:
            self.cell(95, 9, line, new_x="LMARGIN", new_y="NEXT")
        # The stamp block: where the station's seal goes, with its name and the date under it.
        x0 = self.w - self.r_margin - 62
        self.set_draw_color(160)
        self.rect(x0, y, 62, 36)
        self.set_draw_color(0)
        self.set_xy(x0, y + 4)
        self.set_text_color(150)
        self.cell(62, 8, "（盖章）", align=Align.C)
        self.set_text_color(0)
        self.set_xy(x0, y + 18)
        self.cell(62, 7, self.station, align=Align.C)
        self.set_xy(x0, y + 25)
        self.cell(62, 7, stamp_date, align=Align.C)
        self.set_y(max(self.get_y(), y + 40))


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _local(at: datetime, tz: str) -> date:
    return at.astimezone(ZoneInfo(tz)).date()


def notice_pdf(n: NoticeDetail, *, station: str, station_phone: str, findings: Sequence[FindingOut] = (),
               issued_by: str | None = None, timezone: str, font: Path | None = None) -> bytes:
    """整改通知单: the problem with its clauses, the deadline, the reply and re-inspection when there are."""
    doc = _Doc(font_path(font), station, n.notice_no, "工程质量整改通知单")
    doc.add_page()
    doc.heading("工程质量整改通知单")
    cites = [f.citation for f in findings] or ([f"{n.cited_code} 第{n.cited_clause}条" if n.cited_clause
                                                else n.cited_code] if n.cited_code else [])
    doc.fields([
        ("受文单位", n.responsible_enterprise_name),
        ("工程名称", n.project_name),
        ("下发日期", _cn_date(_local(n.issued_at, timezone))),
        ("整改期限", _cn_date(n.deadline) + (f"（第{n.reissue_count}次重新下发）" if n.reissue_count else "")),
        ("状态", n.status_label + (f"（逾期 {n.days_overdue} 天）" if n.days_overdue else "")),
    ])
    doc.section("经监督检查，你单位承建的工程存在下列问题：", n.problem)
    doc.section("违反的标准条款", "；".join(dict.fromkeys(cites)) or "—")
    doc.section("整改要求", f"请你单位立即组织整改，于{_cn_date(n.deadline)}前整改完毕，并将整改情况书面回复我站"
                          "（附整改前后对比照片及必要的检测报告，经监理单位复查签署意见）。逾期不整改或整改不到位的，"
                          f"我站将按规定记录不良行为。联系电话：{station_phone}。")
    if n.reply:
        when = f"（{_cn_date(_local(n.replied_at, timezone))}）" if n.replied_at else ""
        doc.section(f"整改回复{when}", n.reply + (f"\n附整改照片 {len(n.reply_photos)} 张" if n.reply_photos else ""))
    if n.reinspection_note or n.closed_at:
        closed = f"复查合格，于{_cn_date(_local(n.closed_at, timezone))}销项。" if n.closed_at else ""
        doc.section("复查意见", "\n".join(x for x in (n.reinspection_note, closed) if x))
    doc.signatures([f"监督人员：{issued_by or '____________'}", "签收人：____________",
                    "签收日期：______年____月____日"], _cn_date(_local(n.issued_at, timezone)))
    return bytes(doc.output())


def inspection_pdf(r: InspectionDetail, *, station: str, timezone: str, font: Path | None = None) -> bytes:
    """监督检查记录: what was checked, found and measured, the conclusion, signatures."""
    doc = _Doc(font_path(font), station, r.record_no, "工程质量监督检查记录")
    doc.add_page()
    doc.heading("工程质量监督检查记录")
    doc.fields([
        ("工程名称", r.project_name),
        ("检查日期", _cn_date(r.inspected_on)),
        ("检查方式", r.source_label + (f"（预约 {r.booking_no}）" if r.booking_no else "")),
        ("单位工程", r.unit_work),
        ("检查部位", r.position),
        ("检查人员", "、".join(r.inspectors)),
    ], pairs=True)
    doc.section("实体质量检查内容", "；".join(r.entity_items) or "—")
    doc.section("质量行为检查内容", "；".join(r.behavior_items) or "—")
    doc.set_font(FONT, size=12)
    doc.cell(0, 8, f"发现的问题（{len(r.finding_list)} 条）", new_x="LMARGIN", new_y="NEXT")
    doc.set_font(FONT, size=9.5)
    if r.finding_list:
        with doc.table(col_widths=(10, 18, 76, 40, 26), line_height=5.2, padding=1.2, wrapmode=WrapMode.CHAR,
                       headings_style=FontFace(emphasis=None, fill_color=230), text_align=Align.L) as table:
            table.row(["序号", "类别", "问题描述", "依据条文", "整改通知单"])
            for f in r.finding_list:
                table.row([str(f.seq), f.category_label, f.description, f.citation, f.notice_no or "—"])
    else:
        doc.cell(0, 6, "未发现问题。", new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)
    doc.set_font(FONT, size=12)
    doc.cell(0, 8, f"实测实量（{len(r.measurement_list)} 组）", new_x="LMARGIN", new_y="NEXT")
    doc.set_font(FONT, size=9)
    if r.measurement_list:
        with doc.table(col_widths=(44, 16, 22, 40, 26, 22), line_height=5, padding=1.2, wrapmode=WrapMode.CHAR,
                       headings_style=FontFace(emphasis=None, fill_color=230), text_align=Align.L) as table:
            table.row(["项目（部位）", "设计值", "允许偏差", "实测值（超差点加*）", "合格点率", "结论"])
            for m in r.measurement_list:
                readings = " ".join(f"{p.value:g}{'*' if not p.ok else ''}" for p in m.points)
                verdict = "合格" if m.ok else "不合格"
                if m.alert:
                    verdict += "，预警"
                table.row([f"{m.name}{f'（{m.position}）' if m.position else ''}\n{m.code} 第{m.clause_no}条",
                           f"{m.design:g} {m.unit}" if m.design is not None else "—",
                           bounds_text(m.lower, m.upper, m.unit, m.relative_to_design), readings,
                           f"{m.pass_rate * 100:.1f}%（{m.points_ok}/{m.points_total}）", verdict])
    else:
        doc.cell(0, 6, "本次检查未进行实测实量。", new_x="LMARGIN", new_y="NEXT")
    doc.ln(3)
    doc.section("检查结论", r.conclusion or "（检查尚未完成）")
    if r.notices:
        doc.section("已下发整改通知单", "、".join(r.notices))
    doc.signatures(["监督人员签字：____________", "被检查单位现场负责人签字：____________",
                    "日期：______年____月____日"], _cn_date(r.inspected_on))
    return bytes(doc.output())
