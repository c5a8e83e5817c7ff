/* 我的服务 (service-team experts): my assigned visits, upcoming first; the firm's credit grade and open
 * notices; record the service (diagnosis, advice, photos); hand a visit back when I cannot go. */
import { api } from "../core/api.js";
import { $, el, fill, kv, statusBadge, tel, today } from "../core/dom.js";
import { field, form, serverErrors, validate } from "../core/forms.js";
import { gallery, photoPicker, uploadAll } from "../core/photos.js";
import { go, register } from "../core/router.js";
import { resultBox, showResult, toast } from "../core/ui.js";

const ORDER = { assigned: 0, visited: 1, closed: 2, submitted: 3, withdrawn: 4 };

async function showList(section) {
  $("#expert-detail", section).hidden = true;
  $("#expert-list-wrap", section).hidden = false;
  const list = $("#expert-list", section);
  fill(list, el("li", { class: "hint" }, "加载中…"));
  try {
    const rows = await api("/v1/visits");
    rows.sort((a, b) => (ORDER[a.status] - ORDER[b.status]) || (a.planned_date || "9999").localeCompare(b.planned_date || "9999"));
    fill(list, rows.length ? rows.map((v) => el("li", { class: "item", "data-visit": v.visit_no },
      el("button", { type: "button", class: "open", onclick: () => go("expert", v.visit_no) },
        el("div", { class: "top" }, el("span", { class: "no" }, v.visit_no), statusBadge(v.status, v.status_label)),
        el("div", {}, `${v.planned_date ? "计划 " + v.planned_date + " · " : ""}${v.topic}`),
        el("div", { class: "sub" }, v.enterprise_name + (v.project_name ? " · " + v.project_name : ""))))) : [el("li", { class: "hint" }, "目前没有派给您的服务。")]);
  } catch (e) { fill(list, el("li", { class: "hint" }, e.message)); }
}

function recordForm(section, v) {
  const diagnosis = el("textarea", { name: "findings", rows: "4", maxlength: "4000", required: true, placeholder: "现场发现的问题、原因分析" });
  const advice = el("textarea", { name: "advice", rows: "4", maxlength: "3900", required: true, placeholder: "整改或改进的具体建议" });
  const day = el("input", { type: "date", name: "visited_on", required: true, value: today(), max: today() });
  const photos = photoPicker({ label: "现场照片（选填）" });
  const progress = el("div", { class: "uploads" });
  const out = resultBox("record-result");
  const f = form({ id: "record-form", onsubmit: async (ev) => {
    ev.preventDefault();
    if (!validate(f)) return;
    const sent = await uploadAll("visit", v.visit_no, photos.files(), progress);
    if (sent.failed.length) { showResult(out, false, `有 ${sent.failed.length} 张照片未上传：${sent.failed.map((x) => x.message).join("；")}`); return; }
    try {
      await api(`/v1/visits/${encodeURIComponent(v.visit_no)}/record`, { method: "POST",
        body: { findings: `诊断：${diagnosis.value.trim()}\n建议：${advice.value.trim()}`, visited_on: day.value } });
      toast("服务记录已提交"); showDetail(section, v.visit_no);
    } catch (e) { serverErrors(f, e); showResult(out, false, e.message); }
  } }, el("h3", {}, "登记上门服务"), field("服务日期", day), field("诊断", diagnosis), field("建议", advice), photos.node, progress, out,
  el("button", { type: "submit", class: "btn primary block" }, "提交服务记录"));
  return f;
}

function releaseForm(section, v) {
  const reason = el("textarea", { name: "reason", rows: "2", maxlength: "1000", required: true, placeholder: "如：时间冲突、专业不对口" });
  const out = resultBox();
  const f = form({ id: "release-form", class: "inline", onsubmit: async (ev) => {
    ev.preventDefault();
    if (!validate(f)) return;
    try {
      await api(`/v1/visits/${encodeURIComponent(v.visit_no)}/release`, { method: "POST", body: { reason: reason.value.trim() } });
      toast("已退回质监站重新派遣"); go("expert");
    } catch (e) { showResult(out, false, e.message); }
  } }, field("退回原因", reason), out, el("button", { type: "submit", class: "btn danger" }, "确认退回"));
  return f;
}

async function showDetail(section, no) {
  $("#expert-list-wrap", section).hidden = true;
  const box = $("#expert-detail", section);
  box.hidden = false;
  fill(box, el("p", { class: "hint" }, "加载中…"));
  try {
    const [v, ctx] = await Promise.all([api("/v1/visits/" + encodeURIComponent(no)), api(`/v1/visits/${encodeURIComponent(no)}/context`)]);
    const c = ctx.credit;
    const slot = el("div");
    fill(box,
      el("button", { type: "button", class: "btn small back", onclick: () => go("expert") }, "‹ 返回我的服务"),
      el("div", { class: "card" },
        el("div", { class: "row-between" }, el("strong", {}, `服务申请 ${v.visit_no}`), statusBadge(v.status, v.status_label)),
        kv([["企业", v.enterprise_name], ["工程", v.project_name], ["类别", v.topic], ["需求", v.description], ["计划日期", v.planned_date],
          ["联系人", v.contact_name], ["电话", tel(v.contact_phone)], ["服务意见", v.findings]]),
        await gallery("visit", v.visit_no)),
      el("div", { class: "card", id: "enterprise-context" }, el("h3", {}, "企业概况"),
        el("div", { class: "grade" }, el("div", { class: "letter g-" + c.grade, "aria-label": "信用等级" }, c.grade),
          el("div", {}, el("strong", {}, c.enterprise_name), el("div", { class: "sub" }, `监管方式：${c.mode}`))),
        el("h3", {}, `未销项整改通知单（${ctx.open_notices.length}）`),
        ctx.open_notices.length ? el("ul", { class: "plain" }, ctx.open_notices.map((n) => el("li", {}, `${n.notice_no} ${n.problem}（期限 ${n.deadline}${n.overdue ? "，已逾期" : ""}）`)))
          : el("p", { class: "hint" }, "没有未销项的整改通知单。")),
      v.status === "assigned" ? recordForm(section, v) : null,
      v.status === "assigned" ? el("button", { type: "button", class: "btn", id: "release-open", onclick: () => { fill(slot, releaseForm(section, v)); slot.scrollIntoView({ block: "center" }); } }, "无法前往，退回派遣") : null,
      slot);
  } catch (e) { fill(box, el("p", { class: "result err" }, e.message)); }
}

register({
  id: "expert", title: "我的服务", tab: { label: "我的服务", icon: "team" }, roles: ["expert"],
  tabs: { expert: 1 },
  mount(section) {
    fill(section, el("div", { id: "expert-list-wrap" }, el("h2", {}, "派给我的服务"), el("ol", { class: "list", id: "expert-list" })),
      el("div", { id: "expert-detail", hidden: true }));
  },
  show(section, arg) { return arg ? showDetail(section, arg) : showList(section); },
});
