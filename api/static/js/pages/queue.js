/* 预约工作台 (inspectors, admins): today / this week / overdue / awaiting 受理, with counts; each booking's
 * detail and history; 受理, 退回 (reason), 排期 (date, time, inspectors; conflict warning), 办结 (conclusion,
 * attachments), 取消 (reason), a rectification notice issued from the booking, an inspection record started from it,
 * and shortcuts to 检查记录, 双随机 and 信用草稿. */
import { api, query } from "../core/api.js";
import { $, $$, el, fill, hhmm, history, kv, statusBadge, tel, weekday } from "../core/dom.js";
import { checkGroup, checked, field, form, serverErrors, validate } from "../core/forms.js";
import { gallery, photoPicker, uploadAll } from "../core/photos.js";
import { go, register } from "../core/router.js";
import { staff } from "../core/session.js";
import { resultBox, showResult, toast } from "../core/ui.js";

const QUEUES = [["today", "今日"], ["week", "本周"], ["overdue", "逾期"], ["pending", "待受理"]];
let currentQueue = null;  // chosen by the inspector; at first the most pressing queue that has work

function item(b) {
  return el("li", { class: "item", "data-booking": b.booking_no },
    el("button", { type: "button", class: "open", onclick: () => go("queue", b.booking_no) },
      el("div", { class: "top" }, el("span", { class: "no" }, b.booking_no), statusBadge(b.status, b.status_label)),
      el("div", {}, `${b.milestone} · ${b.inspection_date}（${weekday(b.inspection_date)}）${b.scheduled_time ? " " + hhmm(b.scheduled_time) : ""}`),
      el("div", { class: "sub" }, `${b.project_name} · ${b.enterprise_name}`),
      b.inspectors.length ? el("div", { class: "sub" }, "监督员：" + b.inspectors.join("、")) : null));
}

async function showList(section, which) {
  currentQueue = which || currentQueue;
  $$("[data-panel]", section).forEach((p) => { p.hidden = p.dataset.panel !== "list"; });
  const list = $("#queue-list", section);
  fill(list, el("li", { class: "hint" }, "加载中…"));
  try {
    const q = await api("/v1/bookings/queues");
    if (!currentQueue) currentQueue = ["today", "overdue", "pending", "week"].find((k) => q.counts[k]) || "today";
    fill($("#queue-tabs", section), QUEUES.map(([key, label]) => el("button", {
      type: "button", role: "tab", class: "seg" + (key === currentQueue ? " active" : "") + (key === "overdue" && q.counts.overdue ? " alert" : ""),
      "data-queue": key, "aria-selected": String(key === currentQueue), onclick: () => showList(section, key),
    }, label, el("span", { class: "count" }, String(q.counts[key])))));
    const rows = q[currentQueue];
    const empty = { today: "今天没有待办的监督。", week: `本周（至 ${q.week_end}）没有其他待办的监督。`, overdue: "没有逾期未办结的预约。", pending: "没有待受理的预约。" };
    fill(list, rows.length ? rows.map(item) : [el("li", { class: "hint" }, empty[currentQueue])]);
  } catch (e) { fill(list, el("li", { class: "hint" }, e.message)); }
}

function reasonForm(id, label, button, onReason, danger = true) {
  const reason = el("textarea", { name: "reason", rows: "2", maxlength: "1000", required: true });
  const out = resultBox();
  const f = form({ id, class: "inline", onsubmit: async (ev) => {
    ev.preventDefault();
    if (!validate(f)) return;
    try { await onReason(reason.value.trim()); } catch (e) { showResult(out, false, e.message); }
  } }, field(label, reason), out, el("button", { type: "submit", class: "btn " + (danger ? "danger" : "primary") }, button));
  return f;
}

