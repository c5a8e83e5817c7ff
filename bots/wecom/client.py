"""The part of WeCom's server API a channel needs: gettoken, message/send, menu/create.

The access token is fetched once and cached until shortly before it expires
(WeCom gives 7200 s and refuses a token that is too old with 42001); a call
refused for its token (40014 invalid, 42001 expired, 40001/41001) fetches a new
one and is made once more. Network errors, HTTP 5xx and WeCom's "system busy"
(-1) are retried with exponential backoff (tenacity). Every failure is logged
in Chinese with WeCom's error code and, where one is known, what to check.
Tokens and secrets never appear in a log line.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, wait_exponential

log = logging.getLogger(__name__)

TOKEN_ERRORS = frozenset({40014, 42001, 40001, 41001})  # invalid / expired / bad / missing access token
BUSY = -1  # 系统繁忙
HINTS = {
    40001: "Secret 不正确，请核对 ZHIJIAN_WECOM_SECRET（应用管理 → 自建应用 → Secret）",
    40013: "CorpID 不正确，请核对 ZHIJIAN_WECOM_CORP_ID（我的企业 → 企业信息 → 企业ID）",
    40056: "AgentId 不正确，请核对 ZHIJIAN_WECOM_AGENT_ID",
    60020: "服务器出口 IP 不在应用的“企业可信IP”中，请在应用详情页 → 企业可信IP 中添加",
    81013: "接收人不在应用的可见范围内，请在应用详情页 → 可见范围 中添加",
    45009: "接口调用超过频率限制，请稍后再试",
}


class WeComAPIError(Exception):
    """WeCom answered with a non-zero errcode (or not at all, after the retries)."""

    def __init__(self, errcode: int, errmsg: str, api: str) -> None:
        hint = HINTS.get(errcode, "")
        super().__init__(f"企业微信接口 {api} 失败：errcode={errcode} {errmsg}" + (f"（{hint}）" if hint else ""))
        self.errcode, self.errmsg, self.api, self.hint = errcode, errmsg, api, hint


class _Retryable(Exception):
    """An answer worth trying again: HTTP 5xx or "system busy"."""

    def __init__(self, what: str) -> None:
        super().__init__(what)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4  # tries in all, the first included
    wait_initial: float = 0.5  # seconds before the first retry, doubling
    wait_max: float = 8.0


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, _Retryable | httpx.TransportError)


class WeComClient:
    """One self-built application's API session (one CorpID, Secret and AgentId)."""

    TOKEN_MARGIN = 300.0  # refresh this many seconds before WeCom's expires_in

    def __init__(self, corp_id: str, secret: str, agent_id: int, base_url: str = "https://qyapi.weixin.qq.com", *,
                 http: httpx.AsyncClient | None = None, retry: RetryPolicy | None = None,
                 clock: Callable[[], float] = time.monotonic, timeout: float = 10.0) -> None:
        self.corp_id, self._secret, self.agent_id = corp_id, secret, int(agent_id)
        self.base_url = base_url.rstrip("/")
        self._http = http
        self._own_http = http is None
        self._timeout = timeout
        self.retry = retry or RetryPolicy()
        self.clock = clock
        self._token: str | None = None
        self._token_until = 0.0
        self._token_lock: asyncio.Lock | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=self._timeout, trust_env=True)
        return self._http

    async def aclose(self) -> None:
        """Close the HTTP session; the token stays cached, and a later call (in any event loop) opens a new one."""
        if self._http is not None and self._own_http:
            await self._http.aclose()
            self._http = None
        self._token_lock = None

    # -- transport -----------------------------------------------------------------------------------
    def _log_retry(self, api: str) -> Callable[[RetryCallState], None]:
        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            wait = state.next_action.sleep if state.next_action else 0
            log.warning("企业微信接口 %s 暂时失败（%s），%.1f 秒后第 %d 次重试", api, exc, wait, state.attempt_number)

        return before_sleep

    async def _request(self, method: str, api: str, *, params: dict[str, Any], body: Any = None) -> dict[str, Any]:
        """One API call with retries on the network, 5xx and "busy"; the decoded JSON answer."""
        url = f"{self.base_url}/cgi-bin/{api}"
        policy = self.retry
        retrying = AsyncRetrying(
            stop=stop_after_attempt(policy.attempts),
            wait=wait_exponential(multiplier=policy.wait_initial, min=policy.wait_initial, max=policy.wait_max),
            retry=retry_if_exception(_retryable), reraise=True, before_sleep=self._log_retry(api),
        )
        try:
            async for attempt in retrying:
                with attempt:
                    response = await self.http.request(method, url, params=params, json=body)
                    if response.status_code >= 500:
                        raise _Retryable(f"HTTP {response.status_code}")
                    if response.status_code != 200:
                        raise WeComAPIError(-response.status_code, f"HTTP {response.status_code}", api)
                    try:
                        data = response.json()
                    except ValueError:
                        raise _Retryable("返回内容不是 JSON") from None
                    if data.get("errcode") == BUSY:
                        raise _Retryable("系统繁忙")
                    return data
        except _Retryable as exc:
            log.error("企业微信接口 %s 连续 %d 次失败，放弃：%s", api, policy.attempts, exc)
            raise WeComAPIError(BUSY, str(exc), api) from None
        except httpx.TransportError as exc:
            log.error("企业微信接口 %s 连续 %d 次无法连接，放弃：%s", api, policy.attempts, exc.__class__.__name__)
            raise WeComAPIError(BUSY, f"网络错误 {exc.__class__.__name__}", api) from None
        raise AssertionError("unreachable")  # pragma: no cover - AsyncRetrying either returns or raises

    # -- access token --------------------------------------------------------------------------------
    async def token(self, *, refresh: bool = False) -> str:
        """The cached access token, fetched when missing, near expiry or ``refresh`` is asked for."""
        if self._token_lock is None:
            self._token_lock = asyncio.Lock()
        async with self._token_lock:
            if not refresh and self._token and self.clock() < self._token_until:
                return self._token
            data = await self._request("GET", "gettoken", params={"corpid": self.corp_id, "corpsecret": self._secret})
            if data.get("errcode", 0) != 0 or not data.get("access_token"):
                err = WeComAPIError(int(data.get("errcode", -1)), str(data.get("errmsg", "")), "gettoken")
                log.error("获取 access_token 失败：%s", err)
                raise err
            expires_in = float(data.get("expires_in", 7200))
            self._token = str(data["access_token"])
            self._token_until = self.clock() + max(expires_in - self.TOKEN_MARGIN, expires_in / 2)
            log.info("已获取企业微信 access_token，有效期 %d 秒", int(expires_in))
            return self._token

    def _forget_token(self, used: str) -> None:
        if self._token == used:  # not one fetched meanwhile by another call
            self._token, self._token_until = None, 0.0

    async def call(self, api: str, body: dict[str, Any], *, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST ``api`` with the access token; a token WeCom refuses is replaced once."""
        for fresh in (False, True):
            token = await self.token()  # after a refusal: the one fetched meanwhile, or a new one
            data = await self._request("POST", api, params={**(params or {}), "access_token": token}, body=body)
            code = int(data.get("errcode", 0))
            if code == 0:
                return data
            if code in TOKEN_ERRORS and not fresh:
                log.warning("企业微信 access_token 已失效（errcode=%d），重新获取", code)
                self._forget_token(token)
                continue
            err = WeComAPIError(code, str(data.get("errmsg", "")), api)
            log.error("%s", err)
            raise err
        raise AssertionError("unreachable")  # pragma: no cover

    # -- messages ------------------------------------------------------------------------------------
    async def send_text(self, user_id: str, content: str) -> dict[str, Any]:
        return await self._send(user_id, "text", {"content": content})

    async def send_markdown(self, user_id: str, content: str) -> dict[str, Any]:
        return await self._send(user_id, "markdown", {"content": content})

    async def _send(self, user_id: str, msgtype: str, payload: dict[str, Any]) -> dict[str, Any]:
        data = await self.call("message/send", {"touser": user_id, "msgtype": msgtype, "agentid": self.agent_id,
                                                msgtype: payload, "safe": 0})
        if data.get("invaliduser"):
            log.warning("企业微信消息未送达成员 %s（%s）", data["invaliduser"], HINTS[81013])
        return data

    async def create_menu(self, menu: dict[str, Any]) -> dict[str, Any]:
        """Replace the application's custom menu (应用菜单)."""
        return await self.call("menu/create", menu, params={"agentid": self.agent_id})
