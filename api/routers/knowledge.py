"""Search, clause lookup, questions, conversations and answer feedback."""

from __future__ import annotations

import time
import uuid
from datetime import date
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi import Path as PathParam
from pydantic import BaseModel

from api.deps import MEMBERS, current_actor, get_services, knowledge, require
from api.errors import ApiError
from api.ratelimit import client_address
from api.schemas import AnswerOut, AskIn, ChatIn, ChatOut, FeedbackIn
from api.services import Services
from assistant.conversation.state import TranscriptEntry
from assistant.feedback import FeedbackOut
from assistant.knowledge import Knowledge
from assistant.store.actors import Actor
from assistant.views import ClauseView, SearchFilters, SearchPage

router = APIRouter(prefix="/v1", tags=["知识检索与问答"])

ClauseKindQ = Literal["body", "commentary", "case", "faq", "tolerance"]
DocKindQ = Literal["standard", "guide", "case", "faq", "tolerance"]


@router.get(
    "/search",
    response_model=SearchPage,
    summary="检索条文",
    description="关键词与语义混合检索；也可直接输入“GB55032 3.3.5”这样的条文号。条文号不存在或标准未收录时，notice 先说明，"
                "hits 只含与其余检索词相关的条文（只输入条文号时为空）。重复的检索由缓存直接返回（响应头 X-Cache）。",
)
def search(
    q: str = Query(min_length=1, max_length=200, description="问题、关键词或条文号"),
    k: int = Query(10, ge=1, le=50, description="返回条数"),
    mode: Literal["hybrid", "lexical", "dense"] = Query("hybrid", description="hybrid 混合 | lexical 关键词 | dense 语义"),
    kind: list[ClauseKindQ] = Query([], description="条文类别：body 正文、commentary 条文说明、case 案例、faq 问答"),
    doc_kind: list[DocKindQ] = Query([], description="文档类别：standard 标准、guide 指南、case、faq"),
    code: list[str] = Query([], max_length=10, description="只在这些标准中检索，如 GB55032"),
    mandatory_only: bool = Query(False, description="只看强制性条文"),
    include_withdrawn: bool = Query(False, description="包括已废止的版本"),
    services: Services = Depends(get_services),
    _actor: Actor | None = Depends(current_actor),
) -> Response:
    if any(len(c) > 64 for c in code):
        raise ApiError(422, "标准编号过长", "validation_failed")
    query = q.strip()
    if not query:
        raise ApiError(422, "请输入要检索的内容", "validation_failed")
    start = time.perf_counter()
    kb = services.assistant.knowledge
    filters = SearchFilters(kinds=kind or None, doc_kinds=doc_kind or None, codes=code or None,
                            include_withdrawn=include_withdrawn, mandatory_only=mandatory_only)
    key = (kb.version_id(), query, k, mode, filters.key())
    body = services.search_cache.get(key)
    cache = "hit"
    if body is None:
        cache = "miss"
        page = kb.search(query, k=k, mode=mode, filters=filters)
        body = page.model_dump_json().encode("utf-8")
        services.search_cache.put((page.index_version, *key[1:]), body)
    services.metrics.search_latency.labels(mode=mode, cache=cache).observe(time.perf_counter() - start)
    return Response(body, media_type="application/json", headers={"X-Cache": cache})


@router.get(
    "/clauses/{code:path}/{clause_no}",
    response_model=ClauseView,
    summary="按编号查看条文",
    description="标准编号可按习惯书写（GB55032、GB 55032-2022）；条号照标准印刷的写法，如 3.3.5。"
                "经局部修订的条文给出当日施行的文本，superseded 为被替换的原文（新的在前），upcoming 为已公布尚未施行的文本。",
    responses={404: {"description": "没有该标准或该条"}},
)
def clause(code: str, clause_no: str,
           at: date | None = Query(None, description="显示该日期施行的文本，如 2020-01-01；默认质监站所在地的今天"),
           kb: Knowledge = Depends(knowledge), _actor: Actor | None = Depends(current_actor)) -> ClauseView:
    return kb.clause(code, clause_no, at)