async function scheduleForm(section, b) {
  const people = await staff("inspector");
  const date = el("input", { type: "date", name: "on_date", required: true, value: b.inspection_date });
  const time = el("input", { type: "time", name: "at_time", required: true, value: b.scheduled_time ? hhmm(b.scheduled_time) : "09:00", step: "300" });
  const group = checkGroup("inspectors", "监督员（至少2人）", people.map((p) => ({ value: p.id, label: p.name })), { min: 2 });
  for (const box of group.querySelectorAll("input")) {
    const p = people.find((x) => String(x.id) === box.value);
    if (p && b.inspectors.includes(p.name)) box.checked = true;
  }
  const warn = el("div", { class: "warn", id: "conflict-warning", hidden: true, role: "alert" });
  const out = resultBox("schedule-result");
  const body = (allow) => ({ inspectors: checked(group, "inspectors").map(Number), at_time: time.value,
    on_date: date.value !== b.inspection_date ? date.value : null, allow_conflict: allow });
  const showConflicts = (conflicts, withButton) => {
    if (!conflicts.length) { warn.hidden = true; fill(warn); return; }
    fill(warn, el("strong", {}, "时间冲突："),
      el("ul", {}, conflicts.map((c) => el("li", {}, `${c.inspectors.join("、")} 已排 ${c.inspection_date} ${hhmm(c.scheduled_time)} ${c.project_name} ${c.milestone}（${c.booking_no}）`))),
      withButton ? el("button", { type: "button", class: "btn danger", id: "schedule-anyway", onclick: () => send(true) }, "仍然排期") : el("small", {}, "提交时需再次确认。"));
    warn.hidden = false;
  };
  const check = async () => {
    const ids = checked(group, "inspectors");
    if (!ids.length || !time.value || !date.value) { showConflicts([], false); return; }
    try { showConflicts(await api(`/v1/bookings/${encodeURIComponent(b.booking_no)}/conflicts` + query({ at_time: time.value, on_date: date.value, inspectors: ids })), false); }
    catch (e) { /* the check is advice; the server decides on submit */ }
  };
  const send = async (allow) => {
    try {
      await api(`/v1/bookings/${encodeURIComponent(b.booking_no)}/schedule`, { method: "POST", body: body(allow) });
      toast("已排期"); showDetail(section, b.booking_no);
    } catch (e) {
      if (e.code === "inspector_conflict") { showConflicts(e.body.conflicts || [], true); warn.scrollIntoView({ block: "center" }); return; }
      serverErrors(f, e); showResult(out, false, e.message);
    }
  };
  const f = form({ id: "schedule-form", onchange: check, onsubmit: (ev) => { ev.preventDefault(); if (validate(f)) send(false); } },
    el("h3", {}, b.status === "scheduled" ? "改期或调整监督员" : "排期"),
    el("div", { class: "row two" }, field("监督日期", date), field("到场时间", time)), group, warn, out,
    el("button", { type: "submit", class: "btn primary block" }, b.status === "scheduled" ? "保存改期" : "确认排期"));
  check();
  return f;
}

function completeForm(section, b) {
  const result = el("textarea", { name: "result", rows: "3", maxlength: "2000", required: true, placeholder: "如：地基与基础分部验收合格，资料齐全" });
  const files = photoPicker({ label: "附件（现场照片、验收记录 PDF，选填）", pdf: true });
  const progress = el("div", { class: "uploads" });
  const out = resultBox("complete-result");
  const f = form({ id: "complete-form", onsubmit: async (ev) => {
    ev.preventDefault();
    if (!validate(f)) return;
    const sent = await uploadAll("booking", b.booking_no, files.files(), progress);
    if (sent.failed.length) { showResult(out, false, `有 ${sent.failed.length} 个附件未上传：${sent.failed.map((x) => x.message).join("；")}`); return; }
    try {
      await api(`/v1/bookings/${encodeURIComponent(b.booking_no)}/complete`, { method: "POST", body: { result: result.value.trim() } });
      toast("已办结"); showDetail(section, b.booking_no);
    } catch (e) { serverErrors(f, e); showResult(out, false, e.message); }
  } }, el("h3", {}, "办结"), field("监督结论", result), files.node, progress, out,
  el("button", { type: "submit", class: "btn primary block" }, "办结"));
  return f;
}

