"""``zhijian wecom``: run the WeCom callback on its own (behind the station's reverse proxy)."""

from __future__ import annotations

import asyncio
import logging

import typer

from bots.wecom import DEFAULT_PATH


def register(app: typer.Typer) -> None:
    """Add the ``wecom`` command to ``app``."""
    app.command("wecom")(wecom)


def wecom(
    listen: str = typer.Option("127.0.0.1", "--listen", help="监听地址（通常在反向代理之后）"),
    port: int = typer.Option(8090, "--port", min=1, max=65535, help="端口"),
    path: str = typer.Option(DEFAULT_PATH, "--path", help="回调路径，与企业微信后台填写的 URL 路径一致"),
    set_menu: bool = typer.Option(False, "--set-menu", help="启动前设置应用菜单（问规范、办事、更多）"),
    rate_burst: int = typer.Option(8, "--rate-burst", min=1, help="每个成员允许连续发送的消息数"),
    rate_per_minute: float = typer.Option(20, "--rate-per-minute", min=0.1, help="此后每分钟允许的消息数"),
    log_level: str = typer.Option("info", "--log-level", help="日志级别：debug、info、warning、error"),
) -> None:
    """启动企业微信自建应用的回调服务（配置取自环境变量 ZHIJIAN_WECOM_*，详见 bots/README.md）。"""
    import uvicorn

    from assistant.config import get_settings
    from assistant.core import Assistant
    from assistant.store.errors import StoreError
    from bots.outbox import notifications
    from bots.wecom.app import build_callback, missing_settings, wecom_app
    from bots.wecom.client import WeComAPIError
    from bots.wecom.crypto import WeComCryptoError
    from bots.wecom.handlers import ChannelConfig
    from bots.wecom.texts import menu

    settings = get_settings()
    missing = missing_settings(settings)
    if missing:
        typer.secho("错误：企业微信未配置完整，缺少环境变量：" + "、".join(missing) + "。"
                    "请先在企业微信管理后台创建自建应用并设置“接收消息”，详见 bots/README.md。",
                    fg=typer.colors.RED, err=True)
        raise typer.Exit(1)
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its request lines carry the access token
    assistant = Assistant(settings)
    try:
        assistant.check_db()
    except StoreError as exc:
        typer.secho(f"错误：{exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    try:
        callback = build_callback(assistant, settings,
                                  config=ChannelConfig(rate_burst=rate_burst, rate_per_minute=rate_per_minute))
    except WeComCryptoError as exc:
        typer.secho(f"错误：ZHIJIAN_WECOM_AES_KEY 不可用：{exc.reason}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    if set_menu:
        async def push_menu() -> None:
            try:
                await callback.client.create_menu(menu())
            finally:
                await callback.client.aclose()

        try:
            asyncio.run(push_menu())
        except WeComAPIError as exc:
            typer.secho(f"错误：应用菜单设置失败：{exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(1) from None
        typer.echo("应用菜单已设置。")
    typer.echo(f"质监助手企业微信回调：http://{listen}:{port}{path}（企业微信后台“接收消息”的 URL 应转发到这里）。"
               "按 Ctrl+C 停止。")
    with notifications(assistant, settings):
        uvicorn.run(wecom_app(callback, path=path), host=listen, port=port, log_level="warning",
                    server_header=False, proxy_headers=True)
