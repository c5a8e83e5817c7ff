"""Booking an inspection by conversation: project, milestone, date, contact, phone, then confirmation.

Any message may fill several slots at once ("下周三约一中的主体验收，联系人张三
13800000000"); each value is checked as soon as it is known by a dry run of
``bookings.create_booking`` (see ``common.dry_run``), so a wrong date is refused
with the store's own reason and the earliest date allowed, and re-asked. Nothing
is written before the user confirms the summary.
"""

from __future__ import annotations

import re
from datetime import date

from assistant.conversation import dates
from assistant.conversation.common import (
    PROBE_CONTACT,
    PROBE_PHONE,
    AskRequest,
    Turn,
    ask,
    commit_step,
    dry_run,
    projects_of,
)
from assistant.conversation.replies import CONFIRM_CHOICES, Reply, say
from assistant.conversation.slots import (
    core_name,
    find_contact,
    find_phone,
    match_milestone,
    match_project,
    pick,
)
from assistant.conversation.state import ConversationState
from assistant.store import bookings, checks
from assistant.store.booking_views import booking_window
from assistant.store.enterprises import enterprise_row
from assistant.store.errors import CalendarUnavailable, CapacityFull, InvalidDate, InvalidInput, StoreError
from assistant.store.schemas import BookingOut, ProjectOut

FLOW = "booking"
DATE_ERRORS = (InvalidDate, CapacityFull, CalendarUnavailable)  # re-ask the date; other errors re-ask the milestone
ORDER = ("project", "milestone", "date", "contact", "phone")
FIELD_LABELS = {"project": "工程", "milestone": "验收事项", "date": "预约日期", "contact": "联系人", "phone": "联系电话"}
_FIELD_WORDS = (("phone", ("电话", "手机", "号码")), ("contact", ("联系人", "姓名", "名字")),
                ("date", ("日期", "时间", "哪天", "日子")), ("milestone", ("事项", "验收", "类型", "节点")),
                ("project", ("工程", "项目")))


def field_named(text: str) -> str | None:
    for name, words in _FIELD_WORDS:
        if any(w in text for w in words) or FIELD_LABELS[name] in text:
            return name
    return None


def _project_label(p: ProjectOut) -> str:
    return f"{p.name}（{p.number}）" if p.number else p.name


def start(turn: Turn, state: ConversationState, text: str) -> Reply:
    state.start(FLOW, "project", turn.now)
    projects = projects_of(turn)
    if not projects:
        state.clear_flow()
        return Reply(text="贵单位在本站暂无在监工程，不能预约监督。如工程已办理监督注册，请联系质监站核实参建单位信息。",
                     kind="error", intent="book")
    if len(projects) == 1:
        _set_project(state, projects[0])
    error = absorb(turn, state, text, focus=None)
    return error or advance(turn, state)


def _set_project(state: ConversationState, p: ProjectOut) -> None:
    if state.slots.get("project_id") != p.id:
        state.slots.pop("date_ok", None)
    state.slots.update(project_id=p.id, project_name=p.name, project_number=p.number)


def absorb(turn: Turn, state: ConversationState, text: str, focus: str | None) -> Reply | None:
    """Take every slot value ``text`` offers and check it; an error reply (step set to re-ask), or None.

    The names of the slots filled are left in ``state.slots["_touched"]``.
    """
    s = state.slots
    found: dict[str, object] = {}
    choice = pick(text, state.options) if focus else None
    rest = choice or text
    projects = projects_of(turn)
    pm = match_project(rest, projects, bare=focus == "project")
    if pm.candidates and focus == "project":
        state.step = "project"
        state.options = [p.name for p in pm.candidates]
        return Reply(text="有多个工程名称相近，请选择：", kind="prompt", intent="book", flow=FLOW, step="project",
                     choices=[say(_project_label(p), p.name) for p in pm.candidates])
    if pm.project is not None:
        found["project"] = pm.project
        for part in (pm.project.name, core_name(pm.project.name), pm.project.supervision_no, pm.project.permit_no):
            if part:
                rest = rest.replace(part, " ")  # "3号住宅楼" is not a date
    phone = find_phone(rest)
    if phone:
        found["phone"] = phone
        rest = rest.replace(phone, " ")
    elif focus == "phone" and re.search(r"\d{3}", rest):
        found["phone"] = rest.strip()  # malformed: let the store's check say what is wrong
    milestone = match_milestone(rest, turn.rules.milestones)
    if milestone:
        found["milestone"] = milestone
    day = date.fromisoformat(choice) if focus == "date" and choice else dates.parse_date(
        rest, turn.today, loose=focus == "date")
    if day is not None:
        found["date"] = day
        rest = dates.strip_dates(rest, turn.today)
    contact = find_contact(rest, bare=focus == "contact")
    if contact:
        found["contact"] = contact
    s["_touched"] = sorted(found)
    if not found:
        return None
    if "project" in found:
        _set_project(state, found["project"])  # type: ignore[arg-type]
    if "milestone" in found:
        if s.get("milestone") != found["milestone"]:
            s.pop("date_ok", None)
        s["milestone"] = found["milestone"]
    if "date" in found:
        s["date"], s["date_ok"] = found["date"].isoformat(), False  # type: ignore[union-attr]
    for key in ("contact", "phone"):
        if key in found:
            error = _check_contact(state, key, str(found[key]))
            if error:
                return error
    return _validate(turn, state)


