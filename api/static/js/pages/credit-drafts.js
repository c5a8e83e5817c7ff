/* 信用草稿 (staff): records the loop drafted (逾期、重新下发、按期销号、检查无问题) wait here; confirming one puts it
 * into the firm's credit score (points and reason may be changed), rejecting needs a reason. */
import { api, query } from "../core/api.js";
import { $, $$, el, fill, fmtTime, statusBadge } from "../core/dom.js";
import { field, form, serverErrors, validate } from "../core/forms.js";
import { go, register } from "../core/router.js";
import { resultBox, showResult, toast } from "../core/ui.js";

const FILTERS = [["pending", "待确认"], ["confirmed", "已确认"], ["rejected", "已驳回"]];

function source(d) {
  if (!d.source_no) return null;
  const target = d.source_type === "inspection" ? "inspect" : d.source_type === "notice" ? "notices" : null;
  return target ? el("button", { type: "button", class: "btn small", onclick: () => go(target, d.source_no) }, `来源 ${d.source_no} ›`) : el("span", { class: "sub" }, d.source_no);
}

function decideForm(section, d, confirm) {
  const out = resultBox();
  const points = el("input", { name: "points", inputmode: "decimal", value: String(d.points), "aria-label": "分值" });
  const reason = el("textarea", { name: confirm ? "reason" : "note", rows: "2", maxlength: "2000", required: !confirm, value: confirm ? d.reason : "" });
  const f = form({ class: "inline", id: (confirm ? "confirm-" : "reject-") + d.id, onsubmit: async (ev) => {
    ev.preventDefault();
    if (!validate(f)) return;
    const path = `/v1/credit/drafts/${d.id}/` + (confirm ? "confirm" : "reject");
    const body = confirm ? { points: Number(points.value) || null, reason: reason.value.trim() || null } : { note: reason.value.trim() };
    try { await api(path, { method: "POST", body }); toast(confirm ? `已确认，计入 ${d.enterprise_name} 的信用` : "已驳回"); show(section, "pending"); }
    catch (e) { serverErrors(f, e); showResult(out, false, e.message); }
  } }, confirm ? field(`分值（${d.kind_label}，不填按草稿）`, points) : null, field(confirm ? "事由" : "驳回理由", reason), out,
  el("button", { type: "submit", class: "btn block " + (confirm ? "primary" : "danger") }, confirm ? "确认计入信用" : "确认驳回"));
  return f;
}

function card(section, d) {
  const slot = el("div");
  const sign = d.kind === "good" ? "+" : "−";
  return el("li", { class: "item draft", "data-draft": d.id },
    el("div", { class: "top" }, el("strong", {}, d.event_label), statusBadge(d.status === "pending" ? "open" : d.status === "confirmed" ? "closed" : "returned", d.status_label)),
    el("div", {}, el("strong", {}, d.enterprise_name),
      el("span", { class: "points " + d.kind }, ` ${d.kind_label} ${sign}${d.points} 分`), el("span", { class: "sub" }, `（有效 ${d.valid_months} 个月）`)),
    el("div", { class: "sub" }, d.reason),
    el("div", { class: "sub" }, `起草于 ${fmtTime(d.created_at)}${d.decided_at ? ` · 处理于 ${fmtTime(d.decided_at)}` : ""}${d.decision_note ? ` · ${d.decision_note}` : ""}`),
    el("div", { class: "row" }, source(d),
      el("button", { type: "button", class: "btn small", onclick: () => go("credit", d.enterprise_name) }, "企业信用 ›"),
      d.status === "pending" ? el("button", { type: "button", class: "btn small primary confirm-open", onclick: () => fill(slot, decideForm(section, d, true)) }, "确认") : null,
      d.status === "pending" ? el("button", { type: "button", class: "btn small danger reject-open", onclick: () => fill(slot, decideForm(section, d, false)) }, "驳回") : null),
    slot);
}

async function show(section, status) {
  $$(".seg", section).forEach((b) => { const on = b.dataset.status === status; b.classList.toggle("active", on); b.setAttribute("aria-selected", String(on)); });
  const list = $("#draft-list", section);
  fill(list, el("li", { class: "hint" }, "加载中…"));
  try {
    const rows = await api("/v1/credit/drafts" + query({ status }));
    fill(list, rows.length ? rows.map((d) => card(section, d)) : [el("li", { class: "hint" }, status === "pending" ? "没有待确认的信用记录草稿。" : "没有记录。")]);
  } catch (e) { fill(list, el("li", { class: "hint" }, e.message)); }
}

register({
  id: "drafts", title: "信用记录草稿", roles: ["inspector", "admin"],
  mount(section) {
    fill(section, el("h2", {}, "信用记录草稿"),
      el("p", { class: "hint" }, "由逾期、重新下发、按期销号、检查无问题等事件自动起草，确认后才计入企业信用分。"),
      el("div", { class: "segmented", role: "tablist" }, FILTERS.map(([s, label]) =>
        el("button", { type: "button", role: "tab", class: "seg", "data-status": s, onclick: () => show(section, s) }, label))),
      el("ol", { class: "list", id: "draft-list" }));
  },
  show(section) { return show(section, "pending"); },
});
