"""``zhijian serve``: the HTTP API and the mobile web page (registered through an entry point)."""

from __future__ import annotations

import typer

from assistant.config import get_settings

_ROLE_ORDER = ("admin", "inspector", "contractor", "expert")
_ROLE_ZH = {"admin": "管理员", "inspector": "监督员", "contractor": "企业用户", "expert": "服务团专家"}


def register(app: typer.Typer) -> None:
    app.command()(serve)


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址；0.0.0.0 对局域网开放"),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="端口"),
    demo: bool = typer.Option(None, "--demo/--no-demo",
                              help="载入演示数据并签发演示令牌；默认：内置数据库且为空库或已有演示数据时载入"),
    log_level: str = typer.Option("warning", "--log-level", help="uvicorn 日志级别：info、warning、error"),
    forwarded_allow_ips: str = typer.Option("127.0.0.1", "--forwarded-allow-ips",
                                            help="信任其 X-Forwarded-For 的反向代理地址（限流按真实来源地址计）"),
) -> None:
    """启动 HTTP 接口和手机网页（uvicorn）。"""
    import logging

    import uvicorn

    from api.app import configured_channels, create_app
    from assistant.outbox import configured_senders, describe
    from assistant.setup import prepare_installation

    logging.getLogger("httpx").setLevel(logging.WARNING)  # its INFO lines carry chat channels' access tokens
    settings = get_settings()
    channels = configured_channels(settings)
    senders = configured_senders(settings) if settings.notify_worker else []
    application = create_app(settings, channels=channels, senders=senders)
    assistant = application.state.services.assistant
    demo_tokens = prepare_installation(assistant, demo)
    repair = assistant.library.repair_index("服务启动检查")
    if repair is not None:
        typer.secho(f"⚠ {assistant.knowledge.lag().describe()}；已在后台补齐索引（任务 {repair.id[:8]}）。",
                    fg=typer.colors.YELLOW, err=True)
    typer.echo("正在加载检索索引和向量模型…")
    try:
        assistant.warm_up()
        info = assistant.knowledge.status()
        typer.echo(f"索引已加载：{info.documents} 部文档，{info.clauses} 条。")
    except Exception as exc:
        typer.secho(f"⚠ 检索暂不可用：{exc}", fg=typer.colors.YELLOW, err=True)
        typer.secho("  先导入规范再启动：zhijian ingest corpus/sample", fg=typer.colors.YELLOW, err=True)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown}:{port}/"
    typer.echo(f"质监助手已启动：{url}   接口文档：{url}docs")
    if senders:
        typer.echo(f"消息提醒：经 {describe(senders)} 推送给已绑定的用户。")
    if demo_tokens:
        typer.echo("演示令牌（演示数据专用，每次启动重新签发；在网页“我的”中填写）：")
        for role in _ROLE_ORDER:
            if role in demo_tokens:
                typer.echo(f"  {_ROLE_ZH[role]:<6}{demo_tokens[role]}")
    typer.echo("按 Ctrl+C 停止。")
    uvicorn.run(application, host=host, port=port, log_level=log_level, proxy_headers=True,
                forwarded_allow_ips=forwarded_allow_ips, server_header=False)