def _check_contact(state: ConversationState, key: str, value: str) -> Reply | None:
    try:
        if key == "contact":
            state.slots["contact_name"] = checks.text(value, "联系人", max_len=64)
        else:
            state.slots["contact_phone"] = checks.phone(value)
    except InvalidInput as exc:
        state.step = key
        state.slots.pop("contact_name" if key == "contact" else "contact_phone", None)
        return Reply(text=f"{exc.message}\n{_question(key)}", kind="prompt", intent="book", step=key, flow=FLOW)
    return None


def _attempt(turn: Turn, state: ConversationState, day: date):
    s = state.slots
    return lambda: bookings.create_booking(
        turn.session, turn.actor, project=s["project_id"], milestone=s["milestone"], requested_date=day,  # type: ignore[arg-type]
        contact_name=s.get("contact_name") or PROBE_CONTACT, contact_phone=s.get("contact_phone") or PROBE_PHONE,
        rules=turn.rules, now=turn.now,
    )


def _validate(turn: Turn, state: ConversationState) -> Reply | None:
    """Dry-run what is known: the project/milestone rules, then the date."""
    s = state.slots
    if not (s.get("project_id") and s.get("milestone")):
        return None
    if s.get("date") and not s.get("date_ok"):
        error = dry_run(turn.session, _attempt(turn, state, date.fromisoformat(s["date"])))
        if error is None:
            s["date_ok"] = True
            return None
        if isinstance(error, DATE_ERRORS):
            s.pop("date", None)
            s.pop("date_ok", None)
            return _date_error(turn, state, error)
        return _milestone_error(turn, state, error)
    key = f"{s['project_id']}:{s['milestone']}"
    if s.get("milestone_ok") != key:
        try:
            window = booking_window(turn.session, s["project_id"], s["milestone"], rules=turn.rules, now=turn.now)
        except StoreError as exc:
            return _milestone_error(turn, state, exc)
        probe_day = window.days[0].day if window.days else window.earliest
        error = dry_run(turn.session, _attempt(turn, state, probe_day))
        if error is not None and not isinstance(error, DATE_ERRORS):
            return _milestone_error(turn, state, error)
        s["milestone_ok"] = key
    return None


def _milestone_error(turn: Turn, state: ConversationState, error: StoreError) -> Reply:
    """A rule of the project and milestone (open notice, duplicate, no team): choose another milestone or project."""
    state.slots.pop("milestone", None)
    state.slots.pop("milestone_ok", None)
    state.step = "milestone"
    prompt = _prompt(turn, state, "milestone")
    return prompt.model_copy(update={"text": f"{error.message}\n\n可以换一个验收事项，或回复“取消”结束预约。\n{prompt.text}",
                                     "kind": "error"})


def _date_error(turn: Turn, state: ConversationState, error: StoreError) -> Reply:
    state.step = "date"
    prompt = _prompt(turn, state, "date")
    earliest = error.detail.get("earliest")
    hint = f"（最早可约 {earliest}）" if earliest and str(earliest) not in error.message else ""
    return prompt.model_copy(update={"text": f"{error.message}{hint}\n请重新选择日期：\n{prompt.text}", "kind": "error"})


def _question(step: str) -> str:
    return {
        "project": "请选择要预约的工程（可回复序号、工程名称或监督注册号）：",
        "milestone": "请选择验收事项：",
        "date": "请选择或输入希望监督到场的日期（如“下周三”“12月5日”）：",
        "contact": "请输入现场联系人姓名：",
        "phone": "请输入联系人的手机号或带区号的固定电话：",
    }[step]


