/* 整改 (rectification notices). Enterprise users: their notices, reply with text and photos.
 * Staff: every notice, issue one (from a booking or a project, citing clauses inserted from 检索),
 * re-inspect a reply (pass closes it: 销号; fail re-issues it with a new deadline), the overdue queue with
 * 催办, the printable notice, and a closed notice published as a case (case-publish.js). */
import { api, query } from "../core/api.js";
import { $, $$, addDays, el, fill, history, kv, statusBadge, today } from "../core/dom.js";
import { clearDraft, draft, saveDraft } from "../core/drafts.js";
import { field, form, options, serverErrors, validate } from "../core/forms.js";
import { pdfButton } from "../core/files.js";
import { gallery, photoPicker, uploadAll } from "../core/photos.js";
import { go, register } from "../core/router.js";
import { isStaff, projects, session } from "../core/session.js";
import { resultBox, showResult, toast } from "../core/ui.js";
import { publishPanel } from "./case-publish.js";

const FILTERS = [["open", "待整改"], ["replied", "待复查"], ["overdue", "逾期"], ["closed", "已销项"], ["", "全部"]];

function panel(section, name) { $$("[data-panel]", section).forEach((p) => { p.hidden = p.dataset.panel !== name; }); }

async function showList(section, status) {
  panel(section, "list");
  $$(".seg", section).forEach((b) => { const on = b.dataset.status === status; b.classList.toggle("active", on); b.setAttribute("aria-selected", String(on)); });
  const list = $("#notice-list", section);
  fill(list, el("li", { class: "hint" }, "加载中…"));
  if (isStaff()) countOverdue(section);
  if (status === "overdue") return showOverdue(section, list);
  try {
    const rows = await api("/v1/rectifications" + query({ status }));
    rows.sort((a, b) => (a.deadline || "").localeCompare(b.deadline || ""));
    fill(list, rows.length ? rows.map((n) => el("li", { class: "item", "data-notice": n.notice_no },
      el("button", { type: "button", class: "open", onclick: () => go("notices", n.notice_no) },
        el("div", { class: "top" }, el("span", { class: "no" }, n.notice_no),
          el("span", {}, n.overdue ? el("span", { class: "badge st-returned" }, "已逾期") : null, statusBadge(n.status, n.status_label))),
        el("div", { class: "clamp" }, n.problem),
        el("div", { class: "sub" }, `${n.project_name} · 期限 ${n.deadline}`)))) : [el("li", { class: "hint" }, "没有整改通知单。")]);
  } catch (e) { fill(list, el("li", { class: "hint" }, e.message)); }
}

/** The 逾期 segment carries how many notices are past their deadline (red when any). */
async function countOverdue(section) {
  const seg = $(".seg[data-status=overdue]", section);
  try {
    const n = (await api("/v1/rectifications/overdue")).length;
    fill(seg, "逾期", n ? el("span", { class: "count", id: "overdue-count" }, String(n)) : null);
    seg.classList.toggle("alert", n > 0);
  } catch (e) { /* the count is a hint */ }
}

async function showOverdue(section, list) {
  try {
    const rows = await api("/v1/rectifications/overdue");
    const escalate = el("li", { class: "escalate" }, el("button", { type: "button", class: "btn danger block", id: "notice-escalate", onclick: async () => {
      try {
        const out = await api("/v1/rectifications/escalate", { method: "POST" });
        toast(out.escalated.length ? `已催办 ${out.escalated.length} 份，起草不良信用记录 ${out.drafts.length} 条（待确认）` : "没有新近逾期的通知单，无需重复催办");
        showOverdue(section, list);
      } catch (e) { toast(e.message); }
    } }, "催办逾期通知单"), el("p", { class: "hint" }, "提醒负责的监督员，并起草不良信用记录（须确认后才计分）；每个期限只催办一次。"));
    fill(list, rows.length ? [escalate, ...rows.map((n) => el("li", { class: "item overdue", "data-notice": n.notice_no },
      el("button", { type: "button", class: "open", onclick: () => go("notices", n.notice_no) },
        el("div", { class: "top" }, el("span", { class: "no" }, n.notice_no), el("span", { class: "badge st-returned" }, `逾期 ${n.days_overdue} 天`)),
        el("div", {}, n.responsible_enterprise_name),
        el("div", { class: "sub" }, `${n.project_name} · 期限 ${n.deadline}${n.escalated_at ? " · 已催办" : ""}`))))]
      : [el("li", { class: "hint" }, "没有逾期未整改的通知单。")]);
  } catch (e) { fill(list, el("li", { class: "hint" }, e.message)); }
}

