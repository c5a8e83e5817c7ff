"""Requesting a quality-service-team visit: topic, description, project (optional), preferred dates
(optional), contact, phone, then confirmation.

Validation is a dry run of ``visits.submit_visit`` at each step, as for bookings:
a duplicate open request is caught when the topic is chosen, a non-working
preferred date when the dates are given, each with the store's own reason.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from assistant.conversation import dates
from assistant.conversation.common import (
    PROBE_CONTACT,
    PROBE_PHONE,
    PROBE_TEXT,
    Turn,
    ask,
    commit_step,
    dry_run,
    projects_of,
)
from assistant.conversation.replies import CONFIRM_CHOICES, Reply, say
from assistant.conversation.slots import find_contact, find_phone, match_project, match_topic, pick
from assistant.conversation.state import ConversationState
from assistant.store import checks, visits
from assistant.store.errors import InvalidDate, InvalidInput
from assistant.store.schemas import VisitOut

FLOW = "visit"
ORDER = ("topic", "description", "project", "dates", "contact", "phone")
FIELD_LABELS = {"topic": "服务类别", "description": "需求描述", "project": "涉及工程", "dates": "期望日期",
                "contact": "联系人", "phone": "联系电话"}
_FIELD_WORDS = (("phone", ("电话", "手机", "号码")), ("contact", ("联系人", "姓名")), ("dates", ("日期", "时间", "哪天")),
                ("description", ("描述", "需求", "问题", "内容")), ("topic", ("类别", "类型", "服务")),
                ("project", ("工程", "项目")))
_NO_PROJECT = "不涉及具体工程"
_ANY_DATE = "不限"
_ANY_DATE_RE = re.compile(r"^(不限|都可以|都行|随便|无|没有|跳过|不指定|尽快|越快越好)[。.!！]?$")
_NO_PROJECT_RE = re.compile(r"^(不涉及.*|没有|无|不是|否|不用|不需要)[。.!！]?$")
_MIN_DESCRIPTION = 4
_LONG_TEXT = 8


def start(turn: Turn, state: ConversationState, text: str, last_unanswered: str | None) -> Reply:
    state.start(FLOW, "topic", turn.now)
    if last_unanswered:
        state.slots["suggested_description"] = last_unanswered
    if not projects_of(turn):
        state.slots.update(project_id=None, project_done=True)
    topic = match_topic(text, turn.rules.visit_topics)
    if topic:
        error = _set_topic(turn, state, topic)
        if error:
            return error
    return advance(turn, state)


def _attempt(turn: Turn, state: ConversationState, **override: object):
    s = state.slots
    args = dict(topic=s.get("topic"), description=s.get("description") or PROBE_TEXT,
                contact_name=s.get("contact_name") or PROBE_CONTACT, contact_phone=s.get("contact_phone") or PROBE_PHONE,
                project=s.get("project_id"), preferred_dates=[date.fromisoformat(d) for d in s.get("dates") or []])
    args.update(override)
    return lambda: visits.submit_visit(turn.session, turn.actor, rules=turn.rules, now=turn.now, **args)  # type: ignore[arg-type]


def _set_topic(turn: Turn, state: ConversationState, topic: str) -> Reply | None:
    state.slots["topic"] = topic
    error = dry_run(turn.session, _attempt(turn, state, preferred_dates=[]))
    if error is not None and not isinstance(error, InvalidDate):
        state.slots.pop("topic", None)
        prompt = _prompt(turn, state, "topic")
        return prompt.model_copy(update={"text": f"{error.message}\n{prompt.text}", "kind": "error"})
    return None


def _question(step: str) -> str:
    return {
        "topic": "请选择服务类别：",
        "description": "请简要描述需要服务团帮助的问题（如工程部位、遇到的质量问题、希望得到的指导）：",
        "project": "是否涉及具体工程？请选择：",
        "dates": "请输入希望专家上门的日期（可写多个，如“下周三、下周五”）；不指定请回复“不限”：",
        "contact": "请输入联系人姓名：",
        "phone": "请输入联系人的手机号或带区号的固定电话：",
    }[step]


def _next_workdays(turn: Turn, count: int = 3) -> list[date]:
    day, out = turn.today, []
    while len(out) < count:
        day += timedelta(days=1)
        if turn.rules.calendar.info(day).is_workday:
            out.append(day)
    return out


def _prompt(turn: Turn, state: ConversationState, step: str) -> Reply:
    text, choices = _question(step), []
    if step == "topic":
        choices = [say(t) for t in turn.rules.visit_topics]
    elif step == "description" and state.slots.get("suggested_description"):
        q = state.slots["suggested_description"]
        choices = [say(f"用刚才的问题：{q[:20]}", q)]
    elif step == "project":
        choices = [say(p.name) for p in projects_of(turn)] + [say(_NO_PROJECT)]
    elif step == "dates":
        choices = [say(dates.label(d), d.isoformat()) for d in _next_workdays(turn)] + [say(_ANY_DATE)]
    elif step == "contact" and turn.actor is not None:
        choices = [say(turn.actor.name)]
    return ask(state, step, text, choices, intent="visit", flow=FLOW)


def advance(turn: Turn, state: ConversationState) -> Reply:
    s = state.slots
    have = {"topic": s.get("topic"), "description": s.get("description"), "project": s.get("project_done"),
            "dates": s.get("dates_done"), "contact": s.get("contact_name"), "phone": s.get("contact_phone")}
    for step in ORDER:
        if not have[step]:
            return _prompt(turn, state, step)
    return summary(turn, state)


def summary(turn: Turn, state: ConversationState) -> Reply:
    s = state.slots
    wanted = "、".join(dates.describe(date.fromisoformat(d)) for d in s.get("dates") or []) or "不限"
    lines = [
        "请核对服务申请：",
        f"服务类别：{s['topic']}",
        f"需求描述：{s['description']}",
        f"涉及工程：{s.get('project_name') or _NO_PROJECT}",
        f"期望日期：{wanted}",
        f"联系人：{s['contact_name']}",
        f"联系电话：{s['contact_phone']}",
        "回复“确认”提交，“修改”更改某一项，“取消”放弃。",
    ]
    return ask(state, "confirm", "\n".join(lines), list(CONFIRM_CHOICES), intent="visit", flow=FLOW, kind="confirm")


def _field_error(turn: Turn, state: ConversationState, step: str, message: str) -> Reply:
    prompt = _prompt(turn, state, step)
    return prompt.model_copy(update={"text": f"{message}\n{prompt.text}", "kind": "error"})


def step_turn(turn: Turn, state: ConversationState, text: str) -> Reply | None:
    """A message while a slot is being asked; None when it offered nothing for the dialogue."""
    s, step = state.slots, state.step or "topic"
    if step == "modify":
        name = _field_named(pick(text, state.options) or text)
        return None if name is None else _prompt(turn, state, name)
    choice = pick(text, state.options)
    value = choice or text
    filled = False
    if step == "topic":
        topic = match_topic(value, turn.rules.visit_topics)
        if len(value) > _LONG_TEXT and not any(t in value for t in turn.rules.visit_topics):
            # A description typed before the topic was chosen: keep it, still ask the topic.
            s.setdefault("description", value.strip()[:4000])
            topic = None
            prompt = _prompt(turn, state, "topic")
            return prompt.model_copy(update={"text": f"已记下需求描述。{prompt.text}"})
        if topic is None:
            return None
        error = _set_topic(turn, state, topic)
        if error:
            return error
        filled = True
    elif step == "description":
        desc = value.strip()
        if len(desc) < _MIN_DESCRIPTION:
            return _field_error(turn, state, step, f"描述太短（至少{_MIN_DESCRIPTION}个字），请说明具体问题。")
        try:
            s["description"] = checks.text(desc, "需求描述", max_len=4000)
        except InvalidInput as exc:
            return _field_error(turn, state, step, exc.message)
        filled = True
    elif step == "project":
        if _NO_PROJECT_RE.match(value.strip()):
            s.update(project_id=None, project_name=None, project_done=True)
            filled = True
        else:
            pm = match_project(value, projects_of(turn), bare=True)
            if pm.project is None:
                return None
            s.update(project_id=pm.project.id, project_name=pm.project.name, project_done=True)
            error = dry_run(turn.session, _attempt(turn, state, preferred_dates=[]))
            if error is not None and not isinstance(error, InvalidDate):
                s.update(project_id=None, project_name=None, project_done=False)
                return _field_error(turn, state, step, error.message)
            filled = True
    elif step == "dates":
        if _ANY_DATE_RE.match(value.strip()):
            s.update(dates=[], dates_done=True)
            filled = True
        else:
            days = [f.day for f in dates.find_dates(value, turn.today, loose=True)]
            if choice:
                days = [date.fromisoformat(choice)]
            if not days:
                return None
            error = dry_run(turn.session, _attempt(turn, state, preferred_dates=days))
            if error is not None:
                return _field_error(turn, state, step, error.message)
            s.update(dates=[d.isoformat() for d in sorted(set(days))], dates_done=True)
            filled = True
    if step in ("contact", "phone", "confirm") or not filled:
        phone = find_phone(value)
        if phone is None and step == "phone" and re.search(r"\d{3}", value):
            phone = value.strip()  # malformed: let the store's check say what is wrong
        contact = find_contact(value.replace(phone, " ") if phone else value, bare=step == "contact")
        for key, found in (("contact", contact), ("phone", phone)):
            if not found:
                continue
            try:
                if key == "contact":
                    s["contact_name"] = checks.text(found, "联系人", max_len=64)
                else:
                    s["contact_phone"] = checks.phone(found)
                filled = True
            except InvalidInput as exc:
                return _field_error(turn, state, key, exc.message)
    if step == "confirm" and not filled:
        days = [f.day for f in dates.find_dates(value, turn.today)]
        if days:
            error = dry_run(turn.session, _attempt(turn, state, preferred_dates=days))
            if error is not None:
                return _field_error(turn, state, "dates", error.message)
            s.update(dates=[d.isoformat() for d in sorted(set(days))], dates_done=True)
            filled = True
    return advance(turn, state) if filled else None


def _field_named(text: str) -> str | None:
    for name, words in _FIELD_WORDS:
        if any(w in text for w in words) or FIELD_LABELS[name] in text:
            return name
    return None


def ask_field(turn: Turn, state: ConversationState) -> Reply:
    return ask(state, "modify", "要修改哪一项？", [say(FIELD_LABELS[f]) for f in ORDER], intent="visit", flow=FLOW)


def submit(turn: Turn, state: ConversationState) -> Reply:
    visit, error = commit_step(turn.session, _attempt(turn, state))
    if error is not None:
        step = "dates" if isinstance(error, InvalidDate) else "topic"
        return _field_error(turn, state, step, error.message)
    state.clear_flow()
    return done_reply(visit)


def done_reply(v: VisitOut) -> Reply:
    lines = [
        f"服务申请已提交，编号 {v.visit_no}（{v.topic}）。",
        f"当前状态：{v.status_label}。质监站将按轻重缓急安排服务团专家，并与 {v.contact_name}（{v.contact_phone}）联系。",
    ]
    return Reply(text="\n".join(lines), kind="done", intent="visit", data={"visit": v.model_dump(mode="json")})


def reprompt(turn: Turn, state: ConversationState, prefix: str = "") -> Reply:
    step = state.step or "topic"
    if step == "confirm":
        reply = summary(turn, state)
    elif step == "modify":
        reply = ask_field(turn, state)
    else:
        reply = _prompt(turn, state, step)
    return reply.model_copy(update={"text": f"{prefix}{reply.text}"}) if prefix else reply

