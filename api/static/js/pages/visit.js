/* 服务申请 (enterprise users): ask the quality service team for a visit; follow it; rate it when done.
 * The answer refusals point here ("在网页“服务申请”中提交"). */
import { api } from "../core/api.js";
import { $, el, fill, statusBadge } from "../core/dom.js";
import { field, form, options, serverErrors, validate } from "../core/forms.js";
import { register } from "../core/router.js";
import { meta, projects, session } from "../core/session.js";
import { gallery } from "../core/photos.js";
import { resultBox, showResult, toast } from "../core/ui.js";

function rateForm(v, reload) {
  const score = el("select", { name: "satisfaction", required: true });
  options(score, [[5, "5 非常满意"], [4, "4 满意"], [3, "3 一般"], [2, "2 不满意"], [1, "1 很不满意"]], "请选择");
  const out = resultBox();
  const f = form({ class: "inline", onsubmit: async (ev) => {
    ev.preventDefault();
    if (!validate(f)) return;
    try {
      await api(`/v1/visits/${encodeURIComponent(v.visit_no)}/close`, { method: "POST", body: { satisfaction: Number(score.value), feedback: f.feedback.value.trim() } });
      toast("感谢评价，服务已办结"); reload();
    } catch (e) { showResult(out, false, e.message); }
  } }, field("满意度", score), field("评价意见（选填）", el("textarea", { name: "feedback", rows: "2", maxlength: "2000" })), out,
  el("button", { type: "submit", class: "btn primary" }, "评价并办结"));
  return f;
}

async function load(section) {
  const list = $("#visit-list", section);
  try {
    const rows = await api("/v1/visits");
    rows.sort((a, b) => (b.created_at || "").localeCompare(a.created_at || ""));
    fill(list, rows.length ? await Promise.all(rows.map(async (v) => el("li", { class: "item", "data-visit": v.visit_no },
      el("div", { class: "top" }, el("span", { class: "no" }, v.visit_no), statusBadge(v.status, v.status_label)),
      el("div", {}, v.topic + (v.planned_date ? ` · 计划 ${v.planned_date}` : "") + (v.experts.length ? ` · ${v.experts.join("、")}` : "")),
      el("div", { class: "sub" }, v.description),
      v.findings ? el("div", { class: "findings" }, el("strong", {}, "服务意见："), v.findings) : null,
      v.status === "visited" ? await gallery("visit", v.visit_no) : null,
      v.status === "visited" ? rateForm(v, () => load(section)) : null))) : [el("li", { class: "hint" }, "还没有服务申请。")]);
  } catch (e) { fill(list, el("li", { class: "hint" }, e.message)); }
}

register({
  id: "visit", title: "服务申请", tab: { label: "服务申请", icon: "team" }, roles: ["anon", "contractor"],
  tabs: { contractor: 5 },
  mount(section) {
    const f = form({ id: "visit-form", onsubmit: async (ev) => {
      ev.preventDefault();
      const out = $("#visit-result", section);
      if (!validate(f)) return;
      const project = $("#visit-project", section).value, date = $("#visit-date", section).value;
      try {
        const v = await api("/v1/visits", { method: "POST", body: {
          topic: $("#visit-topic", section).value, description: $("#visit-desc", section).value.trim(),
          contact_name: $("#visit-contact", section).value.trim(), contact_phone: $("#visit-phone", section).value.trim(),
          project: project ? Number(project) : null, preferred_dates: date ? [date] : [] } });
        showResult(out, true, `申请已提交，编号 ${v.visit_no}。服务团会尽快与您联系。`);
        load(section);
      } catch (e) { serverErrors(f, e); showResult(out, false, e.message); }
    } },
    el("p", { class: "hint" }, "质量服务团专家上门提供技术咨询、整改帮扶等服务，不收费。"),
    field("服务类别", el("select", { id: "visit-topic", name: "topic", required: true })),
    field("相关工程（选填）", el("select", { id: "visit-project", name: "project" })),
    field("需求描述", el("textarea", { id: "visit-desc", name: "description", rows: "3", maxlength: "4000", required: true, placeholder: "请说明遇到的问题和希望得到的帮助" })),
    field("期望日期（选填）", el("input", { type: "date", id: "visit-date", name: "preferred_dates" })),
    field("联系人", el("input", { type: "text", id: "visit-contact", name: "contact_name", maxlength: "64", required: true, autocomplete: "name" })),
    field("联系电话", el("input", { type: "tel", id: "visit-phone", name: "contact_phone", maxlength: "40", required: true, inputmode: "tel", "data-kind": "phone", autocomplete: "tel" })),
    resultBox("visit-result"),
    el("button", { type: "submit", class: "btn primary block" }, "提交申请"));
    fill(section, el("div", { class: "need-login", id: "visit-login" }, "申请质量服务团上门服务需要以企业账号登录：请在“我的”中填写质监站发给您的访问令牌。",
      el("button", { type: "button", class: "btn", "data-go": "me" }, "去登录")),
    el("div", { id: "visit-body" }, f, el("h2", {}, "我的服务申请"), el("ol", { class: "list", id: "visit-list" })));
  },
  async show(section) {
    const anon = !session.me.authenticated;
    $("#visit-login", section).hidden = !anon;
    $("#visit-body", section).hidden = anon;
    if (anon) return;
    try {
      const [m, ps] = await Promise.all([meta(), projects()]);
      if ($("#visit-topic", section).options.length <= 1) {
        options($("#visit-topic", section), m.visit_topics.map((t) => [t, t]), "请选择");
        options($("#visit-project", section), ps.map((p) => [p.id, p.name]), "不涉及具体工程");
      }
      if (!$("#visit-contact", section).value) $("#visit-contact", section).value = session.me.name || "";
    } catch (e) { toast(e.message); }
    await load(section);
  },
});
