"""Optional language-model writing over retrieved clauses, with a citation check after generation.

The model only rephrases and connects the clauses it is given; every citation
in its reply must be one of them, otherwise the caller falls back to the
extractive answer. The prompt follows the answer's certainty: for a ``likely``
answer the model is told the clauses are only the nearest ones, must open with
the same lead as the extractive reply and must not claim the norm states it
(a reply saying 明确规定 is rejected). Speaks the OpenAI chat-completions
protocol over httpx.
"""

from __future__ import annotations

import logging
import re

import httpx
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_exponential

from assistant.answering.compose import LIKELY_LEAD
from assistant.answering.models import Certainty, Citation
from corpus.models import canonical_code

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "你是县级建设工程质量监督站的助手，回答施工、建设单位和监督员的问题。"
    "只能依据用户消息中给出的条文作答，不得使用其他知识；"
    "每一项要求后面都必须注明出处，格式为《标准名称》标准编号 第X条（案例和问答写《名称》编号）；"
    "不得引用未给出的条文；给出的条文不足以回答时，只回答：知识库中没有依据。"
    "用简体中文，先给一句结论，再分点说明，语气平实。"
)
# Added for a likely answer: the clauses are the nearest ones, not a sure answer.
LIKELY_PROMPT = (
    "注意：下面的条文只是知识库中与问题最接近的条文，不能确定哪一条直接回答了问题。"
    f"回复第一句必须是“{LIKELY_LEAD}”，然后逐条说明每条条文讲的是什么、与问题的关系，请用户对照原文核对；"
    "不得说“明确规定”，不得替条文下确定的结论。"
)
_OVERCLAIM = ("明确规定",)
_CITE = re.compile(
    r"(?P<code>(?:[A-Z]{1,4}(?:/[A-Z])?\s*\d{1,6}(?:\.\d+)?\s*[-—–]\s*\d{4}))\s*(?:的)?\s*第\s*(?P<no>[A-Z0-9.．]+)\s*条"
)
_ENTRY = re.compile(r"\b(?P<no>(?:AL|FAQ)-\d{3})\b")


class LLMError(Exception):
    pass


class _Retryable(Exception):
    pass


def cited_references(text: str) -> set[tuple[str, str]]:
    """(code, clause_no) pairs a reply cites; case/FAQ entries as ('', id)."""
    refs: set[tuple[str, str]] = set()
    for m in _CITE.finditer(text):
        code = canonical_code(m.group("code")) or m.group("code")
        refs.add((code, m.group("no").replace("．", ".").rstrip(".")))
    for m in _ENTRY.finditer(text):
        refs.add(("", m.group("no")))
    return refs


def check_citations(text: str, allowed: list[Citation], certainty: Certainty = "clear") -> tuple[bool, str]:
    """Every citation must be one of ``allowed`` and there must be at least one; a likely reply claims no certainty."""
    ok_pairs = {(c.code, c.clause_no) for c in allowed} | {("", c.clause_no) for c in allowed if c.kind in ("case", "faq")}
    refs = cited_references(text)
    if not refs:
        return False, "回复中没有引用条文"
    unknown = sorted(f"{code} 第{no}条" if code else no for code, no in refs if (code, no) not in ok_pairs)
    if unknown:
        return False, "回复引用了检索结果之外的条文：" + "、".join(unknown)
    if "没有依据" in text and len(text) < 40:
        return False, "模型认为没有依据"
    if certainty == "likely":
        if any(w in text for w in _OVERCLAIM):
            return False, "条文只是最接近的，回复却说“明确规定”"
        if not text.lstrip().startswith(LIKELY_LEAD.rstrip("：")):
            return False, "回复没有以“最接近的条文如下，请核对”开头"
    return True, ""


def _label(c: Citation) -> str:
    """What the model must know about a clause besides its text: mandatory, withdrawn, abolished."""
    out = "（强制性条文）" if c.mandatory else ""
    if c.status == "废止":
        out += "（已废止）"
    if c.repealed_by:
        out += f"（{'第' + c.repealed_items + '款' if c.repealed_items else '此条'}已被{c.repealed_by}废止）"
    return out


def build_messages(question: str, clauses: list[Citation], certainty: Certainty = "clear") -> list[dict[str, str]]:
    numbered = "\n\n".join(f"[{i}] {c.reference()}{_label(c)}\n{c.text}" for i, c in enumerate(clauses, start=1))
    system = SYSTEM_PROMPT + (LIKELY_PROMPT if certainty == "likely" else "")
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": f"问题：{question}\n\n可以引用的条文：\n{numbered}"},
    ]


class ChatClient:
    """Minimal OpenAI-compatible client: POST {base_url}/chat/completions."""

    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout: float = 30.0) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.model = model
        self._http = httpx.Client(base_url=base_url.rstrip("/") + "/", headers=headers, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    @retry(
        retry=retry_if_exception_type(_Retryable),
        stop=stop_after_attempt(2),
        wait=wait_exponential(multiplier=0.2, max=2),
        reraise=True,
    )
    def _post(self, payload: dict) -> dict:
        try:
            r = self._http.post("chat/completions", json=payload)
        except (httpx.ConnectError, httpx.ReadTimeout, httpx.RemoteProtocolError) as exc:
            raise _Retryable(str(exc)) from exc
        if r.status_code >= 500 or r.status_code == 429:
            raise _Retryable(f"HTTP {r.status_code}")
        if r.status_code >= 400:
            raise LLMError(f"HTTP {r.status_code}: {r.text[:200]}")
        return r.json()

    def complete(self, messages: list[dict[str, str]]) -> str:
        payload = {"model": self.model, "messages": messages, "temperature": 0}
        try:
            data = self._post(payload)
        except _Retryable as exc:
            raise LLMError(str(exc)) from exc
        try:
            return str(data["choices"][0]["message"]["content"]).strip()
        except (KeyError, IndexError, TypeError) as exc:
            raise LLMError("响应格式不符合 chat-completions 协议") from exc
