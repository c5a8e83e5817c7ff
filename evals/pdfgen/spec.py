"""The ground truth a PDF is rendered from, and a synthetic standard written for these tests."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date

# ---------------------------------------------------------------------------
# Specs: the ground truth a PDF is rendered from
# ---------------------------------------------------------------------------


@dataclass
class Block:
    """A line-started piece of a clause after its first paragraph: an item (款) or a paragraph."""

    label: str  # "1", "2" for items, "1）" for sub-items, "" for a continuation paragraph
    text: str


@dataclass
class TableSpec:
    caption: str
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)

    def flat(self) -> tuple[str, str, str]:
        """(caption, cells row-major, notes) as a parser that keeps the table would see them."""
        return self.caption, "".join("".join(r) for r in self.rows), "".join(self.notes)


@dataclass
class ClauseSpec:
    no: str
    text: str
    blocks: list[Block] = field(default_factory=list)
    table: TableSpec | None = None

    def full_text(self) -> str:
        """Clause text with its items, as printed (labels included), one block a line."""
        return "\n".join([self.text] + [f"{b.label} {b.text}".strip() for b in self.blocks])


@dataclass
class SectionSpec:
    no: str
    title: str
    clauses: list[ClauseSpec]


@dataclass
class ChapterSpec:
    no: str  # "3" or "A" for an appendix
    title: str
    clauses: list[ClauseSpec] = field(default_factory=list)  # x.0.y clauses
    sections: list[SectionSpec] = field(default_factory=list)

    @property
    def appendix(self) -> bool:
        return self.no.isalpha()

    @property
    def heading(self) -> str:
        return f"附录{self.no}　{self.title}" if self.appendix else f"{self.no}　{self.title}"

    def all_clauses(self) -> Iterator[ClauseSpec]:
        yield from self.clauses
        for s in self.sections:
            yield from s.clauses


@dataclass
class CommentarySpec:
    refers_to: list[str]  # usually one clause; "6.3.3、6.3.4" entries list both, "3.1.13～3.1.15" the ends
    paragraphs: list[str]
    joiner: str = "、"

    @property
    def label(self) -> str:
        return self.joiner.join(self.refers_to)

    def text(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass
class StandardSpec:
    code: str  # canonical, "GB 55032-2022"
    title: str
    title_en: str
    publish_date: date
    effective_date: date
    issuers: list[str]
    heading: str  # "中华人民共和国国家标准"
    editor: str  # 主编单位
    chapters: list[ChapterSpec]
    mandatory: list[str] | None = None  # None: the whole text is mandatory (GB 55xxx)
    commentary: list[CommentarySpec] = field(default_factory=list)
    category: str = "P"
    source: str = "synthetic"

    @property
    def printed_code(self) -> str:
        return re.sub(r"-(\d{4})$", r"—\1", self.code)

    @property
    def all_mandatory(self) -> bool:
        return self.mandatory is None

    def clauses(self) -> list[ClauseSpec]:
        return [c for ch in self.chapters for c in ch.all_clauses()]

    def mandatory_set(self) -> set[str]:
        return {c.no for c in self.clauses()} if self.mandatory is None else set(self.mandatory)

    def map_text(self, fn: Callable[[str], str]) -> StandardSpec:
        """A copy with every printed string passed through ``fn`` (e.g. dropping glyphs a font lacks)."""

        def cl(c: ClauseSpec) -> ClauseSpec:
            t = c.table
            if t is not None:
                t = TableSpec(fn(t.caption), [[fn(x) for x in r] for r in t.rows], [fn(n) for n in t.notes])
            return ClauseSpec(c.no, fn(c.text), [Block(b.label, fn(b.text)) for b in c.blocks], t)

        chapters = [
            ChapterSpec(
                ch.no,
                fn(ch.title),
                [cl(c) for c in ch.clauses],
                [SectionSpec(s.no, fn(s.title), [cl(c) for c in s.clauses]) for s in ch.sections],
            )
            for ch in self.chapters
        ]
        cmt = [CommentarySpec(list(e.refers_to), [fn(p) for p in e.paragraphs], e.joiner) for e in self.commentary]
        return replace(self, title=fn(self.title), chapters=chapters, commentary=cmt)



# ---------------------------------------------------------------------------
# The synthetic spec (original text; runs without ../shared)
# ---------------------------------------------------------------------------


def synthetic_spec() -> StandardSpec:
    """A small standard written for these tests, with the traps real standards have."""
    C, B = ClauseSpec, Block
    ch1 = ChapterSpec("1", "总则", [
        C("1.0.1", "为统一示例住宅工程施工质量的检验方法，明确检验批、分项工程的合格判定，制定本标准。"),
        C("1.0.2", "本标准适用于新建、扩建的住宅工程中混凝土、砌体和防水工程的施工质量检验，不适用于"
                   "临时建筑。"),
        C("1.0.3", "住宅工程施工质量的检验除应符合本标准外，尚应符合国家现行有关标准的规定。"),
    ])
    ch2 = ChapterSpec("2", "术语", [
        C("2.0.1", "检验批 inspection lot"),
        C("2.0.2", "见证取样 sampling with witness", [B("", "在监理人员见证下，由施工单位试验人员在现场取样并送至"
                                                          "检测机构检测的活动。")]),
    ])
    ch3 = ChapterSpec("3", "基本规定", sections=[
        SectionSpec("3.1", "一般规定", [
            C("3.1.1", "施工单位应建立质量检验制度，检验记录应由专职质量检查员签认，记录保存期限不应少于"
                       "工程竣工后5年。"),
            C("3.1.2", "检验批的划分应符合下列规定：", [
                B("1", "同一楼层、同一施工段的同类工程可划为一个检验批；"),
                B("2", "每个检验批的面积不宜大于1000m²，超过时应另行划分；"),
                B("3", "地下室与地上部分、主楼与裙房以及不同结构类型的部分应分别划分检验批，变形缝两侧的同类工程"
                       "可合并为一个检验批。"),
            ]),
            C("3.1.3", "进场材料应按批次检验，检验合格后方可使用；复验结果不合格的材料应在2d内清退出场，"
                       "并应记录处理情况。"),
            C("3.1.4", "当检验结果不能满足本标准第3.1.2条规定的划分要求时，应由建设单位组织有关单位重新"
                       "确定检验批，并形成书面记录。"),
        ]),
        SectionSpec("3.2", "检验数量与方法", [
            C("3.2.1", "主控项目的检验数量应按检验批全数检查；一般项目的检验数量不应少于检验批总数的"
                       "10%，且不应少于3处。"),
            C("3.2.2", "尺寸偏差的检验应符合表3.2.2的规定。", table=TableSpec(
                "表3.2.2　尺寸允许偏差及检验方法",
                [["项目", "允许偏差（mm）", "检验方法"], ["轴线位置", "5", "钢尺检查"],
                 ["截面尺寸", "+8，-5", "钢尺检查"], ["层高垂直度", "1.2", "经纬仪"], ["表面平整度", "3.5", "2m靠尺"]],
                ["注：1 表中数值适用于现浇结构；", "2 预制构件按设计要求执行。"])),
            C("3.2.3", "抽样检验时，样本应在检验批内随机抽取，同一检验批的抽样部位应分布均匀，不得集中在"
                       "同一构件上。"),
        ]),
    ])
    ch4 = ChapterSpec("4", "混凝土工程", sections=[
        SectionSpec("4.1", "原材料", [
            C("4.1.1", "水泥进场时应对其品种、强度等级、出厂日期进行检查，并应对其强度和安定性进行复验。"
                       "当水泥出厂超过3个月时，应重新检验。"),
            C("4.1.2", "混凝土用砂的含泥量不应大于3.0%，石子的含泥量不应大于1.0%；用于有抗渗要求的混凝土时，"
                       "含泥量限值应按本标准第4.1.1条的复验结果另行确定。"),
            C("4.1.3", "拌合用水应符合饮用水要求；采用其他水源时，应经检验合格后方可使用。"),
        ]),
        SectionSpec("4.2", "浇筑与养护", [
            C("4.2.1", "混凝土浇筑前应检查模板、钢筋和预埋件，并应清除模板内的杂物；浇筑记录应注明开始"
                       "时间2024年5月1日这样的日期格式和天气情况。"),
            C("4.2.2", "混凝土养护应符合下列规定：", [
                B("1", "浇筑完毕后12h以内应覆盖并保湿养护；"),
                B("2", "养护时间应符合下列要求："),
                B("1）", "普通硅酸盐水泥拌制的混凝土，不应少于7d；"),
                B("2）", "掺缓凝外加剂或有抗渗要求的混凝土，不应少于14d；"),
                B("3", "日平均气温低于5℃时，不得浇水养护。"),
                B("4", "采用塑料薄膜覆盖养护时，应将混凝土全部表面覆盖严密并保持薄膜内有凝结水，覆盖物应在混凝土"
                       "强度达到1.2MPa后方可揭除。"),
            ]),
            C("4.2.3", "混凝土试件的留置应符合下列规定：每拌制100盘且不超过100m³的同配合比混凝土，取样不"
                       "得少于一次；每一楼层取样不得少于一次；每次取样应至少留置一组标准养护试件。同条件养护"
                       "试件的留置组数应根据实际需要确定，并应满足拆模、张拉和结构实体检验的要求。试件的制作"
                       "与养护应由施工单位试验人员负责，监理单位应进行见证；试件应在浇筑地点随机抽取，不得另行"
                       "拌制。试件标识应包括工程名称、部位、强度等级和制作日期，标识应清晰、耐久。试件送检时应"
                       "附委托单，委托单的内容应与试件标识一致；检测机构收样时应核对标识，发现不符时应拒收并通知"
                       "委托单位。试验报告应在28d龄期后7d内出具，逾期未出具的，施工单位应书面报告监理单位。"),
            C("4.2.4", "后浇带的留置位置应按设计要求确定，后浇带混凝土的浇筑时间不应早于两侧混凝土浇筑完成"
                       "后42d。",
              [B("", "3.2.2条规定的偏差检验同样适用于后浇带两侧的混凝土，检验结果应单独记录。")]),
            C("4.2.5", "大体积混凝土的里表温差不宜大于25℃，降温速率不宜大于2.0℃/d。"),
            C("4.2.6", "结构实体混凝土强度应按不同强度等级分别检验，检验方法宜采用同条件养护试件方法；"
                       "当试件强度不满足要求时，应委托检测机构按第4.2.3条的要求进行实体检测。"),
            C("4.2.7", "混凝土结构外观质量不应有严重缺陷。对已经出现的严重缺陷，应由施工单位提出技术处理"
                       "方案，经监理单位认可后进行处理。"),
            C("4.2.8", "现浇结构拆模后的尺寸偏差检查，梁、柱应抽查构件数量的10%，且不少于3件；墙和板应按"
                       "有代表性的自然间抽查10%，且不少于3间。"),
            C("4.2.9", "冬期施工期间，混凝土受冻前的强度不应低于设计强度等级值的30%，且不应低于5.0MPa。"),
            C("4.2.10", "泵送混凝土的坍落度损失每小时不宜大于30mm，现场坍落度检查每工作班不应少于2次。"),
            C("4.2.11", "混凝土浇筑中断时间超过规定时，应按施工缝处理，施工缝的处理应符合本标准5.1.2的试验"
                        "要求。"),
        ]),
    ])
    ch5 = ChapterSpec("5", "防水工程", clauses=[
        C("5.0.1", "防水材料进场时应提供产品合格证和性能检测报告，并应按规定抽样复验，复验合格后方可使用。"),
        C("5.0.2", "卷材防水层的搭接宽度不应小于100mm，允许偏差为-10mm；长边与短边搭接均应满足该要求。"),
        C("5.0.3", "屋面防水层完工后，应进行雨后观察或淋水、蓄水试验，蓄水时间不应少于24h，淋水时间不应"
                   "少于2h，并应做好记录；坡度<3%的平屋面宜采用蓄水试验，坡度>20%时可只做淋水试验。"),
        C("5.0.4", "厕浴间防水层完成后应做蓄水试验，蓄水深度不应小于20mm，最浅处不应小于10mm，蓄水时间"
                   "不应少于24h，检查数量应为1.5倍的抽样基数。"),
        C("5.0.5", "3层及以上住宅的外墙防水层应逐层进行淋水检查，每层检查部位不应少于3处。",
          [B("", "11.5.14.2的试验方法仅适用于外墙面砖粘结层，防水层的检验仍应按本条执行。"),
           B("", "A.0.2条规定的验收记录应附淋水检查的影像资料。")]),
    ])
    app_a = ChapterSpec("A", "检验批质量验收记录", clauses=[
        C("A.0.1", "检验批质量验收记录应由施工单位质量检查员填写，专业监理工程师组织验收并签认。"),
        C("A.0.2", "检验批质量验收记录应包括下列内容：", [
            B("1", "工程名称、检验批部位及容量；"),
            B("2", "主控项目和一般项目的检查结果；"),
            B("3", "施工单位检查结论和监理单位验收结论。"),
        ]),
    ])
    app_b = ChapterSpec("B", "淋水试验方法", sections=[
        SectionSpec("B.1", "一般规定", [
            C("B.1.1", "淋水试验应在防水层施工完成且养护期满后进行，试验前应封堵排水口。"),
            C("B.1.2", "淋水试验的持续时间不应少于2h，试验过程中应每30min检查一次。"),
        ]),
        SectionSpec("B.2", "试验步骤", [
            C("B.2.1", "淋水试验应按下列步骤进行：", [
                B("1", "布置淋水管，喷嘴间距宜为1.5m；"),
                B("2", "开启水源并记录开始时间；"),
                B("3", "试验结束后检查背水面有无渗漏，并形成记录。"),
            ]),
        ]),
    ])
    commentary = [
        CommentarySpec(["1.0.2"], ["本条规定了适用范围。临时建筑使用年限短，质量要求可另行确定。"]),
        CommentarySpec(["3.1.2"], ["检验批是施工质量验收的最小单位，划分时应考虑施工组织和质量控制的需要。",
                                   "面积限值参考了多个地区的做法，1000m²以内便于组织检查。"]),
        CommentarySpec(["3.2.2"], ["表3.2.2的允许偏差依据多项工程实测数据确定。"]),
        CommentarySpec(["4.2.3"], ["试件留置是判定混凝土强度的依据，见证和标识的要求是为了防止试件"
                                   "代替和造假。2024年起部分地区已推行试件芯片标识。"]),
        CommentarySpec(["4.2.10", "4.2.11"], ["坍落度损失和浇筑中断都会影响混凝土的均匀性，两条一并说明。"]),
        CommentarySpec(["5.0.3"], ["蓄水和淋水试验是检验屋面防水效果最直接的方法。"]),
    ]
    return StandardSpec(
        code="JGJ 999-2024",
        title="住宅工程施工质量检验示例标准",
        title_en="Illustrative standard for inspection of construction quality of residential buildings",
        publish_date=date(2024, 3, 15),
        effective_date=date(2024, 9, 1),
        issuers=["中华人民共和国示例建设部"],
        heading="中华人民共和国行业标准",
        editor="示例建筑科学研究院",
        chapters=[ch1, ch2, ch3, ch4, ch5, app_a, app_b],
        mandatory=["3.1.3", "4.2.3", "5.0.4"],
        commentary=commentary,
        category="J",
    )
