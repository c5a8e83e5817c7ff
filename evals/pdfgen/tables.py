"""A synthetic standard made of tables, for measuring table row recall on generated PDFs.

Original, illustrative text written for these evaluations (not quoted from any standard): tables
of the kinds real standards print — tolerances with ± values, a wide table whose long cells wrap,
a first column of numbers, units in the header, notes under the table.
"""

from __future__ import annotations

from datetime import date

from evals.pdfgen.spec import ChapterSpec, ClauseSpec, SectionSpec, StandardSpec, TableSpec


def tables_spec() -> StandardSpec:
    C, T = ClauseSpec, TableSpec
    ch1 = ChapterSpec("1", "总则", [
        C("1.0.1", "为示例表格的排版与解析，编写本示例标准；表中数值仅作示例，不得作为工程依据。"),
        C("1.0.2", "本示例标准的表格应按其编号与条文对应。"),
    ])
    ch3 = ChapterSpec("3", "允许偏差", sections=[
        SectionSpec("3.1", "模板与钢筋", [
            C("3.1.1", "模板安装的允许偏差应符合表3.1.1的规定。", table=T("表3.1.1　模板安装允许偏差示例", [
                ["项目", "允许偏差（mm）", "检验方法"],
                ["轴线位置", "5", "尺量"],
                ["底模上表面标高", "±5", "水准仪或拉线、尺量"],
                ["相邻模板表面高差", "2", "尺量"],
                ["表面平整度", "5", "2m靠尺和塞尺量测"],
            ])),
            C("3.1.2", "钢筋安装的允许偏差和检查数量应符合表3.1.2的规定。", table=T(
                "表3.1.2　钢筋安装允许偏差及检查数量示例", [
                    ["项次", "项目", "允许偏差（mm）", "检查数量", "检验方法"],
                    ["1", "受力钢筋的间距", "±10", "每检验批抽查构件数量的10%，且不少于3件",
                     "尺量两端、中间各一点，取最大偏差值"],
                    ["2", "受力钢筋的排距", "±5", "同第1项", "尺量"],
                    ["3", "绑扎箍筋、横向钢筋间距", "±20", "同第1项", "尺量连续三档，取最大偏差值"],
                    ["4", "纵向受力钢筋保护层厚度（板、墙、壳）", "±3", "同第1项", "尺量"],
                ], ["注：检查中心线位置时，沿纵、横两个方向量测，并取其中偏差的较大值。"])),
        ]),
        SectionSpec("3.2", "养护与试验", [
            C("3.2.1", "混凝土的养护时间不应少于表3.2.1的规定。", table=T("表3.2.1　混凝土养护时间示例", [
                ["水泥品种", "一般混凝土（d）", "抗渗混凝土（d）", "大体积混凝土（d）"],
                ["硅酸盐水泥", "7", "14", "14"],
                ["普通硅酸盐水泥", "7", "14", "14"],
                ["矿渣硅酸盐水泥", "14", "14", "21"],
            ])),
            C("3.2.2", "试块留置数量应按表3.2.2确定。", table=T("表3.2.2　试块留置数量示例", [
                ["浇筑量（m³）", "标准养护试块（组）"],
                ["≤100", "1"],
                ["100～500", "2"],
                [">500", "每增加500m³增加1组"],
            ])),
            C("3.2.3", "层高与垂直度允许偏差应按表3.2.3采用。", table=T("表3.2.3　垂直度允许偏差示例", [
                ["层高（m）", "允许偏差（mm）", "检验方法"],
                ["3.0", "8", "经纬仪或吊线、尺量"],
                ["6.0", "10", "经纬仪或吊线、尺量"],
                ["9.0", "12", "经纬仪、尺量"],
            ])),
            C("3.2.4", "试验报告应在龄期后7d内出具。"),
        ]),
    ])
    return StandardSpec(
        code="JGJ 998-2024",
        title="表格排版示例标准",
        title_en="Illustrative standard of tables",
        publish_date=date(2024, 3, 15),
        effective_date=date(2024, 9, 1),
        issuers=["中华人民共和国示例建设部"],
        heading="中华人民共和国行业标准",
        editor="示例建筑科学研究院",
        chapters=[ch1, ch3],
        mandatory=[],
        category="J",
        source="synthetic_tables",
    )
