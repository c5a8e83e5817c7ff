/* One inspection record: what was checked, findings (each citing a clause picked from search, with photos),
 * 实测实量 sets with their verdicts, one tap from selected findings and flagged sets to a 整改通知单 draft that
 * staff edit and issue, the conclusion, and the printable record. */
import { api } from "../core/api.js";
import { clausePicker } from "../core/clausepick.js";
import { $$, el, fill, history, kv, statusBadge } from "../core/dom.js";
import { pdfButton } from "../core/files.js";
import { field, form, options, serverErrors, validate } from "../core/forms.js";
import { measureForm, verdictView } from "../core/measure.js";
import { gallery, photoPicker, uploadAll } from "../core/photos.js";
import { go } from "../core/router.js";
import { isStaff, projects } from "../core/session.js";
import { resultBox, showResult, toast } from "../core/ui.js";

const pct = (r) => `${Math.round(r * 1000) / 10}%`;

function findingItem(f, selectable) {
  return el("li", { class: "item finding", "data-finding": f.id },
    el("div", { class: "top" },
      selectable ? el("label", { class: "check pick-one" }, el("input", { type: "checkbox", name: "pick-finding", value: String(f.id), checked: true }), el("span", {}, `问题 ${f.seq}`))
        : el("strong", {}, `问题 ${f.seq}`),
      el("span", { class: "badge kind" }, f.category_label)),
    el("div", { class: "finding-text" }, f.description),
    el("div", { class: "sub" }, `依据：${f.citation}${f.photos.length ? ` · 照片 ${f.photos.length} 张` : ""}`),
    f.notice_no ? el("button", { type: "button", class: "btn small", onclick: () => go("notices", f.notice_no) }, `已下发 ${f.notice_no} ›`) : null);
}

function measurementItem(m, selectable) {
  const flagged = !m.ok || m.alert;
  return el("li", { class: "item measurement" + (m.alert ? " alerted" : ""), "data-measurement": m.id },
    el("div", { class: "top" },
      selectable && flagged ? el("label", { class: "check pick-one" }, el("input", { type: "checkbox", name: "pick-measurement", value: String(m.id), checked: true }), el("span", {}, `实测 ${m.seq}`))
        : el("strong", {}, `实测 ${m.seq}`),
      el("span", { class: "badge " + (m.ok ? "st-scheduled" : "st-returned") }, m.alert ? "预警" : m.ok ? "合格" : "不合格")),
    el("div", {}, `${m.name}${m.position ? " · " + m.position : ""}${m.design !== null ? ` · 设计值 ${m.design} ${m.unit}` : ""}`),
    el("div", { class: "sub" }, `合格点率 ${pct(m.pass_rate)}（${m.points_ok}/${m.points_total}）`),
    el("details", {}, el("summary", {}, "逐点判定"), verdictView(m)),
    m.notice_no ? el("button", { type: "button", class: "btn small", onclick: () => go("notices", m.notice_no) }, `已下发 ${m.notice_no} ›`) : null);
}

function findingForm(box, r) {
  const category = el("select", { id: "f-category", name: "category", required: true });
  options(category, [["entity", "实体质量"], ["behavior", "质量行为"]]);
  const problem = el("textarea", { id: "f-problem", name: "problem", rows: "3", maxlength: "2000", required: true, placeholder: "如：三层楼板板底垫块用碎砖代替" });
  const picker = clausePicker({ id: "f-clause" });
  const photos = photoPicker({ label: "问题照片（选填）" });
  const progress = el("div", { class: "uploads" });
  const out = resultBox("finding-result");
  const f = form({ id: "finding-form", onsubmit: async (ev) => {
    ev.preventDefault();
    const ok = validate(f);
    if (!picker.require() || !ok) return;
    const sent = await uploadAll("inspection", r.record_no, photos.files(), progress);
    if (sent.failed.length) { showResult(out, false, `有 ${sent.failed.length} 张照片未上传：${sent.failed.map((x) => x.message).join("；")}`); return; }
    const c = picker.value();
    try {
      await api(`/v1/inspections/${encodeURIComponent(r.record_no)}/findings`, { method: "POST", body: {
        category: category.value, problem: problem.value.trim(), cited_code: c.code, cited_clause: c.clause_no, photos: sent.done.map((a) => a.id) } });
      toast("已记录问题");
      showRecord(box, r.record_no, "#finding-list");
    } catch (e) { serverErrors(f, e); showResult(out, false, e.message); }
  } }, el("h3", {}, "记录发现的问题"), field("类别", category), field("问题描述", problem), picker.node, photos.node, progress, out,
  el("button", { type: "submit", class: "btn primary block" }, "记录问题"));
  return f;
}

