"""ingest / docs / show / retire / remove: managing the knowledge library from the terminal."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from assistant.cli import app
from assistant.cli.output import echo_json
from assistant.cli.store_common import parse_date
from assistant.config import get_settings
from assistant.knowledge import Knowledge, station_today
from assistant.store.errors import StoreError
from corpus.editions import bring_up_to_date, replacement_note
from corpus.ingest import FileReport, Outcome, ingest_batch
from corpus.library import Library
from corpus.models import DocStatus

_OUTCOME_ZH = {Outcome.added: "新增", Outcome.replaced: "更新", Outcome.unchanged: "未变化", Outcome.failed: "失败"}


def _library() -> Library:
    s = get_settings()
    s.ensure_dirs()
    return Library(s.library_dir)



def update_index(progress: bool = True, up_to_date: bool = False) -> str | None:
    """Bring the search index in line with the library; returns a Chinese summary, None if no index module.

    First writes into the library what took effect by the station's today, unless the caller just did
    (``up_to_date``: an ingest brings the library up to date itself).
    """
    try:
        from index import sync_index
    except ImportError:
        return None
    s = get_settings()
    library = Library(s.library_dir)
    lines = [] if up_to_date else bring_up_to_date(library, station_today(s)).lines
    report = sync_index(library, s.index_dir, embedder_spec=s.embedder, ann_threshold=s.ann_threshold,
                        progress=progress)
    return "\n".join([*(f"· {line}" for line in lines), str(report)])


def _line(r: FileReport) -> str:
    if r.outcome is Outcome.failed:
        return f"✘ {r.error}"
    if r.revision:
        mark = "✔" if r.outcome is not Outcome.unchanged else "="
        edition = f"，修订后为{r.edition}" if r.edition else ""
        return (f"{mark} {_OUTCOME_ZH[r.outcome]} 局部修订公告 {r.revision}：{r.code}《{r.title}》第{'、'.join(r.revised)}条，"
                f"自 {r.effective_date} 起实施{edition}（{r.path}）")
    head = f"{'✔' if r.outcome is not Outcome.unchanged else '='} {_OUTCOME_ZH[r.outcome]} {r.code}《{r.title}》"
    body = f"正文 {r.clauses} 条"
    if r.commentary:
        body += f"，条文说明 {r.commentary} 条"
    if r.mandatory:
        body += f"，强制性条文 {r.mandatory} 条"
    if r.ocr_pages:
        body += f"，其中 {r.ocr_pages} 页为扫描件经文字识别导入"
    return f"{head}：{body}（{r.path}）"


@app.command()
def ingest(
    paths: list[Path] = typer.Argument(..., help="文件或文件夹（PDF、Word、Markdown、文本、HTML、rst、JSONL、YAML）"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出每个文件的结果"),
    no_index: bool = typer.Option(False, "--no-index", help="只更新条文库，不更新检索索引"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="不显示进度条"),
) -> None:
    """导入规范、标准、案例和问答：逐个文件报告条文数与警告；未变化的文件自动跳过。"""
    lib = _library()
    reports, refresh = ingest_batch(paths, lib, progress=not quiet and not as_json, ocr=get_settings().ocr_options(),
                                    today=station_today(get_settings()))
    failed = [r for r in reports if r.outcome is Outcome.failed]
    index_note = None
    if not no_index:
        # Always, not only when a file changed: an earlier run may have stopped (kill -9, a full disk) after the
        # library was written and before the index was; sync finds that from file stamps and costs nothing else.
        index_note = update_index(progress=not quiet and not as_json, up_to_date=True)
    if as_json:
        echo_json({"files": [r.__dict__ for r in reports], "index": index_note, "library": refresh.lines})
    else:
        for r in reports:
            typer.echo(_line(r), err=r.outcome is Outcome.failed)
            for w in r.warnings:
                typer.echo(f"    ⚠ {w}")
            doc = lib.get(r.code) if r.code and r.outcome is not Outcome.failed and not r.revision else None
            if doc is not None and (note := replacement_note(doc, lib)):
                typer.echo(f"    ⓘ {doc.code} {note}")
        for line in refresh.lines:
            typer.echo(f"· {line}")
        docs = lib.summaries()
        typer.echo(
            f"共处理 {len(reports)} 个文件：成功 {len(reports) - len(failed)}，失败 {len(failed)}。"
            f"条文库现有文档 {len(docs)} 部，正文条文 {sum(d.clauses for d in docs)} 条。"
        )
        if index_note:
            typer.echo(index_note)
    if not reports:
        typer.echo("没有找到可导入的文件。", err=True)
        raise typer.Exit(2)
    if failed:
        raise typer.Exit(1)


@app.command()
def docs(as_json: bool = typer.Option(False, "--json", help="JSON 输出")) -> None:
    """列出条文库中的文档（编号、名称、状态、条文数）。"""
    summaries = _library().summaries()
    if as_json:
        echo_json([s.model_dump(mode="json") for s in summaries])
        return
    if not summaries:
        typer.echo("条文库为空。请先运行：zhijian ingest <文件或文件夹>")
        return
    for s in summaries:
        flags = [f"即将实施（{s.effective_date} 起）" if s.status is DocStatus.upcoming and s.effective_date
                 else s.status.value]
        if s.edition:
            flags.append(s.edition)
        elif s.revisions:
            flags.append("经局部修订")
        if s.illustrative:
            flags.append("示例")
        if s.superseded_by:
            flags.append(f"已被 {s.superseded_by} 代替")
        if s.replaces:
            flags.append(f"{'届时代替' if s.status is DocStatus.upcoming else '代替'} {'、'.join(s.replaces)}")
        typer.echo(f"{s.code}\t《{s.title}》\t{'，'.join(flags)}\t正文 {s.clauses} 条，条文说明 {s.commentary} 条")
    typer.echo(f"共 {len(summaries)} 部文档，正文条文 {sum(s.clauses for s in summaries)} 条。")


def _knowledge() -> Knowledge:
    s = get_settings()
    s.ensure_dirs()
    return Knowledge(s)


@app.command()
def show(
    ref: list[str] = typer.Argument(..., help="标准编号及条号，如 GB55032 3.3.5、55032-2022 第3.3.5条"),
    at: str = typer.Option(None, "--at", help="显示该日期施行的条文文本（如 2020-01-01）；默认今天"),
    as_json: bool = typer.Option(False, "--json", help="JSON 输出"),
) -> None:
    """显示一条条文（局部修订过的条文同时列出被替换的原文）；不给条号时按顺序显示整部文档的全部条文。"""
    day: date | None = None
    try:
        day = parse_date(at, "日期")
    except StoreError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    kb = _knowledge()
    code, clause_no = kb.parse_reference(ref)
    doc = kb.library_document(code) if code else None
    if doc is None:
        typer.echo(f"条文库中没有找到标准“{' '.join(ref)}”。可用 zhijian docs 查看已导入的文档。", err=True)
        raise typer.Exit(1)
    if clause_no:
        view = kb.library_clause(doc.code, clause_no, day)
        if view is None:
            typer.echo(f"{doc.code}《{doc.title}》中没有第{clause_no}条。", err=True)
            raise typer.Exit(1)
        if as_json:
            echo_json(view)
            return
        badge = "【强制性条文】" if view.mandatory else ""
        typer.echo(f"{view.citation}{badge}（{view.status}）")
        if view.section or view.chapter:
            typer.echo(f"{view.chapter} / {view.section}".strip(" /"))
        if day is not None:
            typer.echo(f"〔{day} 施行的文本〕")
        if view.revision:
            typer.echo(f"〔经 {view.revision} 修订，自 {view.effective_from} 起施行〕")
        typer.echo(view.text)
        if view.commentary:
            typer.echo(f"\n【条文说明】{view.commentary}")
        for v in view.upcoming:
            typer.echo(f"\n【即将施行】{v.notice}，自 {v.effective_from} 起改为：{v.text}")
        for v in view.superseded:
            span = f"{v.effective_from or '发布时'} 至 {v.effective_until} 前施行"
            origin = f"经 {v.notice} 修订" if v.notice else "原文"
            typer.echo(f"\n【被替换的文本】（{origin}，{span}）{v.text}")
        return
    if as_json:
        echo_json(doc)
        return
    typer.echo(f"《{doc.title}》{doc.code}{f'（{doc.edition}）' if doc.edition else ''}（{doc.status}）")
    chapter = None
    for c in doc.clauses:
        if c.chapter and c.chapter != chapter:
            chapter = c.chapter
            typer.echo(f"\n{chapter}")
        mark = "★" if c.mandatory else " "
        kind = "［说明］" if c.kind == "commentary" else ""
        typer.echo(f"{mark}{c.clause_no} {kind}{c.text}")


@app.command()
def retire(
    code: str = typer.Argument(..., help="要废止的标准编号"),
    superseded_by: str = typer.Option(None, "--by", help="替代它的新标准编号"),
) -> None:
    """将标准标记为废止（检索默认不再返回，按需检索时会注明已废止）。"""
    lib = _library()
    resolved = _knowledge().library_code(code)
    if resolved is None:
        typer.echo(f"条文库中没有找到标准“{code}”。", err=True)
        raise typer.Exit(1)
    with lib.writing():
        lib.set_status(resolved, DocStatus.withdrawn, superseded_by)
    typer.echo(f"已将 {resolved} 标记为废止" + (f"，由 {superseded_by} 替代。" if superseded_by else "。"))
    note = update_index(progress=False)
    if note:
        typer.echo(note)


@app.command()
def remove(code: str = typer.Argument(..., help="要从条文库删除的标准编号")) -> None:
    """从条文库删除一部文档。"""
    lib = _library()
    resolved = _knowledge().library_code(code)
    if resolved is None:
        typer.echo(f"条文库中没有找到标准“{code}”。", err=True)
        raise typer.Exit(1)
    with lib.writing():
        lib.remove(resolved)
    typer.echo(f"已删除 {resolved}。")
    note = update_index(progress=False)
    if note:
        typer.echo(note)
