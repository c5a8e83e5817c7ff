/* 实测实量 on the phone: pick an item of the tolerance table, enter the design value once, then the readings
 * (one numeric field per point, or typed in one go separated by spaces or commas). Every change is judged by
 * the server (POST /v1/measurements/check): deviation and verdict per point, the pass rate, an alert banner. */
import { api } from "./api.js";
import { el, fill } from "./dom.js";
import { field } from "./forms.js";

let catalogue = null;
export async function tolerances() {
  if (!catalogue) catalogue = await api("/v1/tolerances");
  return catalogue;
}

const num = (x) => (Number.isInteger(x) ? String(x) : String(Math.round(x * 100) / 100));
const signed = (x) => (x > 0 ? "+" : "") + num(x);
const asNum = (s) => (/^[-+]?\d+(\.\d+)?$/.test(s) ? Number(s) : s);
const pct = (r) => `${Math.round(r * 1000) / 10}%`;

export function limits(t) {
  const lo = t.lower === null ? "" : signed(t.lower), hi = t.upper === null ? "" : signed(t.upper);
  const range = lo && hi ? `${lo} ～ ${hi}` : lo ? `不小于 ${lo}` : `不大于 ${hi}`;
  return `${t.relative_to_design ? "允许偏差" : "允许值"} ${range} ${t.unit}`;
}

/** Split fast entry ("26 24，31、25.5") into readings; anything else stays as typed for the server to name. */
export function splitReadings(text) {
  return String(text || "").split(/[\s,，、;；]+/).map((s) => s.trim()).filter(Boolean);
}

/** The verdict table for one checked set (also used for sets already saved in a record). */
export function verdictView(r, { unit } = {}) {
  const u = unit || r.unit || "";
  return el("div", { class: "verdict" },
    r.alert ? el("div", { class: "alert-banner", role: "alert" }, el("strong", {}, "预警："), (r.messages || [])[0] || "超过预警线") : null,
    el("div", { class: "rate " + (r.ok ? "ok" : "bad") },
      el("strong", {}, `合格点率 ${pct(r.pass_rate)}`),
      el("span", {}, `（${r.points_ok}/${r.points_total ?? r.points.length} 点合格${r.pass_rate_required !== undefined ? `，要求 ≥ ${pct(r.pass_rate_required)}` : ""}）`),
      el("span", { class: "badge " + (r.ok ? "st-scheduled" : "st-returned") }, r.ok ? "合格" : "不合格")),
    el("table", { class: "points" },
      el("thead", {}, el("tr", {}, el("th", {}, "点"), el("th", {}, `实测（${u}）`), el("th", {}, r.relative_to_design ? "偏差" : "判定值"), el("th", {}, "判定"))),
      el("tbody", {}, r.points.map((p, i) => el("tr", { class: p.ok ? "ok" : p.beyond ? "beyond" : "out" },
        el("td", {}, String(i + 1)), el("td", {}, num(p.value)), el("td", {}, r.relative_to_design ? signed(p.deviation) : num(p.deviation)),
        el("td", {}, p.ok ? "合格" : p.beyond ? "严重超差" : "超差"))))),
    (r.messages || []).slice(r.alert ? 1 : 0).map((m) => el("p", { class: "hint" }, m)),
    el("p", { class: "hint cite-line" }, `依据：${r.citation || `${r.code} 第${r.clause_no}条`}`));
}