async function showDetail(section, no) {
  $$("[data-panel]", section).forEach((p) => { p.hidden = p.dataset.panel !== "detail"; });
  const box = $("#queue-detail", section);
  fill(box, el("p", { class: "hint" }, "加载中…"));
  try {
    const b = await api("/v1/bookings/" + encodeURIComponent(no));
    const open = ["submitted", "accepted", "scheduled"].includes(b.status);
    const actions = el("div", { id: "booking-actions" });
    const slot = el("div", { id: "action-slot" });
    const reveal = (node) => { fill(slot, node); slot.scrollIntoView({ block: "start", behavior: "smooth" }); };
    if (b.status === "submitted") {
      actions.append(el("button", { type: "button", class: "btn primary", id: "accept", onclick: async () => {
        try { await api(`/v1/bookings/${encodeURIComponent(no)}/accept`, { method: "POST" }); toast("已受理"); showDetail(section, no); }
        catch (e) { showResult($("#detail-result", section), false, e.message); }
      } }, "受理"));
    }
    if (["submitted", "accepted"].includes(b.status)) {
      actions.append(el("button", { type: "button", class: "btn", id: "return-open", onclick: () => reveal(reasonForm("return-form", "退回原因", "确认退回",
        async (reason) => { await api(`/v1/bookings/${encodeURIComponent(no)}/return`, { method: "POST", body: { reason } }); toast("已退回"); showDetail(section, no); })) }, "退回"));
    }
    if (["accepted", "scheduled"].includes(b.status)) {
      actions.append(el("button", { type: "button", class: "btn" + (b.status === "accepted" ? " primary" : ""), id: "schedule-open",
        onclick: async () => reveal(await scheduleForm(section, b)) }, b.status === "scheduled" ? "改期" : "排期"));
    }
    if (b.status === "scheduled") {
      actions.append(el("button", { type: "button", class: "btn primary", id: "complete-open", onclick: () => reveal(completeForm(section, b)) }, "办结"));
    }
    if (open) {
      actions.append(el("button", { type: "button", class: "btn danger", id: "cancel-open", onclick: () => reveal(reasonForm("cancel-form", "取消原因", "确认取消",
        async (reason) => { await api(`/v1/bookings/${encodeURIComponent(no)}/cancel`, { method: "POST", body: { reason } }); toast("已取消，已通知负责的监督员"); showDetail(section, no); })) }, "取消"));
    }
    if (["scheduled", "completed"].includes(b.status)) {
      actions.append(el("button", { type: "button", class: "btn", id: "inspect-from-booking", onclick: () => go("inspect", `new:booking:${b.booking_no}:${b.project_id}`) }, "记录检查"));
    }
    actions.append(el("button", { type: "button", class: "btn", id: "notice-from-booking", onclick: () => go("notices", "new:" + b.project_id) }, "下发整改"));
    actions.append(el("button", { type: "button", class: "btn", id: "timeline-from-booking", onclick: () => go("inspect", "project:" + b.project_id) }, "工程动态"));
    fill(box,
      el("button", { type: "button", class: "btn small back", onclick: () => go("queue") }, "‹ 返回队列"),
      el("div", { class: "card" },
        el("div", { class: "row-between" }, el("strong", {}, `预约 ${b.booking_no}`), statusBadge(b.status, b.status_label)),
        kv([["工程", `${b.project_name}（${b.project_number}）`], ["地址", b.project_address], ["事项", b.milestone],
          ["申请日期", b.requested_date], ["监督日期", `${b.inspection_date}（${weekday(b.inspection_date)}）${b.scheduled_time ? " " + hhmm(b.scheduled_time) : ""}`],
          ["监督组", b.team_name], ["监督员", b.inspectors.join("、") || "待指派"], ["申请单位", b.enterprise_name],
          ["联系人", b.contact_name], ["电话", tel(b.contact_phone)], ["备注", b.note],
          [b.status === "returned" ? "退回原因" : "说明", b.status_reason], ["监督结论", b.result]]),
        await gallery("booking", b.booking_no),
        el("h3", {}, "办理记录"), history(b.history)),
      el("div", { class: "actions" }, actions), resultBox("detail-result"), slot);
  } catch (e) { fill(box, el("p", { class: "result err" }, e.message)); }
}

register({
  id: "queue", title: "预约工作台", tab: { label: "预约", icon: "calendar" }, roles: ["inspector", "admin"],
  tabs: { inspector: 1 },
  mount(section) {
    fill(section,
      el("div", { "data-panel": "list" },
        el("nav", { class: "quick", "aria-label": "监督检查" },
          el("button", { type: "button", class: "btn small", "data-go": "inspect", id: "go-inspect" }, "检查记录"),
          el("button", { type: "button", class: "btn small", "data-go": "spotcheck", id: "go-spotcheck" }, "双随机"),
          el("button", { type: "button", class: "btn small", "data-go": "drafts", id: "go-drafts" }, "信用草稿")),
        el("div", { class: "segmented counts", role: "tablist", id: "queue-tabs" }),
        el("ol", { class: "list", id: "queue-list" })),
      el("div", { "data-panel": "detail", id: "queue-detail", hidden: true }));
  },
  show(section, arg) { return arg ? showDetail(section, arg) : showList(section); },
});
