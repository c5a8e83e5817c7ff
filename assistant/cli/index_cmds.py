"""search / index rebuild / index status: the retrieval index from the terminal."""

from __future__ import annotations

import typer

from assistant.cli import app
from assistant.cli.output import echo_json
from assistant.config import get_settings

index_app = typer.Typer(help="检索索引的维护：重建、查看状态。", no_args_is_help=True)
app.add_typer(index_app, name="index")

_KIND_ALIASES = {
    "正文": "body", "条文": "body", "条文说明": "commentary", "说明": "commentary",
    "案例": "case", "问答": "faq", "标准": "standard", "规范": "standard", "指南": "guide",
    "允许偏差": "tolerance", "实测实量": "tolerance",
}
_CLAUSE_KINDS = {"body", "commentary", "case", "faq", "tolerance"}
_DOC_KINDS = {"standard", "guide"}
_KIND_ZH = {"body": "正文", "commentary": "条文说明", "case": "案例", "faq": "问答", "tolerance": "允许偏差"}



def _fail(message: str) -> None:
    typer.echo(f"✘ {message}", err=True)
    raise typer.Exit(1)


def _split_kinds(kinds: list[str]) -> tuple[list[str] | None, list[str] | None]:
    clause, doc = [], []
    for raw in kinds:
        k = _KIND_ALIASES.get(raw.strip(), raw.strip().lower())
        if k in _CLAUSE_KINDS:
            clause.append(k)
        elif k in _DOC_KINDS:
            doc.append(k)
        else:
            _fail(f"未知的类型：{raw}（可选：body 正文、commentary 条文说明、case 案例、faq 问答、standard 标准、guide 指南）")
    return clause or None, doc or None


