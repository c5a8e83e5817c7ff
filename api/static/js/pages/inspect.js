/* 监督检查 (inspectors, admins; firms read their projects' records): the records, a new one from a booking,
 * a patrol (巡查) or a random check (抽查), and each project's timeline (预约、检查、整改、服务). The record itself
 * (findings, 实测实量, notices from findings) is in inspect-record.js. */
import { api, query } from "../core/api.js";
import { $, $$, el, fill, statusBadge, today } from "../core/dom.js";
import { checkGroup, checked, field, form, options, serverErrors, validate } from "../core/forms.js";
import { photoPicker, uploadAll } from "../core/photos.js";
import { go, register } from "../core/router.js";
import { isStaff, projects, role, session, staff } from "../core/session.js";
import { resultBox, showResult, toast } from "../core/ui.js";
import { showRecord } from "./inspect-record.js";

const SOURCES = [["patrol", "巡查"], ["spot_check", "双随机抽查"], ["booking", "预约验收监督"]];
const ENTITY = ["钢筋工程", "混凝土工程", "模板工程", "砌体工程", "防水工程", "钢筋保护层", "截面尺寸", "楼板厚度"];
const BEHAVIOR = ["隐蔽工程验收记录", "原材料进场检验", "见证取样送检", "技术交底", "施工日志", "监理旁站记录"];
const FILTERS = [["open", "记录中"], ["finished", "已完成"], ["", "全部"]];

function panel(section, name) { $$("[data-panel]", section).forEach((p) => { p.hidden = p.dataset.panel !== name; }); }

export function recordItem(r) {
  return el("li", { class: "item", "data-record": r.record_no },
    el("button", { type: "button", class: "open", onclick: () => go("inspect", r.record_no) },
      el("div", { class: "top" }, el("span", { class: "no" }, r.record_no), statusBadge(r.status, r.status_label)),
      el("div", {}, `${r.source_label} · ${r.inspected_on}${r.position ? " · " + r.position : ""}`),
      el("div", { class: "sub" }, r.project_name),
      el("div", { class: "sub" }, `问题 ${r.findings} 条 · 实测 ${r.measurements} 组${r.alerts ? ` · 预警 ${r.alerts} 组` : ""}${r.notices.length ? " · 通知单 " + r.notices.join("、") : ""}`)));
}

async function showList(section, status) {
  panel(section, "list");
  $$(".seg", section).forEach((b) => { const on = b.dataset.status === status; b.classList.toggle("active", on); b.setAttribute("aria-selected", String(on)); });
  $("#inspect-new", section).hidden = !isStaff();
  const pick = $("#inspect-project", section);
  if (pick.options.length <= 1) options(pick, (await projects()).map((p) => [p.id, p.name]), "全部工程");
  const list = $("#inspect-list", section);
  fill(list, el("li", { class: "hint" }, "加载中…"));
  try {
    const rows = await api("/v1/inspections" + query({ status, project: pick.value }));
    fill(list, rows.length ? rows.map(recordItem) : [el("li", { class: "hint" }, "没有监督检查记录。")]);
  } catch (e) { fill(list, el("li", { class: "hint" }, e.message)); }
}

function parseNew(arg) {
  const [, kind, a, b] = arg.split(":");
  if (kind === "booking") return { source: "booking", booking: a, project: b };
  if (kind === "spot") return { source: "spot_check", spot_check: a, project: b };
  if (kind === "project") return { source: "patrol", project: a };
  return { source: "patrol" };
}

/** Who goes: the inspectors drawn for a random-check pick, those scheduled for a booking, else me. */
async function presetInspectors(preset, people) {
  try {
    if (preset.spot_check) {
      const d = await api("/v1/spot-checks/" + encodeURIComponent(preset.spot_check));
      const pick = d.picks.find((x) => String(x.project_id) === String(preset.project));
      if (pick && pick.inspector_ids.length) return pick.inspector_ids;
    }
    if (preset.booking) {
      const b = await api("/v1/bookings/" + encodeURIComponent(preset.booking));
      const ids = people.filter((p) => b.inspectors.includes(p.name)).map((p) => p.id);
      if (ids.length) return ids;
    }
  } catch (e) { /* fall back to me */ }
  return [session.me.account_id];
}

