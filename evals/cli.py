"""``zhijian eval``: run the evaluation harness (evals/run.py); registered through an entry point."""

from __future__ import annotations

from pathlib import Path

import typer

from assistant.cli.output import echo_json

_SETS = ("real", "sample", "unanswerable")


def register(app: typer.Typer) -> None:
    app.command("eval")(eval_)


def eval_(
    split: str = typer.Option("all", "--split", help="dev（开发集）| test（测试集）| all（两者）"),
    sets: list[str] = typer.Option([], "--sets", help="题集：real / sample / unanswerable，可重复或用逗号分隔；默认全部"),
    questions: list[Path] = typer.Option([], "--questions", help="任意同格式的 JSONL 题目文件，可重复；只给它时只评这些"),
    data_dir: Path | None = typer.Option(None, "--data-dir", help="使用已有的安装目录（默认构建评测安装：示例语料 + 真实规范）"),
    out: Path | None = typer.Option(None, "--out", help="结果目录（默认 evals/results）"),
    quiet: bool = typer.Option(False, "--quiet", help="不显示进度"),
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出全部数字"),
) -> None:
    """评测：各检索方式与通用 RAG 基线的召回、问答引用准确率、拒答与延迟，结果写入 evals/results。"""
    from evals import report
    from evals.run import RESULTS, QuestionFileError, run

    if split not in ("dev", "test", "all"):
        typer.echo(f"✘ 未知的划分：{split}（可选：dev、test、all）", err=True)
        raise typer.Exit(1)
    sets = [x.strip() for s in sets for x in s.split(",") if x.strip()]
    bad = [s for s in sets if s not in _SETS]
    if bad:
        typer.echo(f"✘ 未知的题集：{'、'.join(bad)}（可选：{'、'.join(_SETS)}）", err=True)
        raise typer.Exit(1)
    out = out or RESULTS
    command = "zhijian eval" + (f" --split {split}" if split != "all" else "")
    command += "".join(f" --sets {s}" for s in sets) + "".join(f" --questions {q}" for q in questions)
    try:
        results = run(split, sets or None, questions, out, data_dir, progress=not quiet and not as_json, command=command)
    except (QuestionFileError, FileNotFoundError) as exc:
        typer.echo(f"✘ {exc}", err=True)
        raise typer.Exit(1) from exc
    if as_json:
        echo_json(results)
        return
    typer.echo(report.console_summary(results))
    typer.echo(f"结果已写入 {out}：eval_results.md、eval_results.json、eval_details.jsonl、eval_chart.png")