function replyForm(section, n) {
  const text = el("textarea", { name: "reply", rows: "4", maxlength: "4000", required: true, placeholder: "已采取的整改措施和结果" });
  const photos = photoPicker({ label: "整改后照片" });
  const progress = el("div", { class: "uploads", id: "reply-uploads" });
  const out = resultBox("reply-result");
  const f = form({ id: "reply-form", onsubmit: async (ev) => {
    ev.preventDefault();
    if (!validate(f)) return;
    const files = photos.files();
    const sent = await uploadAll("notice", n.notice_no, files, progress);
    if (sent.failed.length) { showResult(out, false, `有 ${sent.failed.length} 张照片未上传：${sent.failed.map((x) => x.message).join("；")}`); return; }
    try {
      await api(`/v1/rectifications/${encodeURIComponent(n.notice_no)}/reply`, { method: "POST", body: { reply: text.value.trim(), photos: sent.done.map((a) => a.id) } });
      toast("整改回复已提交"); showDetail(section, n.notice_no);
    } catch (e) { serverErrors(f, e); showResult(out, false, e.message); }
  } }, el("h3", {}, "回复整改情况"), field("整改情况", text), photos.node, progress, out,
  el("button", { type: "submit", class: "btn primary block" }, "提交整改回复"));
  return f;
}

function reinspectForm(section, n) {
  const note = el("textarea", { name: "note", id: "reinspect-note", rows: "3", maxlength: "4000", placeholder: "复查意见（未通过时必填）" });
  const deadline = el("input", { type: "date", name: "new_deadline", id: "reinspect-deadline", min: addDays(today(), 1) });
  const out = resultBox();
  const send = async (passed) => {
    if (!passed && !note.value.trim()) { note.closest(".field").classList.add("invalid"); note.closest(".field").querySelector(".field-error").textContent = "复查未通过时请填写复查意见"; note.focus(); return; }
    try {
      const body = { passed, note: note.value.trim() };
      if (!passed && deadline.value) body.new_deadline = deadline.value;
      const r = await api(`/v1/rectifications/${encodeURIComponent(n.notice_no)}/reinspect`, { method: "POST", body });
      toast(passed ? "复查通过，已销号" : `复查未通过，已重新下发，整改期限 ${r.deadline}`); showDetail(section, n.notice_no);
    } catch (e) { showResult(out, false, e.message); }
  };
  return form({ id: "reinspect-form", onsubmit: (e) => e.preventDefault() }, el("h3", {}, "复查"), field("复查意见", note),
    field("重新下发的整改期限（未通过时填写，不填按工作日自动计算）", deadline), out,
    el("div", { class: "row" }, el("button", { type: "button", class: "btn primary", id: "reinspect-pass", onclick: () => send(true) }, "通过（销号）"),
      el("button", { type: "button", class: "btn danger", id: "reinspect-fail", onclick: () => send(false) }, "不通过，重新下发")));
}

async function showDetail(section, no) {
  panel(section, "detail");
  const box = $("#notice-detail", section);
  fill(box, el("p", { class: "hint" }, "加载中…"));
  try {
    const n = await api("/v1/rectifications/" + encodeURIComponent(no));
    const cited = n.cited_code ? `${n.cited_code}${n.cited_clause ? " 第" + n.cited_clause + "条" : ""}` : "";
    const mine = session.me.role === "contractor" && session.me.enterprise_id === n.responsible_enterprise_id;
    fill(box,
      el("button", { type: "button", class: "btn small back", onclick: () => go("notices") }, "‹ 返回列表"),
      el("div", { class: "card" },
        el("div", { class: "row-between" }, el("strong", {}, `整改通知单 ${n.notice_no}`), statusBadge(n.status, n.status_label)),
        kv([["工程", n.project_name], ["存在问题", n.problem], ["引用条文", cited], ["整改期限", `${n.deadline}${n.overdue ? "（已逾期）" : ""}`],
          ["责任单位", n.responsible_enterprise_name], ["整改回复", n.reply], ["复查意见", n.reinspection_note],
          ["重新下发", n.reissue_count ? `${n.reissue_count} 次` : ""]]),
        el("div", { class: "row" }, pdfButton(`/v1/rectifications/${encodeURIComponent(n.notice_no)}/pdf`, "打印通知单（PDF）", "notice-pdf"),
          el("button", { type: "button", class: "btn small", id: "notice-timeline", onclick: () => go("inspect", "project:" + n.project_id) }, "工程动态")),
        await gallery("notice", n.notice_no),
        el("h3", {}, "办理记录"), history(n.history)),
      n.status === "open" && (mine || isStaff()) ? replyForm(section, n) : null,
      n.status === "replied" && isStaff() ? reinspectForm(section, n) : null,
      n.status === "closed" && isStaff() ? publishPanel(n) : null);
  } catch (e) { fill(box, el("p", { class: "result err" }, e.message)); }
}