async function newForm(section, preset) {
  const [ps, people] = await Promise.all([projects(), staff("inspector")]);
  const source = el("select", { id: "ins-source", name: "source", required: true });
  options(source, SOURCES);
  source.value = preset.source;
  const booking = el("input", { id: "ins-booking", name: "booking", maxlength: "16", value: preset.booking || "", placeholder: "如 2026-000004" });
  const spot = el("input", { id: "ins-spot", name: "spot_check", maxlength: "16", value: preset.spot_check || "", placeholder: "如 CC2026-0001" });
  const project = el("select", { id: "ins-project", name: "project", required: true });
  options(project, ps.filter((p) => p.status === "under_supervision").map((p) => [p.id, `${p.name}（${p.supervision_no || p.permit_no || ""}）`]), "请选择工程");
  if (preset.project) project.value = String(preset.project);
  const day = el("input", { type: "date", id: "ins-date", name: "inspected_on", required: true, value: today(), max: today() });
  const who = checkGroup("inspectors", "检查人员", people.map((p) => ({ value: p.id, label: p.name })), { min: 1 });
  for (const id of await presetInspectors(preset, people)) {
    const box = who.querySelector(`input[value="${id}"]`);
    if (box) box.checked = true;
  }
  const unit = el("input", { id: "ins-unit", name: "unit_work", maxlength: "200", placeholder: "如 综合楼" });
  const pos = el("input", { id: "ins-position", name: "position", maxlength: "200", placeholder: "如 三层楼板" });
  const entity = checkGroup("entity", "实体质量检查项", ENTITY.map((x) => ({ value: x, label: x })), { min: 0, unit: "项" });
  const behavior = checkGroup("behavior", "质量行为检查项", BEHAVIOR.map((x) => ({ value: x, label: x })), { min: 0, unit: "项" });
  const more = el("input", { id: "ins-more", name: "more_items", maxlength: "400", placeholder: "其他实体质量检查项，用顿号或逗号分隔" });
  const photos = photoPicker({ label: "现场照片（选填）" });
  const progress = el("div", { class: "uploads" });
  const out = resultBox("inspect-new-result");
  const bookingField = field("预约编号", booking), spotField = field("抽查批次编号", spot);
  const toggle = () => {
    bookingField.hidden = source.value !== "booking"; booking.required = source.value === "booking";
    spotField.hidden = source.value !== "spot_check"; spot.required = source.value === "spot_check";
  };
  source.addEventListener("change", toggle);
  toggle();
  const f = form({ id: "inspect-form", onsubmit: async (ev) => {
    ev.preventDefault();
    if (!validate(f)) return;
    const extra = more.value.split(/[,，、;；\n]+/).map((s) => s.trim()).filter(Boolean);
    const body = { source: source.value, project: Number(project.value), inspected_on: day.value,
      inspectors: checked(who, "inspectors").map(Number), unit_work: unit.value.trim(), position: pos.value.trim(),
      entity_items: [...checked(entity, "entity"), ...extra], behavior_items: checked(behavior, "behavior") };
    if (source.value === "booking") body.booking = booking.value.trim();
    if (source.value === "spot_check") body.spot_check = spot.value.trim();
    try {
      const rec = await api("/v1/inspections", { method: "POST", body });
      const sent = await uploadAll("inspection", rec.record_no, photos.files(), progress);
      if (sent.failed.length) toast(`有 ${sent.failed.length} 张照片未上传`);
      toast(`已建立检查记录 ${rec.record_no}`);
      go("inspect", rec.record_no);
    } catch (e) { serverErrors(f, e); showResult(out, false, e.message); }
  } },
  el("button", { type: "button", class: "btn small back", onclick: () => history.back() }, "‹ 返回"),
  el("h2", {}, "新建监督检查记录"),
  field("检查类型", source), bookingField, spotField, field("工程", project), field("检查日期", day), who,
  el("div", { class: "row two" }, field("单位工程", unit), field("检查部位", pos)),
  entity, field("其他检查项（选填）", more), behavior, photos.node, progress, out,
  el("button", { type: "submit", class: "btn primary block" }, "开始检查"));
  return f;
}