def _channel(request: Request) -> str:
    """'web' for the page (it says so in a header), else 'api'."""
    return "web" if request.headers.get("x-zhijian-client") == "web" else "api"


@router.post(
    "/ask",
    response_model=AnswerOut,
    summary="提问（引用条文作答）",
    description="按知识库作答并引用条文；知识库没有依据时明确说明，并给出质监站联系方式。每次提问记入问答日志，"
                "返回的 query_id 用于 👍/👎 反馈。",
)
def ask(body: AskIn, request: Request, services: Services = Depends(get_services),
        actor: Actor | None = Depends(current_actor)) -> AnswerOut:
    answer = services.assistant.ask(body.question, context=body.context, user=actor, channel=_channel(request))
    services.metrics.answered(answer.grounded)
    return AnswerOut.model_validate(answer.model_dump())


@router.post(
    "/chat",
    response_model=ChatOut,
    summary="对话（提问、追问、预约、查进度、申请服务）",
    description="多轮对话：首次不带 conversation_id，之后带上返回的编号，追问（如“那冬天呢？”）按上一问理解。"
                "未登录也可以对话（问规范、追问）；未登录时编号由服务器签发，带上非本站签发的编号会开始新的对话。"
                "预约、服务申请等需要登录。回复中的 choices 可作为按钮显示。",
)
def chat(body: ChatIn, request: Request, services: Services = Depends(get_services),
         actor: Actor | None = Depends(current_actor)) -> ChatOut:
    _member(actor)
    if actor is None:
        conversation_id, internal_id = services.assistant.anonymous_conversation(body.conversation_id)
    else:
        conversation_id = body.conversation_id or uuid.uuid4().hex
        # Namespaced by account, so nobody can continue (or read) another person's dialogue by guessing its id.
        internal_id = f"api-{actor.account_id}-{conversation_id}"
    reply = services.assistant.chat(internal_id, actor, body.text, channel=_channel(request))
    if reply.query_id is not None and reply.grounded is not None:
        services.metrics.answered(reply.grounded)
    return ChatOut(conversation_id=conversation_id, reply=reply)


def _member(actor: Actor | None) -> None:
    """Anyone without an account may talk; of the signed-in, the roles that hold conversations (not experts)."""
    if actor is not None:
        require(*MEMBERS)(actor)


class ChatHistory(BaseModel):
    conversation_id: str
    messages: list[TranscriptEntry]


@router.get("/chat/{conversation_id}", response_model=ChatHistory, summary="对话记录（刷新页面后恢复）",
            description="本人该对话最近的消息；别人的对话编号只会得到空记录。")
def chat_history(conversation_id: str = PathParam(pattern=r"^[A-Za-z0-9_-]{8,64}$"),
                 services: Services = Depends(get_services),
                 actor: Actor | None = Depends(current_actor)) -> ChatHistory:
    _member(actor)
    if actor is None:
        messages = services.assistant.anonymous_transcript(conversation_id)
    else:
        messages = services.assistant.transcript(f"api-{actor.account_id}-{conversation_id}")
    return ChatHistory(conversation_id=conversation_id, messages=messages)


@router.post(
    "/feedback",
    response_model=FeedbackOut,
    responses={404: {"description": "没有该回答（query_id 不存在）"}},
    summary="对回答点赞或点踩",
    description="vote 为 up（👍）或 down（👎），可附意见。同一人对同一回答再次评价会覆盖上次的评价。",
)
def feedback(body: FeedbackIn, request: Request, services: Services = Depends(get_services),
             actor: Actor | None = Depends(current_actor)) -> FeedbackOut:
    if actor is not None and actor.account_id:
        rater = f"account:{actor.account_id}"
    else:  # anonymous: one vote per address and answer; only a keyed hash of the address is stored
        rater = services.assistant.anonymous_rater(client_address(request.scope))
    return services.assistant.feedback(body.query_id, body.vote, comment=body.comment, user=actor, rater=rater)
