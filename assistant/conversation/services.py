"""One-shot business replies: booking status, cancelling one's own booking, credit lookup, help, greeting."""

from __future__ import annotations

from assistant.conversation import dates
from assistant.conversation.common import Turn, bound_refusal, commit_step
from assistant.conversation.replies import Choice, Reply, say
from assistant.conversation.slots import credit_query, find_booking_no, pick
from assistant.conversation.state import ConversationState
from assistant.store import bookings
from assistant.store.booking_views import booking_row, get_booking, list_bookings
from assistant.store.credit import credit_lookup
from assistant.store.enterprises import enterprise_row
from assistant.store.enums import ACTIVE_BOOKING_STATUSES, BookingStatus
from assistant.store.errors import AmbiguousMatch, NotFound, StoreError
from assistant.store.schemas import BookingOut, CreditFull, CreditPublic

CANCEL_FLOW = "cancel_booking"
CREDIT_FLOW = "credit"
_ACTIVE = {s.value for s in ACTIVE_BOOKING_STATUSES}
_MENU = [say("问规范"), say("预约验收"), say("我的预约"), say("查信用"), say("申请帮扶")]


def menu() -> list[Choice]:
    return [c.model_copy() for c in _MENU]


def greeting(turn: Turn) -> Reply:
    who = f"{turn.actor.name}，" if turn.actor else ""
    text = (f"{who}您好！我是{turn.station_name or '质量监督站'}的质监助手。"
            "可以问我规范条文（回答会注明出处），也可以预约监督验收、查询预约进度和企业信用、申请质量服务团帮扶。")
    return Reply(text=text, kind="help", intent="greeting", choices=menu())


def help_reply(turn: Turn) -> Reply:
    lines = [
        "我可以帮您：",
        "1. 问规范：直接提问，如“楼板拆模强度要达到多少”；或按条文号查，如“ZJ/T 101 第6.0.2条”。",
        "2. 预约验收：发送“预约主体结构验收”，按提示选择工程、日期并确认。",
        "3. 查预约：发送“我的预约”或预约编号；发送“取消预约 编号”可撤回。",
        "4. 查信用：发送“查信用 企业名称”（本企业用户可看到得分明细）。",
        "5. 申请帮扶：发送“申请帮扶”，请质量服务团专家上门或线上指导。",
        "办理过程中随时可以发送“取消”或“重新开始”。"
        + ("回答后回复“有用”或“没用”帮助我们改进。" if turn.channel == "wecom" else "回答下方的 👍/👎 帮助我们改进。"),
    ]
    if turn.station_phone:
        lines.append(f"人工咨询：{turn.station_name} {turn.station_phone}")
    return Reply(text="\n".join(lines), kind="help", intent="help", choices=menu())


# -- booking status ----------------------------------------------------------------------------------

def _line(b: BookingOut) -> str:
    when = dates.describe(b.inspection_date)
    if b.scheduled_time is not None:
        when += f" {b.scheduled_time.strftime('%H:%M')}"
    extra = f"，监督员：{'、'.join(b.inspectors)}" if b.inspectors else ""
    reason = f"（{b.status_reason}）" if b.status_reason and b.status in ("returned", "cancelled") else ""
    return f"· {b.booking_no} {b.project_name} {b.milestone} {when} —— {b.status_label}{reason}{extra}"


