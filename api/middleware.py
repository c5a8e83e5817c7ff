"""Pure-ASGI middleware: request ids, metrics and security headers; request-size limits."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem
from api.metrics import Metrics

log = logging.getLogger("api")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# The page and the API load nothing from elsewhere; /docs (Swagger UI) needs its inline start-up script.
CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
DOCS_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'"
_COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class ObserveMiddleware:
    """Gives each request an id, counts and times it by route template, adds security headers."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"x-request-id"), "")
        if not _REQUEST_ID.match(rid):
            rid = uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = rid
        csp = DOCS_CSP if scope["path"].startswith("/docs") else CSP
        headers = [*_COMMON_HEADERS, (b"content-security-policy", csp.encode()), (b"x-request-id", rid.encode())]
        status = 500
        started = False
        start = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = message["status"], True
                message = {**message, "headers": [*message.get("headers", []), *headers]}
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            if started:
                raise
            log.exception("unhandled error in %s %s (request %s)", scope["method"], scope["path"], rid)
            response = problem(500, f"服务器内部错误，请稍后重试；如持续出现请联系管理员（请求编号 {rid}）",
                               "internal_error", instance=scope["path"], request_id=rid)
            await response(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None)
            if template is None:
                template = "/static" if scope["path"].startswith("/static/") else "unmatched"
            method = scope["method"]
            self.metrics.requests.labels(method=method, route=template, status=str(status)).inc()
            self.metrics.latency.labels(method=method, route=template).observe(time.perf_counter() - start)


class BodyTooLarge(HTTPException):
    """Raised while reading a body past the limit; FastAPI passes HTTPExceptions through untouched."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"请求内容过大（上限 {_human(limit)}）")


def _human(n: int) -> str:
    return f"{n / (1 << 20):g} MB" if n >= 1 << 20 else f"{n / 1024:g} KB"


class BodyLimitMiddleware:
    """Refuses bodies over the limit: at once from Content-Length, or while streaming a chunked body."""

    def __init__(self, app: ASGIApp, default_limit: int, upload_limit: int, upload_prefixes: tuple[str, ...]) -> None:
        self.app, self.default_limit, self.upload_limit = app, default_limit, upload_limit
        self.upload_prefixes = upload_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.upload_limit if scope["path"].startswith(self.upload_prefixes) else self.default_limit
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared < 0 or declared > limit:
                    detail = "Content-Length 无效" if declared < 0 else BodyTooLarge(limit).detail
                    code = 400 if declared < 0 else 413
                    response = problem(code, detail, "bad_length" if declared < 0 else "body_too_large",
                                       instance=scope["path"], limit_bytes=limit)
                    await response(scope, receive, send)
                    return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited_receive, send)
