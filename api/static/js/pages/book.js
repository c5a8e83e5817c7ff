/* 预约 (enterprise users): book the station's attendance at a milestone; my bookings with their history;
 * cancel with a reason. The server checks every rule; its Chinese reason is shown as it says it. */
import { api, query } from "../core/api.js";
import { $, $$, el, fill, history, hhmm, kv, statusBadge, tel, weekday } from "../core/dom.js";
import { field, form, options, serverErrors, validate } from "../core/forms.js";
import { gallery } from "../core/photos.js";
import { register } from "../core/router.js";
import { meta, projects, session } from "../core/session.js";
import { resultBox, showResult, toast } from "../core/ui.js";

function selectDay(section, day) {
  $("#book-date", section).value = day;
  $$(".day", section).forEach((b) => {
    const on = b.dataset.day === day;
    b.classList.toggle("selected", on);
    b.setAttribute("aria-pressed", String(on));
  });
}

async function updateWindow(section) {
  const project = $("#book-project", section).value, milestone = $("#book-milestone", section).value;
  const box = $("#book-window", section);
  if (!project || !milestone) { fill(box); return; }
  fill(box, "正在计算最早可约日期…");
  try {
    const w = await api("/v1/bookings/window" + query({ project, milestone }));
    const date = $("#book-date", section);
    date.min = w.earliest;
    if (!date.value || date.value < w.earliest) date.value = (w.days.find((d) => d.free > 0) || { day: w.earliest }).day;
    fill(box,
      el("div", {}, "最早可约：", el("span", { class: "earliest", id: "book-earliest" }, `${w.earliest}（${weekday(w.earliest)}）`)),
      el("div", { class: "hint" }, `${w.milestone}须提前${w.lead_days}个工作日预约 · ${w.team_name}`),
      el("div", { class: "days", role: "group", "aria-label": "有空的日子" }, w.days.map((d) => el("button", {
        type: "button", class: "day" + (d.free > 0 ? "" : " full"), "data-day": d.day, "aria-pressed": "false",
        disabled: d.free > 0 ? null : true, onclick: () => selectDay(section, d.day),
      }, `${d.day.slice(5)} ${weekday(d.day)} 余${d.free}`))),
      (w.notices || []).map((n) => el("div", { class: "hint" }, n)));
    selectDay(section, date.value);
  } catch (e) { fill(box, el("span", { class: "err-text" }, e.message)); }
}

async function submit(section, f) {
  const out = $("#book-result", section);
  out.hidden = true;
  if (!validate(f)) return;
  const body = {
    project: Number($("#book-project", section).value), milestone: $("#book-milestone", section).value,
    requested_date: $("#book-date", section).value, contact_name: $("#book-contact", section).value.trim(),
    contact_phone: $("#book-phone", section).value.trim(), note: $("#book-note", section).value.trim(),
  };
  try {
    const b = await api("/v1/bookings", { method: "POST", body });
    showResult(out, true, el("div", {}, "预约已提交，编号 ", el("strong", { id: "booking-no" }, b.booking_no)),
      el("div", {}, `${b.project_name} · ${b.milestone} · ${b.inspection_date}（${b.status_label}）`),
      el("button", { type: "button", class: "btn small", onclick: () => showMine(section) }, "查看我的预约"));
    toast("预约已提交");
  } catch (e) {
    serverErrors(f, e);
    const alt = e.body && e.body.alternatives && e.body.alternatives.length ? `可选日期：${e.body.alternatives.join("、")}` : "";
    showResult(out, false, el("div", { class: "reason" }, e.message), alt ? el("div", {}, alt) : null);
  }
}

function setSeg(section, seg) {
  $$(".seg", section).forEach((b) => { const on = b.dataset.seg === seg; b.classList.toggle("active", on); b.setAttribute("aria-selected", String(on)); });
  $$("[data-seg-panel]", section).forEach((p) => { p.hidden = p.dataset.segPanel !== seg; });
}

async function showMine(section) {
  setSeg(section, "book-mine");
  const list = $("#mine-list", section);
  $("#mine-detail", section).hidden = true;
  fill(list, el("li", { class: "hint" }, "加载中…"));
  try {
    const rows = await api("/v1/bookings");
    rows.sort((a, b) => (b.created_at || "").localeCompare(a.created_at || ""));
    fill(list, rows.length ? rows.map((b) => el("li", { class: "item", "data-booking": b.booking_no },
      el("button", { type: "button", class: "open", onclick: () => showBooking(section, b.booking_no) },
        el("div", { class: "top" }, el("span", { class: "no" }, b.booking_no), statusBadge(b.status, b.status_label)),
        el("div", {}, `${b.milestone} · ${b.inspection_date}（${weekday(b.inspection_date)}）${b.scheduled_time ? " " + hhmm(b.scheduled_time) : ""}`),
        el("div", { class: "sub" }, b.project_name)))) : [el("li", { class: "hint" }, "还没有预约。")]);
  } catch (e) { fill(list, el("li", { class: "hint" }, e.message)); }
}

