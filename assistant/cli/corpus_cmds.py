"""ingest / docs / show / retire / remove: managing the knowledge library from the terminal."""

from __future__ import annotations

import logging
from pathlib import Path

import typer

from assistant.cli import app
from assistant.cli.output import echo_json
from assistant.config import get_settings
from corpus.ingest import FileReport, Outcome, ingest_paths
from corpus.library import Library
from corpus.models import DocStatus
from index.query import parse_query, resolve_code

_OUTCOME_ZH = {Outcome.added: "新增", Outcome.replaced: "更新", Outcome.unchanged: "未变化", Outcome.failed: "失败"}


def _library() -> Library:
    s = get_settings()
    s.ensure_dirs()
    return Library(s.library_dir)



def update_index(progress: bool = True) -> str | None:
    """Bring the search index in line with the library; returns a Chinese summary, None if no index module."""
    try:
        from index import sync_index
    except ImportError:
        return None
    s = get_settings()
    report = sync_index(
        Library(s.library_dir), s.index_dir, embedder_spec=s.embedder, ann_threshold=s.ann_threshold, progress=progress
    )
    return str(report)


def _line(r: FileReport) -> str:
    if r.outcome is Outcome.failed:
        return f"✘ {r.error}"
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
    logging.basicConfig(level=logging.WARNING)
    lib = _library()
    reports = ingest_paths(paths, lib, progress=not quiet and not as_json)
    failed = [r for r in reports if r.outcome is Outcome.failed]
    changed = any(r.outcome in (Outcome.added, Outcome.replaced) for r in reports)
    index_note = None
    if not no_index and (changed or not get_settings().index_dir.exists()):
        index_note = update_index(progress=not quiet and not as_json)
    if as_json:
        echo_json({"files": [r.__dict__ for r in reports], "index": index_note})
    else:
        for r in reports:
            typer.echo(_line(r), err=r.outcome is Outcome.failed)
            for w in r.warnings:
                typer.echo(f"    ⚠ {w}")
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
        flags = [s.status.value]
        if s.illustrative:
            flags.append("示例")
        if s.superseded_by:
            flags.append(f"被 {s.superseded_by} 替代")
        typer.echo(f"{s.code}\t《{s.title}》\t{'，'.join(flags)}\t正文 {s.clauses} 条，条文说明 {s.commentary} 条")
    typer.echo(f"共 {len(summaries)} 部文档，正文条文 {sum(s.clauses for s in summaries)} 条。")


def _clause_json(doc, c) -> dict:
    return {
        "code": doc.code,
        "title": doc.title,
        "status": doc.status.value,
        "clause_no": c.clause_no,
        "kind": c.kind.value,
        "mandatory": c.mandatory,
        "chapter": c.chapter,
        "section": c.section,
        "title_line": c.title,
        "text": c.text,
        "pages": c.pages,
        "refers_to": c.refers_to,
    }


def _codes(lib: Library) -> tuple[list[str], dict[str, str], list[str]]:
    docs = lib.documents()
    current = [d.code for d in docs if d.status is DocStatus.current]
    return [d.code for d in docs], {d.code: d.title for d in docs}, current


def _resolve_code(lib: Library, text: str) -> str | None:
    codes, _, current = _codes(lib)
    return resolve_code(text, codes, current)


def _resolve_ref(lib: Library, ref: list[str]) -> tuple[str | None, str | None]:
    """('GB55032', '3.3.5'), ('55032-2022 第3.3.5条',), ('ZJ-CASE-2025', 'AL-001') -> (code, clause_no).

    The same reading of a reference as search uses (index.query), over the library's documents.
    """
    codes, titles, current = _codes(lib)
    if len(ref) >= 2:
        code = resolve_code(ref[0], codes, current)
        if code is not None:
            rest = " ".join(ref[1:]).strip()
            entry = parse_query(rest, []).clause_no or rest.removeprefix("第").removesuffix("条").strip()
            return code, entry or None
    text = " ".join(ref)
    code = resolve_code(text, codes, current)
    if code is not None and parse_query(text, codes, titles, current).clause_no is None:
        return code, None
    parsed = parse_query(text, codes, titles, current)
    return parsed.code, parsed.clause_no


@app.command()
def show(
    ref: list[str] = typer.Argument(..., help="标准编号及条号，如 GB55032 3.3.5、55032-2022 第3.3.5条"),
    as_json: bool = typer.Option(False, "--json", help="JSON 输出"),
) -> None:
    """显示一条条文；不给条号时按顺序显示整部文档的全部条文。"""
    lib = _library()
    code, clause_no = _resolve_ref(lib, ref)
    if code is None:
        typer.echo(f"条文库中没有找到标准“{' '.join(ref)}”。可用 zhijian docs 查看已导入的文档。", err=True)
        raise typer.Exit(1)
    doc = lib.get(code)
    assert doc is not None
    if clause_no:
        matches = [c for c in doc.clauses if c.clause_no == clause_no]
        if not matches:
            typer.echo(f"{doc.code}《{doc.title}》中没有第{clause_no}条。", err=True)
            raise typer.Exit(1)
        main = next((c for c in matches if c.kind.value != "commentary"), matches[0])
        note = next((c for c in matches if c.kind.value == "commentary"), None)
        if as_json:
            out = _clause_json(doc, main)
            out["commentary"] = note.text if note and note is not main else None
            echo_json(out)
            return
        badge = "【强制性条文】" if main.mandatory else ""
        where = f"{main.clause_no}" if main.kind.value in ("case", "faq") else f"第{main.clause_no}条"
        typer.echo(f"《{doc.title}》{doc.code} {where}{badge}（{doc.status.value}）")
        if main.section or main.chapter:
            typer.echo(f"{main.chapter} / {main.section}".strip(" /"))
        typer.echo(main.text)
        if note and note is not main:
            typer.echo(f"\n【条文说明】{note.text}")
        return
    if as_json:
        echo_json(
            {
                "code": doc.code,
                "title": doc.title,
                "status": doc.status.value,
                "kind": doc.kind.value,
                "effective_date": doc.effective_date,
                "superseded_by": doc.superseded_by,
                "illustrative": doc.illustrative,
                "clauses": [
                    {"clause_no": c.clause_no, "text": c.text, "kind": c.kind.value, "mandatory": c.mandatory,
                     "chapter": c.chapter, "section": c.section, "pages": c.pages}
                    for c in doc.clauses
                ],
            }
        )
        return
    typer.echo(f"《{doc.title}》{doc.code}（{doc.status.value}）")
    chapter = None
    for c in doc.clauses:
        if c.chapter and c.chapter != chapter:
            chapter = c.chapter
            typer.echo(f"\n{chapter}")
        mark = "★" if c.mandatory else " "
        kind = "［说明］" if c.kind.value == "commentary" else ""
        typer.echo(f"{mark}{c.clause_no} {kind}{c.text}")


@app.command()
def retire(
    code: str = typer.Argument(..., help="要废止的标准编号"),
    superseded_by: str = typer.Option(None, "--by", help="替代它的新标准编号"),
) -> None:
    """将标准标记为废止（检索默认不再返回，按需检索时会注明已废止）。"""
    lib = _library()
    resolved = _resolve_code(lib, code)
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
    resolved = _resolve_code(lib, code)
    if resolved is None:
        typer.echo(f"条文库中没有找到标准“{code}”。", err=True)
        raise typer.Exit(1)
    with lib.writing():
        lib.remove(resolved)
    typer.echo(f"已删除 {resolved}。")
    note = update_index(progress=False)
    if note:
        typer.echo(note)