async function noticeDraft(box, r, slot) {
  const finding_ids = $$("input[name=pick-finding]:checked", box).map((b) => Number(b.value));
  const measurement_ids = $$("input[name=pick-measurement]:checked", box).map((b) => Number(b.value));
  if (!finding_ids.length && !measurement_ids.length) { toast("请先勾选问题或超差的实测"); return; }
  const path = `/v1/inspections/${encodeURIComponent(r.record_no)}`;
  let d;
  try { d = await api(path + "/notice-draft", { method: "POST", body: { finding_ids, measurement_ids } }); }
  catch (e) { toast(e.message); return; }
  const ps = await projects();
  const p = ps.find((x) => x.id === d.project_id);
  const problem = el("textarea", { id: "nd-problem", name: "problem", rows: "7", maxlength: "4000", required: true, value: d.problem });
  const deadline = el("input", { type: "date", id: "nd-deadline", name: "deadline", required: true, value: d.deadline });
  const resp = el("select", { id: "nd-responsible", name: "responsible", required: true });
  options(resp, (p ? p.parties : []).map((x) => [x.enterprise_id, `${x.role_label}：${x.enterprise_name}`]));
  if (!resp.options.length) options(resp, [[d.responsible_enterprise_id, d.responsible_enterprise_name]]);
  resp.value = String(d.responsible_enterprise_id);
  const out = resultBox("nd-result");
  const f = form({ id: "notice-draft-form", onsubmit: async (ev) => {
    ev.preventDefault();
    if (!validate(f)) return;
    try {
      const n = await api(path + "/notices", { method: "POST", body: { finding_ids, measurement_ids, problem: problem.value.trim(),
        deadline: deadline.value, responsible: Number(resp.value) } });
      toast(`整改通知单 ${n.notice_no} 已下发`);
      showRecord(box, r.record_no, "#finding-list");
    } catch (e) { serverErrors(f, e); showResult(out, false, e.message); }
  } },
  el("h3", {}, "整改通知单（草稿）"),
  el("p", { class: "hint" }, "由选中的问题和超差实测生成，可修改后下发。"),
  field("存在问题", problem),
  kv([["引用条文", d.citations.join("；")]]),
  field("整改期限", deadline, { hint: `按 ${d.deadline_workdays} 个工作日计算${d.deadline_provisional ? "（节假日安排未发布，日期为暂定）" : ""}` }),
  field("整改责任单位", resp), out,
  el("div", { class: "row" }, el("button", { type: "submit", class: "btn primary", id: "nd-issue" }, "下发整改通知单"),
    el("button", { type: "button", class: "btn", onclick: () => fill(slot) }, "取消")));
  fill(slot, f);
  f.scrollIntoView({ block: "start" });
}

function finishForm(box, r) {
  const text = el("textarea", { id: "fin-conclusion", name: "conclusion", rows: "3", maxlength: "4000", required: true,
    value: r.findings || r.alerts ? `发现问题 ${r.findings} 项${r.notices.length ? "，已下发整改通知单 " + r.notices.join("、") : ""}` : "未发现质量问题" });
  const out = resultBox();
  const f = form({ id: "finish-form", onsubmit: async (ev) => {
    ev.preventDefault();
    if (!validate(f)) return;
    try {
      await api(`/v1/inspections/${encodeURIComponent(r.record_no)}/finish`, { method: "POST", body: { conclusion: text.value.trim() } });
      toast("检查已完成"); showRecord(box, r.record_no);
    } catch (e) { serverErrors(f, e); showResult(out, false, e.message); }
  } }, el("h3", {}, "完成检查"), field("检查结论", text), out, el("button", { type: "submit", class: "btn primary block" }, "完成检查"));
  return f;
}

