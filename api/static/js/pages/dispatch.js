/* 服务派遣 (inspectors, admins): visit requests awaiting experts, most urgent first (and why), 派遣专家
 * with a planned date; the requests already out with experts. */
import { api } from "../core/api.js";
import { $, el, fill, kv, statusBadge, tel } from "../core/dom.js";
import { checkGroup, checked, field, form, serverErrors, validate } from "../core/forms.js";
import { gallery } from "../core/photos.js";
import { register } from "../core/router.js";
import { staff } from "../core/session.js";
import { resultBox, showResult, toast } from "../core/ui.js";

async function assignForm(section, v, box) {
  const [experts, inspectors] = await Promise.all([staff("expert"), staff("inspector")]);
  const people = [...experts.map((p) => ({ value: p.id, label: p.name, note: "服务团专家" })),
    ...inspectors.map((p) => ({ value: p.id, label: p.name, note: "监督员" }))];
  const group = checkGroup("experts", "派遣人员", people, { min: 1 });
  const date = el("input", { type: "date", name: "planned_date", required: true, value: (v.preferred_dates || [])[0] || "" });
  const out = resultBox();
  const f = form({ class: "inline assign-form", onsubmit: async (ev) => {
    ev.preventDefault();
    if (!validate(f)) return;
    try {
      await api(`/v1/visits/${encodeURIComponent(v.visit_no)}/assign`, { method: "POST", body: { experts: checked(group, "experts").map(Number), planned_date: date.value } });
      toast(`已派遣：${v.visit_no}`); load(section);
    } catch (e) { serverErrors(f, e); showResult(out, false, e.message); }
  } }, group, field("计划服务日期", date), out, el("button", { type: "submit", class: "btn primary block" }, "确认派遣"));
  fill(box, f);
  f.scrollIntoView({ block: "start", behavior: "smooth" });
}

function card(section, v, withAssign) {
  const slot = el("div");
  return el("li", { class: "item", "data-visit": v.visit_no },
    el("div", { class: "top" }, el("span", { class: "no" }, v.visit_no), statusBadge(v.status, v.status_label)),
    el("div", {}, `${v.enterprise_name} · ${v.topic}`),
    v.priority !== null && v.priority !== undefined ? el("div", { class: "priority" }, `优先级 ${v.priority}`, v.priority_reasons.length ? `（${v.priority_reasons.join("、")}）` : "") : null,
    el("div", { class: "sub" }, v.description),
    kv([["工程", v.project_name], ["联系人", v.contact_name], ["电话", tel(v.contact_phone)], ["期望日期", (v.preferred_dates || []).join("、")],
      ["专家", v.experts.join("、")], ["计划日期", v.planned_date], ["服务意见", v.findings]]),
    withAssign ? el("button", { type: "button", class: "btn primary", onclick: () => assignForm(section, v, slot) }, v.status === "assigned" ? "改派" : "派遣专家") : null,
    slot);
}

async function load(section) {
  const q = $("#dispatch-queue", section), out = $("#dispatch-out", section);
  try {
    const [queue, all] = await Promise.all([api("/v1/visits/queue"), api("/v1/visits")]);
    fill($("#dispatch-count", section), `待派遣（${queue.length}）`);
    fill(q, queue.length ? queue.map((v) => card(section, v, true)) : [el("li", { class: "hint" }, "没有待派遣的申请。")]);
    const going = all.filter((v) => ["assigned", "visited"].includes(v.status));
    fill(out, going.length ? await Promise.all(going.map(async (v) => {
      const c = card(section, v, v.status === "assigned");
      if (v.status === "visited") { const g = await gallery("visit", v.visit_no); if (g) c.append(g); }
      return c;
    })) : [el("li", { class: "hint" }, "没有进行中的服务。")]);
  } catch (e) { fill(q, el("li", { class: "hint" }, e.message)); }
}

register({
  id: "dispatch", title: "服务团派遣", tab: { label: "服务", icon: "team" }, roles: ["inspector", "admin"],
  tabs: { inspector: 3 },
  mount(section) {
    fill(section, el("h2", { id: "dispatch-count" }, "待派遣"), el("p", { class: "hint" }, "按优先级排列：重点工程、信用等级低、有未销项整改、等待时间长的在前。"),
      el("ol", { class: "list", id: "dispatch-queue" }), el("h2", {}, "进行中"), el("ol", { class: "list", id: "dispatch-out" }));
  },
  show(section) { return load(section); },
});