@app.command()
def search(
    query: str = typer.Argument(..., help="问题、关键词，或“GB55032 3.3.5”这样的条文号"),
    k: int = typer.Option(10, "--k", "-k", min=1, max=100, help="返回条数"),
    mode: str = typer.Option("hybrid", "--mode", help="hybrid（混合）| lexical（关键词）| dense（语义）"),
    kind: list[str] = typer.Option([], "--kind", help="只看某类：body/commentary/case/faq/standard/guide，可重复"),
    code: list[str] = typer.Option([], "--code", help="只在某本规范中查，如 GB55032，可重复"),
    include_withdrawn: bool = typer.Option(False, "--include-withdrawn", help="包括已废止的版本（结果中标明）"),
    mandatory_only: bool = typer.Option(False, "--mandatory-only", help="只看强制性条文"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 数组输出"),
) -> None:
    """检索条文：关键词与语义混合检索，结果标明规范编号和条文号。"""
    from assistant.knowledge import Knowledge
    from assistant.views import SearchFilters, cite
    from index import IndexUnavailable
    from index.embedders import EmbedderError

    if mode not in ("hybrid", "lexical", "dense"):
        _fail(f"未知的检索方式：{mode}（可选：hybrid、lexical、dense）")
    kinds, doc_kinds = _split_kinds(kind)
    try:
        page = Knowledge(get_settings()).search(
            query,
            k=k,
            mode=mode,
            filters=SearchFilters(
                kinds=kinds,
                doc_kinds=doc_kinds,
                codes=code or None,
                include_withdrawn=include_withdrawn,
                mandatory_only=mandatory_only,
            ),
        )
    except (IndexUnavailable, EmbedderError) as exc:
        _fail(str(exc))
        return
    hits, notice = page.hits, page.notice
    if as_json:
        # stdout stays the array of hits (DESIGN.md); a missing clause or standard is said on stderr.
        if notice is not None:
            typer.echo(f"⚠ {notice.message}", err=True)
        echo_json([h.model_dump(mode="json") for h in hits])
        return
    if notice is not None:
        typer.echo(f"⚠ {notice.message}")
        if hits and notice.others:
            typer.echo(f"{notice.others}：")
    if not hits:
        if notice is None:
            typer.echo("没有找到相关条文。")
        return
    for i, h in enumerate(hits, 1):
        tags = [_KIND_ZH.get(h.kind, h.kind)] if h.kind != "body" else []
        if h.mandatory:
            tags.append("强制性条文")
        if h.status != "现行":
            tags.append(h.status + (f"，已被 {h.superseded_by} 替代" if h.superseded_by else ""))
        head = f"{i}. {cite(h.title, h.code, h.clause_no, h.kind, h.edition, bool(h.revision))}" + (f"【{'；'.join(tags)}】" if tags else "")
        typer.echo(f"{head}  {h.score:.4f}")
        if h.clause_title:
            typer.echo(f"   {h.clause_title}")
        typer.echo("   " + h.text.replace("\n", "\n   "))
        if h.commentary:
            typer.echo("   条文说明：" + h.commentary.replace("\n", " ")[:200])


def _sync(*, rebuild: bool, quiet: bool, as_json: bool) -> None:
    """Bring the index in line with the library (``rebuild``: into one fresh base segment) and report it."""
    from assistant.knowledge import station_today
    from corpus.editions import bring_up_to_date
    from corpus.library import Library
    from index import sync_index
    from index.embedders import EmbedderError

    s = get_settings()
    s.ensure_dirs()
    library = Library(s.library_dir)
    # A revision or a new edition whose day has come is written into the library first, so the index holds it.
    refresh = bring_up_to_date(library, station_today(s))
    if not as_json:
        for line in refresh.lines:
            typer.echo(f"· {line}")
    try:
        report = sync_index(library, s.index_dir, embedder_spec=s.embedder,
                            ann_threshold=s.ann_threshold, progress=not quiet and not as_json, rebuild=rebuild)
    except EmbedderError as exc:
        _fail(str(exc))
        return
    if as_json:
        echo_json(report.model_dump(mode="json"))
    else:
        typer.echo(report.summary())


@index_app.command("rebuild")
def rebuild(
    quiet: bool = typer.Option(False, "--quiet", "-q", help="不显示进度条"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出重建报告"),
) -> None:
    """按当前条文库整体重建索引（已向量化的条文从缓存取用，不重复计算）。"""
    _sync(rebuild=True, quiet=quiet, as_json=as_json)


@index_app.command("sync")
def sync(
    quiet: bool = typer.Option(False, "--quiet", "-q", help="不显示进度条"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出同步报告"),
) -> None:
    """按条文库补齐索引（只处理有变化的文档；导入中断后用它修复）。"""
    _sync(rebuild=False, quiet=quiet, as_json=as_json)


@index_app.command("status")
def status(as_json: bool = typer.Option(False, "--json", help="以 JSON 输出")) -> None:
    """索引状态：版本、向量模型、文档与条文数、分段，以及条文库中尚未进入索引的文档（有则退出码为 1）。"""
    from assistant.knowledge import station_today
    from index import IndexUnavailable
    from index.lag import index_lag
    from index.store import IndexStore

    s = get_settings()
    lag = index_lag(s.library_dir, s.index_dir, station_today(s))
    try:
        m = IndexStore(s.index_dir).read_manifest()
    except IndexUnavailable as exc:
        _fail(str(exc))
        return
    if m is None:
        _fail("还没有索引，请先运行 zhijian ingest 导入规范" + (f"（条文库已有 {lag.count} 部文档，"
              "运行 zhijian index sync 建立索引）" if lag.behind else ""))
        return
    info = {
        "version": m.version_id,
        "created_at": m.created_at.isoformat(),
        "embedder": m.embedder,
        "dim": m.dim,
        "analyzer": m.analyzer,
        "documents": len(m.docs),
        "clauses": m.live_rows,
        "rows_on_disk": m.total_rows,
        "segments": [s_.model_dump() for s_ in m.segments],
        "configured_embedder": s.embedder,
        "behind_library": {"missing": lag.missing, "changed": lag.changed, "removed": lag.removed,
                           "switch_due": lag.due.isoformat() if lag.due else None},
    }
    if as_json:
        echo_json(info)
        if lag.behind:
            raise typer.Exit(1)
        return
    typer.echo(f"索引版本 {m.version_id}（{m.created_at:%Y-%m-%d %H:%M}）")
    typer.echo(f"向量模型 {m.embedder}，{m.dim} 维；分词 {m.analyzer}")
    typer.echo(f"文档 {len(m.docs)} 份，条文 {m.live_rows} 条；分段 {len(m.segments)} 个（磁盘上 {m.total_rows} 行）")
    for seg in m.segments:
        typer.echo(f"  {seg.id}：{seg.rows} 行，{'基础段' if seg.base else '增量段'}，向量索引 {seg.dense}")
    if lag.behind:
        typer.secho(f"⚠ {lag.describe()}。运行 zhijian index sync 补齐索引。", fg=typer.colors.YELLOW, err=True)
        raise typer.Exit(1)