async function showNew(section, projectId) {
  panel(section, "new");
  const d = draft();
  if (projectId) { d.project = projectId; saveDraft(d); }
  const ps = await projects();
  const project = $("#nn-project", section), resp = $("#nn-responsible", section);
  options(project, ps.filter((p) => p.status === "under_supervision").map((p) => [p.id, `${p.name}（${p.supervision_no || p.permit_no || ""}）`]), "请选择工程");
  const parties = () => {
    const p = ps.find((x) => String(x.id) === project.value);
    options(resp, p ? p.parties.map((x) => [x.enterprise_id, `${x.role_label}：${x.enterprise_name}`]) : [], "默认：施工单位");
    if (d.responsible) resp.value = String(d.responsible);
  };
  project.onchange = () => { d.project = project.value; saveDraft(d); parties(); };
  if (d.project) project.value = String(d.project);
  parties();
  $("#nn-problem", section).value = d.problem || "";
  $("#nn-code", section).value = d.cited_code || "";
  $("#nn-clause", section).value = d.cited_clause || "";
  const dl = $("#nn-deadline", section);
  dl.min = today();
  if (!dl.value) dl.value = d.deadline || addDays(today(), 7);
  fill($("#nn-cites", section), (d.citations || []).length ? el("p", { class: "hint" }, "已插入：" + d.citations.join("、")) : null);
}

function newForm(section) {
  const keep = () => {
    const d = draft();
    Object.assign(d, { problem: $("#nn-problem", section).value, cited_code: $("#nn-code", section).value, cited_clause: $("#nn-clause", section).value,
      deadline: $("#nn-deadline", section).value, responsible: $("#nn-responsible", section).value });
    saveDraft(d);
  };
  const f = form({ id: "notice-form", oninput: keep, onsubmit: async (ev) => {
    ev.preventDefault();
    const out = $("#notice-result", section);
    if (!validate(f)) return;
    const resp = $("#nn-responsible", section).value;
    try {
      const n = await api("/v1/rectifications", { method: "POST", body: {
        project: Number($("#nn-project", section).value), problem: $("#nn-problem", section).value.trim(),
        deadline: $("#nn-deadline", section).value, cited_code: $("#nn-code", section).value.trim(),
        cited_clause: $("#nn-clause", section).value.trim(), responsible: resp ? Number(resp) : null } });
      clearDraft(); f.reset();
      toast(`整改通知单 ${n.notice_no} 已下发`);
      go("notices", n.notice_no);
    } catch (e) { serverErrors(f, e); showResult(out, false, e.message); }
  } },
  el("h2", {}, "下发整改通知单"),
  field("工程", el("select", { id: "nn-project", name: "project", required: true })),
  field("存在问题", el("textarea", { id: "nn-problem", name: "problem", rows: "5", maxlength: "4000", required: true, placeholder: "检查发现的问题；可在“检索”中点“插入通知单”引用条文" })),
  el("div", { id: "nn-cites" }),
  el("button", { type: "button", class: "btn small", id: "nn-search", onclick: () => { keep(); go("search"); } }, "去检索并插入条文"),
  el("div", { class: "row two" },
    field("引用标准编号", el("input", { id: "nn-code", name: "cited_code", maxlength: "64", placeholder: "如 GB 50204-2015" })),
    field("条款号", el("input", { id: "nn-clause", name: "cited_clause", maxlength: "32", placeholder: "如 5.5.1" }))),
  field("整改期限", el("input", { type: "date", id: "nn-deadline", name: "deadline", required: true })),
  field("整改责任单位", el("select", { id: "nn-responsible", name: "responsible" })),
  resultBox("notice-result"),
  el("div", { class: "row" }, el("button", { type: "submit", class: "btn primary" }, "下发"),
    el("button", { type: "button", class: "btn", onclick: () => { clearDraft(); f.reset(); go("notices"); } }, "放弃草稿")));
  return f;
}

register({
  id: "notices", title: "整改通知单", tab: { label: "整改", icon: "clipboard" }, roles: ["contractor", "inspector", "admin"],
  tabs: { contractor: 4, inspector: 2 },
  mount(section) {
    fill(section,
      el("div", { "data-panel": "list" },
        el("div", { class: "segmented", role: "tablist" }, FILTERS.map(([s, label]) =>
          el("button", { type: "button", role: "tab", class: "seg" + (s === "overdue" ? " staff-only" : ""), "data-status": s, onclick: () => showList(section, s) }, label))),
        el("button", { type: "button", class: "btn primary block staff-only", id: "notice-new", onclick: () => go("notices", "new") }, "下发整改通知单"),
        el("ol", { class: "list", id: "notice-list" })),
      el("div", { "data-panel": "detail", id: "notice-detail", hidden: true }),
      el("div", { "data-panel": "new", hidden: true }, newForm(section)));
  },
  async show(section, arg) {
    $("#notice-new", section).hidden = !isStaff();
    $$(".seg.staff-only", section).forEach((b) => { b.hidden = !isStaff(); });
    if (arg === "new" && isStaff()) return showNew(section);
    if (arg && arg.startsWith("new:") && isStaff()) return showNew(section, arg.slice(4));
    if (arg) return showDetail(section, arg);
    return showList(section, isStaff() ? "replied" : "open");
  },
});