def booking_status(turn: Turn, text: str) -> Reply:
    number = find_booking_no(text)
    if turn.actor is None:
        refusal = bound_refusal(turn.actor, "查询预约", turn.channel)
        assert refusal is not None
        return refusal
    if number:
        try:
            b = get_booking(turn.session, number, actor=turn.actor, rules=turn.rules)
        except StoreError as exc:
            return Reply(text=exc.message, kind="error", intent="booking_status")
        lines = [f"预约 {b.booking_no}：", _line(b), "办理记录："]
        lines += [f"  {h.at.astimezone(_tz(turn)).strftime('%m-%d %H:%M')} {h.actor_name} {h.action_label}"
                  + (f"（→{h.to_label}）" if h.to_label else "") for h in b.history]
        choices = [say("取消该预约", f"取消预约 {b.booking_no}")] if b.status in _ACTIVE else []
        return Reply(text="\n".join(lines), kind="info", intent="booking_status", choices=choices,
                     data={"booking": b.model_dump(mode="json")})
    if turn.actor.enterprise_id is None and not turn.actor.is_staff:
        refusal = bound_refusal(None, "查询预约", turn.channel)
        assert refusal is not None
        return refusal
    if turn.actor.is_staff:
        return Reply(text="请发送预约编号查询（如 2026-000123）；预约队列请在管理端查看。", kind="info",
                     intent="booking_status")
    found = list_bookings(turn.session, actor=turn.actor, date_from=turn.today, rules=turn.rules)
    current = [b for b in found if b.status in _ACTIVE or b.status == BookingStatus.returned.value]
    if not current:
        return Reply(text="贵单位目前没有进行中的预约。发送“预约验收”可以新建预约。", kind="info",
                     intent="booking_status", choices=[say("预约验收")])
    lines = ["贵单位进行中的预约："] + [_line(b) for b in current]
    lines.append("发送预约编号查看办理记录。")
    choices = [say(f"取消 {b.booking_no}", f"取消预约 {b.booking_no}") for b in current if b.status in _ACTIVE][:5]
    return Reply(text="\n".join(lines), kind="info", intent="booking_status", choices=choices,
                 data={"bookings": [b.model_dump(mode="json") for b in current]})


def _tz(turn: Turn):
    from zoneinfo import ZoneInfo

    return ZoneInfo(turn.rules.timezone)


# -- cancelling a booking ----------------------------------------------------------------------------

def start_cancel(turn: Turn, state: ConversationState, text: str) -> Reply:
    refusal = bound_refusal(turn.actor, "取消预约", turn.channel)
    if refusal is not None:
        return refusal
    number = find_booking_no(text)
    if number is None:
        mine = [b for b in list_bookings(turn.session, actor=turn.actor, date_from=turn.today, rules=turn.rules)
                if b.status in _ACTIVE]
        if not mine:
            return Reply(text="贵单位没有可以取消的预约。", kind="info", intent="booking_cancel")
        state.start(CANCEL_FLOW, "pick", turn.now)
        choices = [say(f"{b.booking_no} {b.milestone} {dates.label(b.inspection_date)}", b.booking_no) for b in mine]
        state.options = [c.value for c in choices]
        return Reply(text="要取消哪一个预约？", kind="prompt", intent="booking_cancel", choices=choices,
                     flow=CANCEL_FLOW, step="pick")
    state.start(CANCEL_FLOW, "confirm", turn.now)
    return _confirm_cancel(turn, state, number)


def _confirm_cancel(turn: Turn, state: ConversationState, number: str) -> Reply:
    try:
        booking = booking_row(turn.session, number)
    except NotFound:
        booking = None
    if booking is None or turn.actor is None or not turn.actor.acts_for(booking.enterprise_id):
        state.clear_flow()
        return Reply(text=f"未找到贵单位的预约 {number}，请核对编号（发送“我的预约”可查看）。", kind="error",
                     intent="booking_cancel")
    if booking.status.value not in _ACTIVE:
        state.clear_flow()
        return Reply(text=f"预约 {number} 当前为“{booking.status.label}”，不能取消。", kind="error",
                     intent="booking_cancel")
    state.step = "confirm"
    state.slots["booking_no"] = number
    state.options = ["确认", "保留"]
    text = (f"确定要取消预约 {number} 吗？\n{booking.project.name} · {booking.milestone} · "
            f"{dates.describe(booking.inspection_date)}（{booking.status.label}）\n取消后名额释放，如需再约要重新预约。")
    return Reply(text=text, kind="confirm", intent="booking_cancel", flow=CANCEL_FLOW, step="confirm",
                 choices=[say("确认取消", "确认"), say("不取消", "保留")])