const TARGET = {
  inspection: () => "inspect", notice: () => "notices",
  booking: () => (isStaff() ? "queue" : "book"), visit: () => (isStaff() ? "dispatch" : "visit"),
};

async function showTimeline(section, projectId) {
  panel(section, "other");
  const box = $("#inspect-other", section);
  fill(box, el("p", { class: "hint" }, "加载中…"));
  try {
    const [ps, rows] = await Promise.all([projects(), api(`/v1/projects/${encodeURIComponent(projectId)}/timeline`)]);
    const p = ps.find((x) => String(x.id) === String(projectId));
    fill(box,
      el("button", { type: "button", class: "btn small back", onclick: () => history.back() }, "‹ 返回"),
      el("h2", {}, `工程动态：${p ? p.name : projectId}`),
      isStaff() ? el("button", { type: "button", class: "btn primary block", id: "timeline-new", onclick: () => go("inspect", "new:project:" + projectId) }, "对该工程新建检查（巡查）") : null,
      el("ol", { class: "timeline", id: "timeline" }, rows.length ? rows.map((t) => el("li", { class: "tl tl-" + t.kind, "data-kind": t.kind, "data-number": t.number },
        el("button", { type: "button", class: "open", onclick: () => go(TARGET[t.kind](), t.number) },
          el("div", { class: "top" }, el("span", { class: "badge kind" }, t.kind_label), el("span", { class: "when" }, t.on)),
          el("div", {}, el("strong", {}, t.number), ` ${t.title}`),
          el("div", { class: "sub" }, t.status_label + (t.detail ? ` · ${t.detail}` : ""))))) : [el("li", { class: "hint" }, "该工程还没有记录。")]));
  } catch (e) { fill(box, el("p", { class: "result err" }, e.message)); }
}

register({
  id: "inspect", title: "监督检查", tabOf: "queue", roles: ["inspector", "admin", "contractor"],
  mount(section) {
    fill(section,
      el("div", { "data-panel": "list" },
        el("h2", {}, "监督检查记录"),
        el("div", { class: "segmented", role: "tablist" }, FILTERS.map(([s, label]) =>
          el("button", { type: "button", role: "tab", class: "seg", "data-status": s, onclick: () => showList(section, s) }, label))),
        el("div", { class: "row project-pick" },
          el("select", { id: "inspect-project", "aria-label": "按工程筛选", onchange: () => showList(section, $(".seg.active", section)?.dataset.status ?? "") }),
          el("button", { type: "button", class: "btn", id: "inspect-timeline", onclick: () => {
            const v = $("#inspect-project", section).value;
            if (v) go("inspect", "project:" + v); else toast("请先选择工程");
          } }, "工程动态")),
        el("button", { type: "button", class: "btn primary block", id: "inspect-new", onclick: () => go("inspect", "new") }, "新建检查（巡查/抽查）"),
        el("ol", { class: "list", id: "inspect-list" })),
      el("div", { "data-panel": "detail", id: "inspect-detail", hidden: true }),
      el("div", { "data-panel": "other", id: "inspect-other", hidden: true }));
  },
  async show(section, arg) {
    if (arg.startsWith("new") && isStaff()) { panel(section, "other"); fill($("#inspect-other", section), await newForm(section, parseNew(arg))); return; }
    if (arg.startsWith("project:")) return showTimeline(section, arg.slice(8));
    if (arg) { panel(section, "detail"); return showRecord($("#inspect-detail", section), arg); }
    return showList(section, role() === "contractor" ? "" : "open");
  },
});