/** The measuring form; ``onSave(body)`` stores a set (body as POST /v1/inspections/{no}/measurements takes). */
export async function measureForm({ onSave }) {
  const items = await tolerances();
  const pick = el("select", { id: "m-item", name: "item", required: true },
    el("option", { value: "" }, "请选择实测项目"), items.map((t) => el("option", { value: t.id }, `${t.name}（${t.unit}）`)));
  const info = el("div", { class: "tol-info", id: "m-info" });
  const design = el("input", { id: "m-design", name: "design", inputmode: "decimal", autocomplete: "off", enterkeyhint: "next", placeholder: "如 25" });
  const designField = field("设计值", design);
  const position = el("input", { id: "m-position", name: "position", maxlength: "200", placeholder: "如 3F 板 B-2" });
  const fast = el("input", { id: "m-fast", inputmode: "text", autocomplete: "off", placeholder: "如 26 24 31 25.5（空格或逗号分隔）",
    "aria-label": "一次录入全部实测值" });
  const grid = el("div", { class: "point-grid", id: "m-points" });
  const addPoint = el("button", { type: "button", class: "btn small", id: "m-add-point", onclick: () => { const f = point(); grid.append(f); f.querySelector("input").focus(); } }, "加一个点");
  const verdict = el("div", { id: "m-verdict", "aria-live": "polite" });
  const err = el("p", { class: "result err", id: "m-error", hidden: true });
  let timer = null, last = null, seq = 0;

  const current = () => items.find((t) => t.id === pick.value);
  const inputs = () => Array.from(grid.querySelectorAll("input"));
  const readings = () => inputs().map((i) => i.value.trim()).filter(Boolean).map(asNum);
  function point(value = "", index = grid.children.length) {
    const n = index + 1;
    const input = el("input", { inputmode: "decimal", autocomplete: "off", enterkeyhint: "next", class: "point", "aria-label": `第${n}点`, value });
    input.addEventListener("keydown", (e) => {
      if (e.key !== "Enter") return;
      e.preventDefault();
      const all = inputs(), i = all.indexOf(input);
      if (all[i + 1]) all[i + 1].focus(); else { const f = point(); grid.append(f); f.querySelector("input").focus(); }
    });
    return el("label", { class: "pt" }, el("span", {}, String(n)), input);
  }
  const layout = (t, values = []) => {
    const count = Math.max(t ? t.points : 5, values.length);
    fill(grid, Array.from({ length: count }, (_, i) => point(values[i] || "", i)));
  };
  const schedule = () => { clearTimeout(timer); timer = setTimeout(check, 300); };
  async function check() {
    const t = current();
    const values = readings();
    err.hidden = true;
    inputs().forEach((i) => i.classList.remove("bad"));
    if (!t || !values.length || (t.relative_to_design && !design.value.trim())) { last = null; fill(verdict); return; }
    const mine = ++seq;
    try {
      const body = { item: t.id, design: t.relative_to_design ? asNum(design.value.trim()) : null, values };
      const r = await api("/v1/measurements/check", { method: "POST", body });
      if (mine !== seq) return;
      last = body;
      fill(verdict, verdictView(r));
      const marks = inputs().filter((i) => i.value.trim());
      r.points.forEach((p, i) => { if (marks[i]) marks[i].classList.toggle("bad", !p.ok); });
    } catch (e) {
      if (mine !== seq) return;
      last = null;
      fill(verdict);
      err.textContent = e.message; err.hidden = false;
      const m = /^values\[(\d+)\]$/.exec((e.body && e.body.field) || "");
      if (m) { const filled = inputs().filter((i) => i.value.trim()); if (filled[Number(m[1])]) filled[Number(m[1])].classList.add("bad"); }
    }
  }
  pick.addEventListener("change", () => {
    const t = current();
    designField.hidden = !(t && t.relative_to_design);
    fill(info, t ? [el("div", {}, limits(t)), el("div", {}, `每组 ${t.points} 点，合格点率 ≥ ${pct(t.pass_rate_required)}`),
      el("div", {}, `依据：${t.code} 第${t.clause_no}条${t.title ? `《${t.title}》` : ""}`), t.method ? el("div", { class: "sub" }, t.method) : null] : []);
    layout(t, readings().map(String));
    schedule();
  });
  const spread = () => {
    const values = splitReadings(fast.value);
    if (!values.length) return;
    layout(current(), values);
    fast.value = "";
    schedule();
  };
  fast.addEventListener("change", spread);
  fast.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); spread(); } });
  design.addEventListener("input", schedule);
  grid.addEventListener("input", schedule);
  const save = el("button", { type: "button", class: "btn primary block", id: "m-save", onclick: async () => {
    await check();
    if (!last) { err.textContent = current() ? "请先填写设计值和实测值" : "请选择实测项目"; err.hidden = false; return; }
    try {
      const saved = await onSave({ ...last, position: position.value.trim() });
      if (saved) { fill(verdict); layout(current()); last = null; }
    } catch (e) { err.textContent = e.message; err.hidden = false; }
  } }, "保存到检查记录");
  layout(null);
  designField.hidden = true;
  return el("div", { class: "card form measure", id: "measure-form" }, el("h3", {}, "实测实量"),
    field("实测项目", pick), info, el("div", { class: "row two" }, designField, field("部位/构件", position)),
    el("div", { class: "field" }, el("span", { class: "label" }, "实测值（逐点录入，回车到下一点）"), grid, addPoint),
    field("快速录入（选填）", fast), verdict, err, save);
}