def cancel_turn(turn: Turn, state: ConversationState, text: str, confirmed: bool | None) -> Reply | None:
    """A message inside the cancel dialogue; ``confirmed`` is the control word already read (or None)."""
    if state.step == "pick":
        number = pick(text, state.options) or find_booking_no(text)
        return None if number is None else _confirm_cancel(turn, state, number)
    number = state.slots.get("booking_no", "")
    if confirmed is None:
        if "保留" in text or "不取消" in text:
            confirmed = False
        else:  # anything else: the cancellation is still waiting, and the person is told so
            state.options, state.labels = ["确认", "保留"], {"确认取消": "确认", "不取消": "保留"}
            return Reply(text=f"预约 {number} 的取消还没有执行。确定取消请回复“确认取消”，保留预约请回复“不取消”。",
                         kind="confirm", intent="booking_cancel", flow=CANCEL_FLOW, step="confirm",
                         choices=[say("确认取消", "确认"), say("不取消", "保留")])
    state.clear_flow()
    if not confirmed:
        return Reply(text=f"好的，预约 {number} 保留不变。", kind="info", intent="booking_cancel")
    reason = f"{turn.actor.name if turn.actor else '企业用户'}通过对话取消"
    result, error = commit_step(turn.session, lambda: bookings.cancel_booking(
        turn.session, turn.actor, number, reason, rules=turn.rules, now=turn.now))  # type: ignore[arg-type]
    if error is not None:
        return Reply(text=error.message, kind="error", intent="booking_cancel")
    return Reply(text=f"预约 {number} 已取消。", kind="done", intent="booking_cancel",
                 data={"booking": result.model_dump(mode="json")}, choices=[say("我的预约")])


# -- credit ------------------------------------------------------------------------------------------

def credit(turn: Turn, state: ConversationState, text: str) -> Reply:
    """Look a firm up; with no name given, ask for one (a one-step dialogue)."""
    q = credit_query(text)
    if q.own:
        if turn.actor is None or turn.actor.enterprise_id is None:
            state.start(CREDIT_FLOW, "name", turn.now)
            return Reply(text="您还没有绑定企业账号，无法确定“本单位”。请输入要查询的企业名称或统一社会信用代码：",
                         kind="prompt", intent="credit", flow=CREDIT_FLOW, step="name")
        query = enterprise_row(turn.session, turn.actor.enterprise_id).uscc
    else:
        query = q.query
    if not query:
        state.start(CREDIT_FLOW, "name", turn.now)
        choices = [say("本单位")] if turn.actor and turn.actor.enterprise_id else []
        state.options = [c.value for c in choices]
        return Reply(text="请输入要查询的企业名称或统一社会信用代码：", kind="prompt", intent="credit",
                     flow=CREDIT_FLOW, step="name", choices=choices)
    try:
        view = credit_lookup(turn.session, query, actor=turn.actor, as_of=turn.today, rules=turn.rules)
    except AmbiguousMatch as exc:
        state.start(CREDIT_FLOW, "name", turn.now)
        names = list(exc.detail.get("candidates", []))
        state.options = names
        return Reply(text=exc.message, kind="prompt", intent="credit", flow=CREDIT_FLOW, step="name",
                     choices=[say(n) for n in names])
    except StoreError as exc:
        state.start(CREDIT_FLOW, "name", turn.now)
        return Reply(text=f"{exc.message}\n请重新输入企业名称，或回复“取消”。", kind="error", intent="credit",
                     flow=CREDIT_FLOW, step="name")
    state.clear_flow()
    return credit_reply(view)


def credit_turn(turn: Turn, state: ConversationState, text: str) -> Reply:
    return credit(turn, state, pick(text, state.options) or text)


def credit_reply(view: CreditPublic | CreditFull) -> Reply:
    lines = [
        f"{view.enterprise_name}（统一社会信用代码 {view.uscc}）",
        f"信用等级：{view.grade}，监管方式：{view.mode}（随机抽查比例 {view.check_ratio_min:g}%–{view.check_ratio_max:g}%）",
        f"截至 {dates.describe(view.as_of)}。",
    ]
    if view.matched_by == "fuzzy":
        lines.insert(0, "（按名称近似匹配，请核对企业全称）")
    if isinstance(view, CreditFull):
        lines.append(f"信用分：{view.score:g}（基础分 {view.base:g}，良好记录 +{view.good_points_counted:g}"
                     f"{'（已封顶）' if view.good_points_counted < view.good_points else ''}，不良记录 {view.bad_points:g}）")
        counted = [r for r in view.records if r.counted]
        if counted:
            lines.append("计分记录：")
            lines += [f"· {r.kind_label} {r.points:+g} {r.recorded_on} {r.reason}"
                      f"（{r.document_no}，有效期至 {r.expires_on}）" for r in counted]
        if view.next_expiry:
            lines.append(f"最近一条记录将于 {view.next_expiry} 到期。")
    else:
        lines.append("信用分明细仅向本企业和质监站工作人员开放。")
    return Reply(text="\n".join(lines), kind="info", intent="credit", data={"credit": view.model_dump(mode="json")})
