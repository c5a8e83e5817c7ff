"""Every error a client sees is RFC 9457 ``application/problem+json`` with a Chinese ``detail``.

Domain errors (``StoreError``, ``IngestError``, index errors) keep their own
message and status; validation errors are translated field by field; anything
unexpected becomes a 500 that names a request id for the log, never a trace.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.errors import EmbedderError, IndexUnavailable, IngestError, StoreError

log = logging.getLogger("api")

PROBLEM_JSON = "application/problem+json"
TITLES = {
    400: "请求有误",
    401: "需要登录",
    403: "无权操作",
    404: "未找到",
    405: "不支持的请求方法",
    406: "不支持的响应格式",
    409: "与现有数据冲突",
    413: "请求内容过大",
    415: "不支持的内容类型",
    422: "输入有误",
    429: "请求过于频繁",
    500: "服务器内部错误",
    503: "服务暂不可用",
}
_HTTP_DETAILS = {
    404: "没有这个地址，请检查网址",
    405: "该地址不支持这种请求方法",
    406: "无法提供所要求的响应格式",
    415: "不支持的内容类型，请以 JSON 提交",
}


class ApiError(Exception):
    """An error raised by the API layer itself (auth, limits, unavailable features)."""

    def __init__(self, status: int, detail: str, code: str, headers: dict[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.detail, self.code, self.headers, self.extra = status, detail, code, headers, extra


_RESERVED = {"type", "title", "status", "detail", "code", "instance"}


def problem(status: int, detail: str, code: str, *, instance: str = "", headers: dict[str, str] | None = None,
            extra: dict[str, Any] | None = None, **more: Any) -> JSONResponse:
    """A problem+json response; ``extra`` members that clash with the standard ones get an ``info_`` prefix."""
    body: dict[str, Any] = {
        "type": f"urn:zhijian:problem:{code}",
        "title": TITLES.get(status, "请求失败"),
        "status": status,
        "detail": detail,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    for key, value in {**(extra or {}), **more}.items():
        body[f"info_{key}" if key in _RESERVED else key] = value
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _request_id(request: Request) -> str:
    return getattr(request.state, "request_id", "")


_TYPE_MESSAGES = {
    "missing": "必填",
    "string_too_short": "不能为空",
    "string_too_long": "过长",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "date_from_datetime_parsing": "应为日期，如 2026-12-05",
    "date_parsing": "应为日期，如 2026-12-05",
    "time_parsing": "应为时间，如 09:30",
    "datetime_from_date_parsing": "应为时间，如 2026-12-05T09:30:00+08:00",
    "datetime_parsing": "应为时间，如 2026-12-05T09:30:00+08:00",
    "greater_than_equal": "太小",
    "less_than_equal": "太大",
    "greater_than": "太小",
    "less_than": "太大",
    "literal_error": "不是可选值",
    "enum": "不是可选值",
    "json_invalid": "不是有效的 JSON",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为列表",
    "string_type": "应为文本",
    "extra_forbidden": "是多余的字段",
    "value_error": "不正确",
    "string_pattern_mismatch": "格式不正确",
    "too_long": "项数过多",
    "too_short": "项数过少",
    "int_from_float": "应为整数",
}
_LOC_NAMES = {"body": "请求内容", "query": "查询参数", "path": "路径参数", "header": "请求头"}

# What each request field is called in a message a person reads; a test checks every field of every route has
# one, so a JSON key never reaches the user ("requested_date应为日期" was the old message).
FIELD_LABELS = {
    # knowledge
    "q": "检索内容", "k": "返回条数", "mode": "检索方式", "kind": "条文类别", "doc_kind": "文档类别", "code": "标准编号",
    "mandatory_only": "只看强制性条文", "include_withdrawn": "包括已废止的版本", "question": "问题", "context": "上一个问题",
    "conversation_id": "会话编号", "text": "消息内容", "query_id": "回答编号", "vote": "评价", "comment": "意见",
    "clause_no": "条号", "files": "文件", "superseded_by": "替代它的新标准", "job_id": "任务编号", "at": "施行日期",
    # bookings, projects, visits, notices
    "project": "工程", "milestone": "预约事项", "requested_date": "预约日期", "contact_name": "联系人",
    "contact_phone": "联系电话", "enterprise": "企业", "note": "备注", "reason": "原因", "inspectors": "监督员",
    "at_time": "到场时间", "on_date": "改期日期", "result": "监督结论", "topic": "服务类别", "description": "需求描述",
    "preferred_dates": "期望日期", "experts": "专家", "planned_date": "计划服务日期", "findings": "服务意见",
    "visited_on": "服务日期", "satisfaction": "满意度", "feedback": "评价意见", "problem": "问题描述",
    "deadline": "整改期限", "cited_code": "依据标准", "cited_clause": "依据条号", "responsible": "责任单位",
    "reply": "整改回复", "passed": "复查结论", "booking_no": "预约编号", "visit_no": "服务申请编号",
    "notice_no": "通知单编号", "status": "状态", "date_from": "起始日期", "date_to": "截止日期", "limit": "条数",
    "open_only": "只看未销项", "milestone_date": "日期",
    # accounts and reports
    "login": "登录名", "name": "姓名", "role": "角色", "team": "监督组", "phone": "电话", "label": "说明",
    "expires_days": "有效天数", "include_revoked": "包括已撤销的令牌", "token_id": "令牌编号", "hours": "有效小时数",
    "since": "起始日期", "until": "截止日期", "unread_only": "只看未读", "ids": "消息编号", "muted": "静音的提醒类别",
    # inspections, measured values, the notice loop, credit drafts, cases, random checks
    "item": "实测项目", "design": "设计值", "values": "实测值", "source": "检查来源", "booking": "预约编号",
    "spot_check": "抽查批次", "inspected_on": "检查日期", "unit_work": "单位工程", "position": "部位",
    "entity_items": "实体质量检查项", "behavior_items": "质量行为检查项", "photos": "照片", "category": "问题类别",
    "measurement_id": "实测记录编号", "conclusion": "检查结论", "finding_ids": "问题编号",
    "measurement_ids": "实测记录编号", "new_deadline": "新的整改期限", "title": "案例标题", "cause": "原因",
    "treatment": "处理", "basis": "依据", "tags": "标签", "points": "分值", "expires_on": "有效期截止日期",
    "period_start": "抽查周期开始日期", "period_end": "抽查周期结束日期", "seed": "随机种子", "ratios": "抽查比例",
    "inspectors_per_project": "每个工程的检查人数", "record_no": "检查记录编号", "draft_id": "草稿编号",
    "draw_no": "抽查批次编号",
    # workbench: scheduling, attachments, queues
    "allow_conflict": "仍然排期", "file": "文件", "mine": "只看我的", "subject_no": "记录编号", "subject_type": "记录类别",
    "uid": "附件编号",
}


def field_label(loc: list[str]) -> str:
    """'预约日期' for ('body', 'requested_date'); '专家（第2项）' for ('body', 'experts', 1)."""
    names = [p for p in loc[1:] if not p.isdecimal()]
    label = FIELD_LABELS.get(names[-1]) if names else None
    if label is None:
        return _LOC_NAMES.get(loc[0], "请求") if loc else "请求"
    items = [int(p) + 1 for p in loc[1:] if p.isdecimal()]
    return label + "".join(f"（第{i}项）" for i in items)


def _field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    out = []
    for e in exc.errors():
        loc = [str(p) for p in e.get("loc", ())]
        where = _LOC_NAMES.get(loc[0], "请求") if loc else "请求"
        kind = e.get("type", "")
        what = _TYPE_MESSAGES.get(kind, "不正确")
        ctx = e.get("ctx") or {}
        if kind == "json_invalid":  # loc is ("body", <character offset>)
            out.append({"field": "body", "location": where,
                        "message": f"请求内容不是有效的 JSON（第{int(loc[1]) + 1 if len(loc) > 1 and loc[1].isdecimal() else 1}个字符附近）"})
            continue
        if kind in ("string_too_long", "too_long") and "max_length" in ctx:
            what = f"过长（最多{ctx['max_length']}）"
        elif kind in ("less_than_equal", "less_than") and "le" in ctx:
            what = f"不能大于 {ctx['le']}"
        elif kind in ("less_than",) and "lt" in ctx:
            what = f"应小于 {ctx['lt']}"
        elif kind in ("greater_than_equal",) and "ge" in ctx:
            what = f"不能小于 {ctx['ge']}"
        elif kind in ("greater_than",) and "gt" in ctx:
            what = f"应大于 {ctx['gt']}"
        elif kind == "literal_error" and "expected" in ctx:
            what = f"应为 {ctx['expected']} 之一"
        elif kind == "extra_forbidden":
            out.append({"field": ".".join(loc[1:]), "location": where,
                        "message": f"{where}中有不认识的字段“{loc[-1]}”"})
            continue
        label = field_label(loc)
        out.append({"field": ".".join(loc[1:]) or where, "location": where, "message": f"{label}{what}"})
    return out


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into problem+json."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return problem(exc.status, exc.detail, exc.code, instance=request.url.path, headers=exc.headers,
                       extra=exc.extra)

    @app.exception_handler(StoreError)
    async def _store_error(request: Request, exc: StoreError) -> JSONResponse:
        if exc.status >= 500 and exc.__cause__ is not None:  # the database's own words are for the log only
            log.error("%s (request %s): %s", exc.code, _request_id(request), exc.__cause__)
        extra = {k: v for k, v in exc.detail.items() if isinstance(v, str | int | float | bool | list | type(None))}
        return problem(exc.status, exc.message, exc.code, instance=request.url.path, extra=extra)

    @app.exception_handler(IngestError)
    async def _ingest_error(request: Request, exc: IngestError) -> JSONResponse:
        return problem(422, exc.reason, "ingest_failed", instance=request.url.path)

    @app.exception_handler(IndexUnavailable)
    async def _index_error(request: Request, exc: IndexUnavailable) -> JSONResponse:
        return problem(503, str(exc), "index_unavailable", instance=request.url.path)

    @app.exception_handler(EmbedderError)
    async def _embedder_error(request: Request, exc: EmbedderError) -> JSONResponse:
        return problem(503, str(exc), "embedder_unavailable", instance=request.url.path)

    @app.exception_handler(OverflowError)
    async def _overflow(request: Request, exc: OverflowError) -> JSONResponse:
        return problem(422, "输入的数值超出范围", "invalid_data", instance=request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        detail = "；".join(e["message"] for e in errors[:5]) or "请求内容不正确"
        return problem(422, f"输入有误：{detail}", "validation_failed", instance=request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) and not exc.detail.isascii() else None
        detail = detail or _HTTP_DETAILS.get(exc.status_code) or TITLES.get(exc.status_code, "请求失败")
        code = "body_too_large" if exc.status_code == 413 else f"http_{exc.status_code}"
        return problem(exc.status_code, detail, code, instance=request.url.path,
                       headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        rid = _request_id(request)
        log.exception("unhandled error in %s %s (request %s)", request.method, request.url.path, rid)
        return problem(500, f"服务器内部错误，请稍后重试；如持续出现请联系管理员（请求编号 {rid}）", "internal_error",
                       instance=request.url.path, request_id=rid)
