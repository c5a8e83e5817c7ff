"""The FastAPI application: routers, error handling, limits, metrics, the web page and offline API docs.

``create_app(settings)`` builds an independent app (tests build several);
``zhijian serve`` runs one with uvicorn.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import errors
from api.middleware import BodyLimitMiddleware, ObserveMiddleware
from api.ratelimit import RateLimitMiddleware
from api.routers import (
    admin,
    attachments,
    bookings,
    credit,
    documents,
    followup,
    inspections,
    knowledge,
    notifications,
    ops,
    rectifications,
    visits,
)
from api.schemas import Problem
from api.services import Services
from assistant.config import Settings, get_settings
from assistant.core import Assistant
from assistant.outbox import Sender
from assistant.plugins import configured_plugins

log = logging.getLogger("api")

STATIC_DIR = Path(__file__).resolve().parent / "static"
VERSION = "1.0.0"
DESCRIPTION = """质监助手（县级建设工程质量监督站）的 HTTP 接口：规范条文检索与问答（答案引用条文）、监督预约、
企业信用查询、质量服务团上门服务申请、整改通知单。

**身份**：在请求头中附带 `Authorization: Bearer <访问令牌>`；令牌由质监站管理员签发（`zhijian tokens issue`）。
不带令牌可以检索、提问和查看企业信用等级。

**错误**：一律以 `application/problem+json` 返回，`detail` 为中文说明，`code` 为稳定的错误码。

**限流**：按令牌（无令牌时按来源地址）计数，超过时返回 429 和 `Retry-After`。"""

_ERRORS = {
    401: "需要登录或令牌无效",
    403: "无权操作",
    404: "未找到",
    409: "与现有数据冲突（如重复预约、容量已满、有未销项整改）",
    413: "请求内容过大",
    422: "输入有误",
    429: "请求过于频繁",
    503: "数据库或索引暂不可用",
}
COMMON_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "description": text} for code, text in _ERRORS.items()
}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated schema, with error responses declared as application/problem+json."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes,
                         tags=app.openapi_tags)
    for path_item in schema.get("paths", {}).values():
        for op in path_item.values():
            for status, resp in op.get("responses", {}).items():
                content = resp.get("content", {})
                if status[:1] in "45" and "application/json" in content:
                    content[errors.PROBLEM_JSON] = content.pop("application/json")
    app.openapi_schema = schema
    return schema


# The two files of Swagger UI 5 (which reads the OpenAPI 3.1 document FastAPI serves) the docs page needs.
_DOCS_ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css")


def _docs(app: FastAPI) -> None:
    """Swagger UI 5 from the swagger-ui-py package (pinned in pyproject), so /docs works with no internet."""
    try:
        import swagger_ui
    except ImportError:  # pragma: no cover - depends on the install
        log.warning("swagger-ui-py not installed: /docs unavailable")
        return
    assets = Path(swagger_ui.__file__).resolve().parent / "static"

    @app.get("/docs/assets/{name}", include_in_schema=False)
    def docs_asset(name: str) -> FileResponse:
        if name not in _DOCS_ASSETS:
            raise StarletteHTTPException(404)
        media = "text/css" if name.endswith(".css") else "text/javascript"
        return FileResponse(assets / name, media_type=media, headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="质监助手 API 文档",
                                   swagger_js_url="/docs/assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs/assets/swagger-ui.css",
                                   swagger_favicon_url="/static/icon.svg",
                                   swagger_ui_parameters={"defaultModelsExpandDepth": 0, "docExpansion": "list"})


# A chat channel served by the same process (e.g. the WeCom callback): adds its routes to the app and
# returns what runs for the app's lifetime.
ServerChannel = Callable[[FastAPI, Assistant], AbstractAsyncContextManager[None]]
SERVER_CHANNELS = "zhijian.server_channels"


def configured_channels(settings: Settings) -> list[ServerChannel]:
    """The channels installed through the ``zhijian.server_channels`` entry points that ``settings`` configure."""
    return configured_plugins(SERVER_CHANNELS, settings)


def create_app(settings: Settings | None = None, *, channels: Sequence[ServerChannel] = (),
               senders: Sequence[Sender] = ()) -> FastAPI:
    """A complete app over one installation (``settings.data_dir`` / ``database_url``), plus ``channels``;
    with ``senders``, the notification worker runs in the app's lifespan and pushes through them."""
    settings = settings or get_settings()
    services = Services(settings)
    running: list[AbstractAsyncContextManager[Any]] = []
    if senders:
        running.append(services.assistant.outbox(senders).running())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for ctx in running:
                await stack.enter_async_context(ctx)
            yield
        services.close()

    app = FastAPI(title="质监助手 API", version=VERSION, description=DESCRIPTION, docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json", lifespan=lifespan)
    app.state.services = services
    errors.install(app)
    for r in (knowledge, documents, bookings, credit, visits, rectifications, inspections, followup, notifications,
              attachments, admin):
        app.include_router(r.router, responses=COMMON_RESPONSES)
    app.include_router(ops.router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    _docs(app)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for channel in channels:
        running.append(channel(app, services.assistant))

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    # Added innermost first: Observe wraps everything, so even refusals are counted and timed.
    app.add_middleware(BodyLimitMiddleware, default_limit=settings.api_max_body_kb * 1024,
                       upload_limit=settings.max_upload_mb * 1024 * 1024, upload_prefixes=("/v1/documents", "/v1/attachments"))
    app.add_middleware(RateLimitMiddleware, limits=services.limits, metrics=services.metrics)
    if settings.api_cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.api_cors_origins, allow_credentials=False,
                           allow_methods=["GET", "POST", "PUT", "DELETE"], allow_headers=["Authorization", "Content-Type"])
    app.add_middleware(ObserveMiddleware, metrics=services.metrics)
    return app
