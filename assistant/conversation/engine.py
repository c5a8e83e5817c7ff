"""The conversation engine: one message in, one channel-neutral ``Reply`` out.

Each message is handled in one database transaction that loads the
conversation's state under a row lock, runs the dialogue step (store writes
included) and saves the state back, so nothing is lost on a restart and a
booking is never half-made. Knowledge questions are answered after that
transaction (retrieval takes a while; no lock is held meanwhile) and logged in a
second one, which also remembers the question for follow-ups.

Order of precedence for a message: 👍/👎 -> a number picking an offered choice
-> 取消 / 重新开始 -> the dialogue in progress (confirm, modify, fill a slot; a
question asked mid-dialogue is answered and the dialogue re-prompted) -> the
intent of the message (rules, examples, else a standards question, with
follow-ups resolved from the previous question).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from assistant import feedback
from assistant.answering.protocol import AnswerSource
from assistant.conversation import booking_flow, dates, followup, services, visit_flow
from assistant.conversation import state as convstate
from assistant.conversation.common import (
    RATE_DEFAULT,
    RATE_WITH_REASON,
    AskRequest,
    Turn,
    bound_refusal,
    projects_of,
)
from assistant.conversation.intents import (
    Control,
    Intent,
    IntentMatch,
    control_word,
    feedback_rating,
    is_question,
    normalize,
    recognize,
)
from assistant.conversation.replies import Choice, Reply, feedback_choices, say
from assistant.conversation.slots import find_phone, match_milestone, match_project, match_topic, pick
from assistant.conversation.state import ConversationState
from assistant.store.actors import Actor
from assistant.store.db import session_scope
from assistant.store.errors import StoreError
from assistant.store.models.base import utcnow
from assistant.store.rules import StoreRules
from index import IndexUnavailable

log = logging.getLogger(__name__)

MAX_TEXT = 2000
FLOW_TTL = timedelta(hours=24)
FLOW_LABELS = {"booking": "预约", "visit": "服务申请", "cancel_booking": "取消预约", "credit": "信用查询"}
_FLOWS = {"booking": booking_flow, "visit": visit_flow}
_SUGGEST = {Intent.book: say("立即预约", "预约验收"), Intent.credit: say("查询企业信用", "查信用"),
            Intent.visit: say("申请帮扶"), Intent.booking_status: say("我的预约")}
_ASK_PROMPT = "请直接输入您的问题，例如“楼板拆模时混凝土强度要达到多少”，或按条文号查询，如“ZJ/T 101 第6.0.2条”。"



class ConversationEngine:
    """Multi-turn dialogue over the store's services and the answering service."""

    def __init__(
        self,
        db: Engine,
        answerer: Callable[[], AnswerSource],
        *,
        rules: StoreRules,
        clock: Callable[[], datetime] = utcnow,
        station_name: str = "",
        station_phone: str = "",
    ) -> None:
        self.db = db
        self._answerer = answerer
        self.rules = rules
        self.clock = clock
        self.station_name = station_name
        self.station_phone = station_phone

    # -- public --------------------------------------------------------------------------------------
    def handle(self, conversation_id: str, user: Actor | None, text: str, *, channel: str = "api") -> Reply:
        """Handle one message of ``user`` (an ``Actor``, or None for an unbound user) in a conversation."""
        now = self.clock()
        message = (text or "").strip()[:MAX_TEXT]
        with session_scope(self.db) as session:
            row, state = convstate.load(session, conversation_id, channel, now=now)
            turn = Turn(session, user, self.rules, now, channel, self.station_name, self.station_phone)
            note = self._housekeeping(state, user, row.updated_at, now)
            try:
                outcome = self._route(turn, state, message, conversation_id)
            except StoreError as exc:
                outcome = Reply(text=exc.message, kind="error")
            state.turns += 1
            if isinstance(outcome, Reply):
                if note:
                    outcome = outcome.model_copy(update={"text": f"{note}\n{outcome.text}"})
                outcome = self._stamp(state, outcome)
                if message:
                    state.remember(message, outcome, now)
            convstate.save(session, row, state, now)
        if isinstance(outcome, AskRequest):
            return self._answer(conversation_id, user, channel, outcome, note)
        return outcome

    def state(self, conversation_id: str) -> ConversationState | None:
        with session_scope(self.db) as session:
            return convstate.peek(session, conversation_id)

    # -- housekeeping --------------------------------------------------------------------------------
    @staticmethod
    def _housekeeping(state: ConversationState, user: Actor | None, updated_at: datetime | None, now: datetime) -> str:
        """Another person's or a stale dialogue is not continued."""
        account_id = user.account_id if user else None
        if state.turns and state.account_id != account_id:
            state.clear_flow()
            state.last_question = state.last_unanswered = None
            state.last_query_id = None
            state.transcript = []
        state.account_id = account_id
        if state.flow and updated_at is not None and now - updated_at > FLOW_TTL:
            label = FLOW_LABELS.get(state.flow, "办理")
            state.clear_flow()
            return f"（上次未完成的{label}已超过24小时，已自动结束。）"
        return ""

    @staticmethod
    def _stamp(state: ConversationState, reply: Reply) -> Reply:
        """Remember what was offered (so '2' picks it) and tell channels where the dialogue stands."""
        offered = [c for c in reply.choices if c.action == "say"]
        state.options = [c.value for c in offered]
        state.labels = {normalize(c.label): c.value for c in offered}
        return reply.model_copy(update={"flow": state.flow, "step": state.step if state.flow else None})

    # -- routing -------------------------------------------------------------------------------------
    def _route(self, turn: Turn, state: ConversationState, text: str, cid: str) -> Reply | AskRequest:
        if not text:
            return services.help_reply(turn)
        rated = feedback_rating(text)
        if rated is not None:
            return self._feedback(turn, state, rated[0], rated[1], cid)
        # A number picks an offered choice; so does its label typed out ("确认取消" for the button of that name).
        text = pick(text, state.options) or state.labels.get(normalize(text)) or text
        ctrl = control_word(text)
        if state.flow:
            return self._in_flow(turn, state, text, ctrl)
        if ctrl in (Control.cancel, Control.restart) and recognize(text).intent != Intent.booking_cancel:
            state.last_question = None
            word = "当前没有进行中的办理。" if ctrl == Control.cancel else "好的，我们重新开始。"
            return Reply(text=f"{word}有什么可以帮您？", kind="info", choices=services.menu())
        if ctrl in (Control.confirm, Control.modify) and len(text) <= 4:
            # Nothing is waiting for it: say so, rather than "好的" that suggests something happened.
            return Reply(text="当前没有需要确认的办理，没有执行任何操作。需要办理什么，请直接告诉我。", kind="info",
                         choices=services.menu())
        return self._dispatch(turn, state, recognize(text), text)

    def _in_flow(self, turn: Turn, state: ConversationState, text: str, ctrl: Control | None) -> Reply | AskRequest:
        flow = state.flow
        assert flow is not None
        label = FLOW_LABELS.get(flow, "办理")
        if flow == services.CANCEL_FLOW:
            confirmed = {Control.confirm: True, Control.cancel: False}.get(ctrl)  # type: ignore[arg-type]
            reply = services.cancel_turn(turn, state, text, confirmed)
            if reply is not None:
                return reply
            state.clear_flow()
            return self._dispatch(turn, state, recognize(text), text)
        if ctrl == Control.cancel:
            state.clear_flow()
            return Reply(text=f"已取消本次{label}，没有提交任何内容。还有什么可以帮您？", kind="info",
                         choices=services.menu())
        if ctrl == Control.restart:
            state.clear_flow()
            if flow in _FLOWS:
                return self._start(turn, state, Intent.book if flow == "booking" else Intent.visit, "")
            return Reply(text="好的，我们重新开始。", kind="info", choices=services.menu())
        if flow == services.CREDIT_FLOW:
            match = recognize(text)
            if match.intent not in (Intent.question, Intent.credit) or is_question(text):
                state.clear_flow()
                return self._dispatch(turn, state, match, text)
            return services.credit_turn(turn, state, text)
        module = _FLOWS[flow]
        if ctrl in (Control.confirm, Control.modify) and state.step not in ("confirm", "modify"):
            # A control word is never a value: "确认" typed where a name is asked is not the contact's name.
            return module.reprompt(turn, state, prefix=f"“{text}”不能作为填写内容，{label}还在进行中。")
        if state.step == "confirm":
            if ctrl == Control.confirm:
                return module.submit(turn, state)
            if ctrl == Control.modify:
                return module.ask_field(turn, state)
            if not is_question(text):
                reply = module.step_turn(turn, state, text)  # a new value typed at the summary ("改成10月9日")
                if reply is not None:
                    return reply
            if text.startswith(("修改", "改", "更改")) and (edit := self._edit(turn, state, module, text)) is not None:
                return edit
        if is_question(text) and not self._fills_step(turn, state, text):
            return self._aside(turn, state, text, module)
        reply = module.step_turn(turn, state, text)
        if reply is not None:
            return reply
        return self._aside(turn, state, text, module)

    @staticmethod
    def _edit(turn: Turn, state: ConversationState, module: Any, text: str) -> Reply | None:
        state.step = "modify"
        reply = module.step_turn(turn, state, text)
        if reply is None:
            state.step = "confirm"
        return reply

    @staticmethod
    def _fills_step(turn: Turn, state: ConversationState, text: str) -> bool:
        """Whether ``text`` carries a value for the step being asked (then it is not a side question)."""
        step = state.step
        if step in ("date", "dates"):
            return bool(dates.find_dates(text, turn.today, loose=True))
        if step == "milestone":
            return match_milestone(text, turn.rules.milestones) is not None
        if step == "topic":
            return match_topic(text, turn.rules.visit_topics) is not None
        if step == "phone":
            return find_phone(text) is not None
        if step == "project":
            return turn.actor is not None and match_project(text, projects_of(turn)).project is not None
        return step == "description"

    def _aside(self, turn: Turn, state: ConversationState, text: str, module: Any) -> Reply | AskRequest:
        """A message that does not answer the current step: answer a question, else explain and re-ask."""
        label = FLOW_LABELS.get(state.flow or "", "办理")
        match = recognize(text)
        pending = (f"（{label}尚未提交：核对无误请回复“确认”，要改请回复“修改”，不办了回复“取消”）"
                   if state.step == "confirm" else f"（{label}还在进行中）")
        reminder = module.reprompt(turn, state, prefix=pending)
        if match.intent in (Intent.question, Intent.clause_lookup) and (is_question(text) or len(text) >= 8):
            return AskRequest(question=text, resolved=match.text, intent=match.intent.value,
                              lookup=match.intent == Intent.clause_lookup, reminder=reminder)
        other = {Intent.book: "booking", Intent.visit: "visit", Intent.booking_cancel: "cancel_booking"}.get(
            match.intent)
        if other is not None and other != state.flow:
            prefix = f"您正在办理{label}，如需办理其他事项，请先回复“取消”。\n"
        elif other is not None:
            prefix = ""
        elif match.intent == Intent.help:
            prefix = "办理中可随时回复“取消”放弃、“重新开始”从头填写。\n"
        else:
            prefix = "抱歉，没有看懂。"
        return reminder.model_copy(update={"text": prefix + reminder.text})

    def _dispatch(self, turn: Turn, state: ConversationState, match: IntentMatch, text: str) -> Reply | AskRequest:
        intent = match.intent
        if intent == Intent.greeting:
            return services.greeting(turn)
        if intent == Intent.help:
            return services.help_reply(turn)
        if intent in (Intent.book, Intent.visit):
            return self._start(turn, state, intent, match.text)
        if intent == Intent.booking_status:
            return services.booking_status(turn, match.text)
        if intent == Intent.booking_cancel:
            return services.start_cancel(turn, state, match.text)
        if intent == Intent.credit:
            return services.credit(turn, state, match.text)
        if intent == Intent.feedback:  # handled before routing; kept for completeness
            return Reply(text="请在回答下方点 👍 或 👎 评价。", kind="info")
        if text in ("问规范", "提问", "问问题") or (intent == Intent.question and not match.text):
            return Reply(text=_ASK_PROMPT, kind="prompt", intent="question")
        if intent == Intent.clause_lookup:
            return AskRequest(question=text, resolved=match.text, intent=intent.value, lookup=True)
        suggest = [_SUGGEST[match.suggest]] if match.suggest in _SUGGEST else []
        resolved = followup.resolve(match.text, state.last_question)
        if resolved is not None:
            return AskRequest(question=text, resolved=resolved, context=state.last_question, suggest=suggest)
        return AskRequest(question=text, resolved=match.text, suggest=suggest)

    def _start(self, turn: Turn, state: ConversationState, intent: Intent, text: str) -> Reply:
        what = "预约验收" if intent == Intent.book else "申请服务团帮扶"
        refusal = bound_refusal(turn.actor, what, turn.channel)
        if refusal is not None:
            text = refusal.text
            if turn.actor is None and turn.station_phone:
                # What someone without an account can do today, so the next step is never another refusal.
                text += f"\n没有账号也可以直接致电{turn.station_name or '质监站'}：{turn.station_phone}。"
            return refusal.model_copy(update={"intent": intent.value, "text": text})
        if intent == Intent.book:
            return booking_flow.start(turn, state, text)
        return visit_flow.start(turn, state, text, state.last_unanswered)

    # -- feedback and answers ------------------------------------------------------------------------
    @staticmethod
    def _feedback(turn: Turn, state: ConversationState, rating: int, comment: str, cid: str) -> Reply:
        if state.last_query_id is None:
            return Reply(text="还没有可以评价的回答。", kind="info")
        account_id = turn.actor.account_id if turn.actor else None
        feedback.record_feedback(turn.session, state.last_query_id, rating, comment=comment,
                                 rater=f"conversation:{cid}", account_id=account_id, now=turn.now)
        reason = RATE_WITH_REASON.get(turn.channel, RATE_DEFAULT)
        text = "感谢您的肯定！" if rating > 0 else f"感谢反馈，我们会据此改进知识库。可以直接回复{reason}补充说明。"
        return Reply(text=text, kind="info", intent="feedback", query_id=state.last_query_id)

    def _answer(self, cid: str, user: Actor | None, channel: str, req: AskRequest, note: str) -> Reply:
        answerer = self._answerer()
        started = time.perf_counter()
        try:
            answer = answerer.lookup(req.resolved) if req.lookup else None
            if answer is None:
                answer = answerer.answer(req.resolved, context=req.context)
        except IndexUnavailable as exc:
            return Reply(text=f"知识库暂不可用：{exc}", kind="error", intent=req.intent)
        latency = (time.perf_counter() - started) * 1000
        now = self.clock()
        with session_scope(self.db) as session:
            query_id = feedback.log_query(
                session, question=req.question, answer=answer, channel=channel, latency_ms=latency,
                account_id=user.account_id if user else None, conversation_id=cid, resolved_question=req.resolved,
                context=req.context or "", intent=req.intent, now=now,
            )
            row, state = convstate.load(session, cid, channel, now=now)
            state.last_question, state.last_query_id = req.resolved, query_id
            # A likely answer leaves the question open too: a visit request may take it as its description.
            state.last_unanswered = None if answer.certainty == "clear" else req.resolved
            reply = self._stamp(state, self._answer_reply(answer.model_copy(update={"query_id": query_id}), req))
            if note:
                reply = reply.model_copy(update={"text": f"{note}\n{reply.text}"})
            state.remember(req.question, reply, now)
            convstate.save(session, row, state, now)
        return reply

    @staticmethod
    def _answer_reply(answer: Any, req: AskRequest) -> Reply:
        text = answer.answer
        if req.context:
            text = f"（按“{req.resolved}”理解）\n{text}"
        choices: list[Choice] = list(req.suggest)
        if answer.certainty != "clear":  # no basis, or only the nearest clauses: offer the service team
            choices.append(say("申请帮扶"))
        if req.reminder is not None:
            text = f"{text}\n\n{req.reminder.text}"
            choices = list(req.reminder.choices)
        choices += feedback_choices(answer.query_id)
        return Reply(
            text=text, kind="answer" if answer.grounded else "refusal", intent=req.intent, choices=choices,
            citations=answer.citations, grounded=answer.grounded, certainty=answer.certainty, query_id=answer.query_id,
            data={"question": req.question, "resolved_question": req.resolved, "context": req.context,
                  "mode": answer.mode, "confidence": answer.confidence, "refusal_reason": answer.refusal_reason,
                  "certainty": getattr(answer, "certainty", None)},  # clear | likely | none, when the answerer says
        )