/** Render record ``no`` into ``box``. */
export async function showRecord(box, no, focus = "") {
  fill(box, el("p", { class: "hint" }, "加载中…"));
  let r;
  try { r = await api("/v1/inspections/" + encodeURIComponent(no)); } catch (e) { fill(box, el("p", { class: "result err" }, e.message)); return; }
  const editing = isStaff() && r.status === "open";
  const pickable = isStaff();
  const openFindings = r.finding_list.filter((f) => !f.notice_no);
  const openSets = r.measurement_list.filter((m) => !m.notice_no && (!m.ok || m.alert));
  const slot = el("div", { id: "notice-slot" });
  fill(box,
    el("button", { type: "button", class: "btn small back", onclick: () => go("inspect") }, "‹ 检查记录"),
    el("div", { class: "card" },
      el("div", { class: "row-between" }, el("strong", {}, `检查记录 ${r.record_no}`), statusBadge(r.status, r.status_label)),
      kv([["工程", r.project_name], ["检查类型", r.source_label + (r.booking_no ? `（预约 ${r.booking_no}）` : "")], ["检查日期", r.inspected_on],
        ["检查人员", r.inspectors.join("、")], ["单位工程", r.unit_work], ["检查部位", r.position],
        ["实体质量", r.entity_items.join("、")], ["质量行为", r.behavior_items.join("、")], ["检查结论", r.conclusion],
        ["整改通知单", r.notices.join("、")]]),
      el("div", { class: "row" }, pdfButton(`/v1/inspections/${encodeURIComponent(r.record_no)}/pdf`, "打印检查记录（PDF）", "record-pdf"),
        el("button", { type: "button", class: "btn small", id: "record-timeline", onclick: () => go("inspect", "project:" + r.project_id) }, "工程动态"))),
    editing ? el("nav", { class: "quick", "aria-label": "跳到" }, [["#finding-form", "记录问题"], ["#measure-form", "实测实量"], ["#finish-form", "完成检查"]]
      .map(([sel, label]) => el("button", { type: "button", class: "btn small", onclick: () => box.querySelector(sel)?.scrollIntoView({ block: "start" }) }, label))) : null,
    await gallery("inspection", r.record_no),
    el("h2", { id: "finding-head" }, `发现的问题（${r.finding_list.length}）`),
    el("ol", { class: "list", id: "finding-list" }, r.finding_list.length ? r.finding_list.map((f) => findingItem(f, pickable && !f.notice_no))
      : [el("li", { class: "hint" }, "还没有记录问题。")]),
    el("h2", {}, `实测实量（${r.measurement_list.length}）`),
    el("ol", { class: "list", id: "measurement-list" }, r.measurement_list.length ? r.measurement_list.map((m) => measurementItem(m, pickable && !m.notice_no))
      : [el("li", { class: "hint" }, "还没有实测记录。")]),
    pickable && (openFindings.length || openSets.length) ? el("button", { type: "button", class: "btn primary block", id: "notice-from-findings",
      onclick: () => noticeDraft(box, r, slot) }, "勾选的问题生成整改通知单") : null,
    slot,
    editing ? findingForm(box, r) : null,
    editing ? await measureForm({ onSave: async (body) => {
      const m = await api(`/v1/inspections/${encodeURIComponent(r.record_no)}/measurements`, { method: "POST", body });
      toast(`已保存实测 ${m.seq}：合格点率 ${pct(m.pass_rate)}`);
      await showRecord(box, r.record_no, "#measurement-list");
      return true;
    } }).catch((e) => el("p", { class: "result err", id: "measure-unavailable" }, `实测实量暂不可用：${e.message}`)) : null,
    editing ? finishForm(box, r) : null,
    el("details", { class: "card" }, el("summary", {}, "办理记录"), history(r.history)));
  const target = focus && box.querySelector(focus);
  if (target) target.scrollIntoView({ block: "start" });
}