def _prompt(turn: Turn, state: ConversationState, step: str) -> Reply:
    s = state.slots
    text, choices = _question(step), []
    if step == "project":
        projects = projects_of(turn)
        choices = [say(_project_label(p), p.name) for p in projects]
    elif step == "milestone":
        choices = [say(m) for m in turn.rules.milestones]
    elif step == "date":
        try:
            window = booking_window(turn.session, s["project_id"], s["milestone"], rules=turn.rules, now=turn.now)
        except StoreError as exc:
            return Reply(text=exc.message, kind="error", intent="book")
        text = (f"{text}\n{s['milestone']}须至少提前{window.lead_days}个工作日预约，最早可约 "
                f"{dates.describe(window.earliest)}。")
        choices = [say(dates.label(d.day) + f" 余{d.free}", d.day.isoformat()) for d in window.days]
        if window.notices:
            text += "\n" + "\n".join(window.notices)
    elif step == "contact" and turn.actor is not None:
        choices = [say(turn.actor.name)]
    return ask(state, step, text, choices, intent="book", flow=FLOW)


def advance(turn: Turn, state: ConversationState) -> Reply:
    """Ask for the first missing slot, or show the summary."""
    s = state.slots
    have = {"project": s.get("project_id"), "milestone": s.get("milestone"), "date": s.get("date_ok"),
            "contact": s.get("contact_name"), "phone": s.get("contact_phone")}
    for step in ORDER:
        if not have[step]:
            return _prompt(turn, state, step)
    return summary(turn, state)


def summary(turn: Turn, state: ConversationState) -> Reply:
    s = state.slots
    state.back_to_confirm = False
    firm = enterprise_row(turn.session, turn.actor.enterprise_id).name if turn.actor and turn.actor.enterprise_id else ""
    number = f"（{s['project_number']}）" if s.get("project_number") else ""
    lines = [
        "请核对预约信息：",
        f"工程：{s['project_name']}{number}",
        f"验收事项：{s['milestone']}",
        f"预约日期：{dates.describe(date.fromisoformat(s['date']))}",
        f"联系人：{s['contact_name']}",
        f"联系电话：{s['contact_phone']}",
        f"申请单位：{firm}",
        "回复“确认”提交，“修改”更改某一项，“取消”放弃。",
    ]
    return ask(state, "confirm", "\n".join(lines), list(CONFIRM_CHOICES), intent="book", flow=FLOW, kind="confirm")


def ask_field(turn: Turn, state: ConversationState) -> Reply:
    return ask(state, "modify", "要修改哪一项？", [say(FIELD_LABELS[f]) for f in ORDER], intent="book", flow=FLOW)


def edit_field(turn: Turn, state: ConversationState, text: str) -> Reply | None:
    """'日期' / '修改电话' -> re-ask that slot, then come back to the summary."""
    name = field_named(pick(text, state.options) or text)
    if name is None:
        return None
    state.back_to_confirm = True
    if name == "date":
        state.slots.pop("date_ok", None)
    return _prompt(turn, state, name)


def submit(turn: Turn, state: ConversationState) -> Reply:
    s = state.slots
    booking, error = commit_step(turn.session, lambda: bookings.create_booking(
        turn.session, turn.actor, project=s["project_id"], milestone=s["milestone"],  # type: ignore[arg-type]
        requested_date=date.fromisoformat(s["date"]), contact_name=s["contact_name"],
        contact_phone=s["contact_phone"], rules=turn.rules, now=turn.now))
    if error is not None:
        if isinstance(error, DATE_ERRORS):
            s.pop("date", None)
            s.pop("date_ok", None)
            state.back_to_confirm = True
            return _date_error(turn, state, error)
        return _milestone_error(turn, state, error)
    state.clear_flow()
    return done_reply(booking)


def done_reply(b: BookingOut) -> Reply:
    lines = [
        f"预约已提交，预约编号 {b.booking_no}。",
        f"{b.project_name} · {b.milestone} · {dates.describe(b.inspection_date)}",
        f"当前状态：{b.status_label}。监督站受理并安排监督人员后会通知联系人 {b.contact_name}（{b.contact_phone}）。",
        "可发送“我的预约”查看进度，或“取消预约 编号”撤回。",
    ]
    lines += b.notices
    return Reply(text="\n".join(lines), kind="done", intent="book", data={"booking": b.model_dump(mode="json")},
                 choices=[say("我的预约")])


def step_turn(turn: Turn, state: ConversationState, text: str) -> Reply | AskRequest | None:
    """A message while a slot is being asked; None when it offered nothing for the dialogue."""
    step = state.step or "project"
    if step == "modify":
        return edit_field(turn, state, text)
    error = absorb(turn, state, text, focus=step if step != "confirm" else None)
    touched = state.slots.pop("_touched", [])
    if error is not None:
        return error
    return advance(turn, state) if touched else None


def reprompt(turn: Turn, state: ConversationState, prefix: str = "") -> Reply:
    step = state.step or "project"
    if step == "confirm":
        reply = summary(turn, state)
    elif step == "modify":
        reply = ask_field(turn, state)
    else:
        reply = _prompt(turn, state, step)
    return reply.model_copy(update={"text": f"{prefix}{reply.text}"}) if prefix else reply