function cancelForm(section, no) {
  const reason = el("textarea", { name: "reason", rows: "2", maxlength: "1000", required: true, placeholder: "如：现场条件未具备" });
  const out = resultBox("cancel-result");
  const f = form({ class: "inline", id: "cancel-form", onsubmit: async (ev) => {
    ev.preventDefault();
    if (!validate(f)) return;
    try {
      await api(`/v1/bookings/${encodeURIComponent(no)}/cancel`, { method: "POST", body: { reason: reason.value.trim() } });
      toast("预约已取消");
      await showBooking(section, no);
    } catch (e) { showResult(out, false, e.message); }
  } }, field("取消原因", reason), out,
  el("div", { class: "row" }, el("button", { type: "submit", class: "btn danger" }, "确认取消预约"),
    el("button", { type: "button", class: "btn", onclick: () => f.remove() }, "不取消")));
  return f;
}

async function showBooking(section, no) {
  const box = $("#mine-detail", section);
  try {
    const b = await api("/v1/bookings/" + encodeURIComponent(no));
    const canCancel = ["submitted", "accepted", "scheduled"].includes(b.status);
    const slot = el("div", { id: "cancel-slot" });
    fill(box,
      el("div", { class: "row-between" }, el("strong", {}, `预约 ${b.booking_no}`), statusBadge(b.status, b.status_label)),
      kv([["工程", b.project_name], ["事项", b.milestone], ["监督日期", `${b.inspection_date}（${weekday(b.inspection_date)}）${b.scheduled_time ? " " + hhmm(b.scheduled_time) : ""}`],
        ["监督组", b.team_name], ["监督员", b.inspectors.join("、") || "待指派"], ["联系人", b.contact_name], ["电话", tel(b.contact_phone)],
        [b.status === "returned" ? "退回原因" : "说明", b.status_reason], ["监督结论", b.result]]),
      await gallery("booking", b.booking_no),
      el("h3", {}, "办理记录"), history(b.history),
      canCancel ? el("button", { type: "button", class: "btn danger", id: "cancel-open", onclick: () => { fill(slot, cancelForm(section, b.booking_no)); $("textarea", slot).focus(); } }, "取消预约") : null,
      slot);
    box.hidden = false;
    box.scrollIntoView({ block: "start", behavior: "smooth" });
  } catch (e) { toast(e.message); }
}

register({
  id: "book", title: "监督预约", tab: { label: "预约", icon: "calendar" }, roles: ["contractor"],
  tabs: { contractor: 3 },
  mount(section) {
    const project = el("select", { id: "book-project", name: "project", required: true, onchange: () => updateWindow(section) });
    const milestone = el("select", { id: "book-milestone", name: "milestone", required: true, onchange: () => updateWindow(section) });
    const date = el("input", { type: "date", id: "book-date", name: "requested_date", required: true,
      onchange: () => selectDay(section, date.value) });
    const f = form({ id: "book-form", "data-seg-panel": "book-new", onsubmit: (e) => { e.preventDefault(); submit(section, f); } },
      field("工程", project), field("预约事项", milestone),
      el("div", { class: "window", id: "book-window", "aria-live": "polite" }),
      field("预约日期", date),
      field("联系人", el("input", { type: "text", id: "book-contact", name: "contact_name", maxlength: "64", required: true, autocomplete: "name" })),
      field("联系电话", el("input", { type: "tel", id: "book-phone", name: "contact_phone", maxlength: "40", required: true, autocomplete: "tel",
        inputmode: "tel", "data-kind": "phone", placeholder: "手机号或带区号的固定电话" })),
      field("备注（选填）", el("textarea", { id: "book-note", name: "note", rows: "2", maxlength: "1000" })),
      resultBox("book-result"),
      el("button", { type: "submit", class: "btn primary block" }, "提交预约"));
    fill(section,
      el("div", { class: "segmented", role: "tablist" },
        el("button", { type: "button", role: "tab", class: "seg active", "data-seg": "book-new", "aria-selected": "true", onclick: () => setSeg(section, "book-new") }, "新预约"),
        el("button", { type: "button", role: "tab", class: "seg", "data-seg": "book-mine", "aria-selected": "false", onclick: () => showMine(section) }, "我的预约")),
      f,
      el("div", { "data-seg-panel": "book-mine", hidden: true },
        el("div", { class: "row-between" }, el("h2", {}, "我的预约"), el("button", { type: "button", class: "btn small", id: "mine-refresh", onclick: () => showMine(section) }, "刷新")),
        el("ol", { class: "list", id: "mine-list" }), el("div", { class: "card detail", id: "mine-detail", hidden: true })));
  },
  async show(section, arg) {
    try {
      const [m, ps] = await Promise.all([meta(), projects()]);
      const projSel = $("#book-project", section);
      if (projSel.options.length <= 1) {
        options(projSel, ps.filter((p) => p.status === "under_supervision").map((p) => [p.id, `${p.name}（${p.supervision_no || p.permit_no || ""}）`]), "请选择工程");
        options($("#book-milestone", section), m.milestones.map((x) => [x, `${x}（提前${m.lead_days[x]}个工作日）`]), "请选择事项");
      }
      if (!$("#book-contact", section).value) $("#book-contact", section).value = session.me.name || "";
    } catch (e) { toast(e.message); }
    if (arg) { await showMine(section); await showBooking(section, arg); }
  },
});
