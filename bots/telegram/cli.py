"""``zhijian bot``: run the Telegram bot (registered on the zhijian command through an entry point)."""

from __future__ import annotations

import logging
import secrets

import typer

from assistant.config import get_settings


def register(app: typer.Typer) -> None:
    app.command()(bot)


def bot(
    webhook_url: str = typer.Option(None, "--webhook-url",
                                    help="改用 webhook：Telegram 推送更新的 HTTPS 地址（含路径）；默认长轮询"),
    listen: str = typer.Option("127.0.0.1", "--listen", help="webhook 模式的监听地址（通常在反向代理之后）"),
    port: int = typer.Option(8443, "--port", min=1, max=65535, help="webhook 模式的端口"),
    path: str = typer.Option("/telegram/webhook", "--path", help="webhook 模式的本地路径"),
    secret: str = typer.Option(None, "--secret", envvar="ZHIJIAN_TELEGRAM_WEBHOOK_SECRET",
                               help="webhook 密钥（Telegram 每次推送时附带）；默认每次启动随机生成"),
    drop_pending: bool = typer.Option(False, "--drop-pending", help="丢弃机器人离线期间积压的消息"),
    rate_burst: int = typer.Option(8, "--rate-burst", min=1, help="每个会话允许连续发送的消息数"),
    rate_per_minute: float = typer.Option(20, "--rate-per-minute", min=0.1, help="此后每分钟允许的消息数"),
    log_level: str = typer.Option("info", "--log-level", help="日志级别：debug、info、warning、error"),
) -> None:
    """启动 Telegram 机器人（令牌取自环境变量 ZHIJIAN_TELEGRAM_TOKEN）。"""
    from assistant.core import Assistant
    from assistant.store.errors import StoreError
    from bots.outbox import notifications
    from bots.telegram import BotConfig, build_application, run_polling

    settings = get_settings()
    if not settings.telegram_token:
        typer.secho("错误：未设置 ZHIJIAN_TELEGRAM_TOKEN。请先在 Telegram 中找 @BotFather 创建机器人并取得令牌，"
                    "详见 bots/README.md。", fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per poll otherwise
    assistant = Assistant(settings)
    try:
        assistant.check_db()
    except StoreError as exc:
        typer.secho(f"错误：{exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    config = BotConfig(rate_burst=rate_burst, rate_per_minute=rate_per_minute)
    application = build_application(assistant, settings.telegram_token, base_url=settings.telegram_base_url,
                                    config=config, webhook=bool(webhook_url), setup=True)
    with notifications(assistant, settings):
        if webhook_url:
            from bots.telegram.webhook import serve_webhook

            typer.echo(f"质监助手机器人（webhook）：{webhook_url} -> http://{listen}:{port}{path}。按 Ctrl+C 停止。")
            serve_webhook(application, url=webhook_url, listen=listen, port=port, path=path,
                          secret_token=secret or secrets.token_urlsafe(32))
            return
        typer.echo("质监助手机器人已启动（长轮询）。按 Ctrl+C 停止。")
        run_polling(application, drop_pending_updates=drop_pending)

