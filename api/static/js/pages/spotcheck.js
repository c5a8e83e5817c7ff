/* 双随机 (staff): draw projects by the contractor's credit grade and the inspectors to send, with the seed shown
 * so anyone can replay the draw; the history of draws for audit; a drawn project's check starts from here. */
import { api } from "../core/api.js";
import { $, el, fill, fmtTime, today } from "../core/dom.js";
import { field, form, serverErrors, validate } from "../core/forms.js";
import { go, register } from "../core/router.js";
import { resultBox, showResult, toast } from "../core/ui.js";

function quarter(iso) {
  const [y, m] = iso.split("-").map(Number);
  const q = Math.floor((m - 1) / 3);
  const end = new Date(y, q * 3 + 3, 0);
  const p = (n) => String(n).padStart(2, "0");
  return [`${y}-${p(q * 3 + 1)}-01`, `${y}-${p(end.getMonth() + 1)}-${p(end.getDate())}`];
}

function drawView(d) {
  return el("div", { class: "card", id: "draw-result", "data-draw": d.draw_no },
    el("div", { class: "row-between" }, el("strong", {}, `抽查批次 ${d.draw_no}`),
      d.replay_ok === undefined ? null : el("span", { class: "badge " + (d.replay_ok ? "st-scheduled" : "st-returned") }, d.replay_ok ? "复核一致" : "复核不一致")),
    el("div", { class: "seed" }, el("span", {}, "随机种子"), el("code", { id: "draw-seed" }, d.seed)),
    el("dl", { class: "kv" }, el("dt", {}, "检查期间"), el("dd", {}, `${d.period_start} 至 ${d.period_end}`),
      el("dt", {}, "每项目人数"), el("dd", {}, `${d.inspectors_per_project} 人`),
      el("dt", {}, "抽取人"), el("dd", {}, `${d.created_by || ""} ${fmtTime(d.created_at)}`),
      d.note ? el("dt", {}, "说明") : null, d.note ? el("dd", {}, d.note) : null),
    el("table", { class: "points grades" },
      el("thead", {}, el("tr", {}, el("th", {}, "等级"), el("th", {}, "工程数"), el("th", {}, "比例"), el("th", {}, "抽中"))),
      el("tbody", {}, Object.entries(d.counts).map(([g, c]) => el("tr", {}, el("td", {}, g), el("td", {}, String(c.eligible)),
        el("td", {}, `${c.ratio}%`), el("td", {}, String(c.drawn)))))),
    el("h3", {}, `抽中的工程（${d.picks.length}）`),
    el("ol", { class: "list", id: "draw-picks" }, d.picks.length ? d.picks.map((p) => el("li", { class: "item", "data-project": p.project_id },
      el("div", { class: "top" }, el("strong", {}, p.project_name), el("span", { class: "badge kind" }, `${p.grade}级`)),
      el("div", { class: "sub" }, `施工单位：${p.enterprise_name || "—"}`),
      el("div", {}, `检查人员：${p.inspectors.join("、") || "—"}`),
      p.inspection_no ? el("button", { type: "button", class: "btn small", onclick: () => go("inspect", p.inspection_no) }, `检查记录 ${p.inspection_no} ›`)
        : el("button", { type: "button", class: "btn small primary start-check", onclick: () => go("inspect", `new:spot:${d.draw_no}:${p.project_id}`) }, "开始检查")))
      : [el("li", { class: "hint" }, "本次没有抽中工程。")]));
}

async function history(section) {
  const list = $("#draw-history", section);
  try {
    const rows = await api("/v1/spot-checks");
    fill(list, rows.length ? rows.map((d) => el("li", { class: "item" }, el("button", { type: "button", class: "open", onclick: () => go("spotcheck", d.draw_no) },
      el("div", { class: "top" }, el("span", { class: "no" }, d.draw_no), el("span", { class: "sub" }, fmtTime(d.created_at))),
      el("div", {}, `${d.period_start} 至 ${d.period_end} · 抽中 ${d.picks.length} 项`),
      el("div", { class: "sub" }, `种子 ${d.seed} · ${d.created_by || ""}`))))
      : [el("li", { class: "hint" }, "还没有抽查批次。")]);
  } catch (e) { fill(list, el("li", { class: "hint" }, e.message)); }
}

register({
  id: "spotcheck", title: "双随机抽查", roles: ["inspector", "admin"],
  mount(section) {
    const [start, end] = quarter(today());
    const from = el("input", { type: "date", id: "draw-start", name: "period_start", required: true, value: start });
    const to = el("input", { type: "date", id: "draw-end", name: "period_end", required: true, value: end });
    const seed = el("input", { id: "draw-seed-input", name: "seed", maxlength: "40", placeholder: "不填自动生成并记录" });
    const per = el("input", { id: "draw-per", name: "inspectors_per_project", inputmode: "numeric", maxlength: "2", placeholder: "默认按规则" });
    const note = el("input", { id: "draw-note", name: "note", maxlength: "1000", placeholder: "如 第四季度双随机检查" });
    const out = resultBox("draw-error");
    const f = form({ id: "draw-form", onsubmit: async (ev) => {
      ev.preventDefault();
      if (!validate(f)) return;
      if (from.value > to.value) { showResult(out, false, "起始日期不能晚于截止日期"); return; }
      const body = { period_start: from.value, period_end: to.value, note: note.value.trim() };
      if (seed.value.trim()) body.seed = seed.value.trim();
      if (per.value.trim()) body.inspectors_per_project = Number(per.value.trim());
      try {
        const d = await api("/v1/spot-checks", { method: "POST", body });
        toast(`已抽取：${d.draw_no}`);
        out.hidden = true;
        fill($("#draw-out", section), drawView(d));
        $("#draw-result", section).scrollIntoView({ block: "start" });
        history(section);
      } catch (e) { serverErrors(f, e); showResult(out, false, e.message); }
    } },
    el("h2", {}, "双随机抽查"),
    el("p", { class: "hint" }, "按施工单位信用等级和抽查比例随机抽取工程，并随机抽取检查人员；种子和抽取范围一并保存，可复核。"),
    el("div", { class: "row two" }, field("检查期间起", from), field("检查期间止", to)),
    el("div", { class: "row two" }, field("随机种子（选填）", seed), field("每项目检查人数", per)),
    field("说明（选填）", note), out, el("button", { type: "submit", class: "btn primary block", id: "draw-submit" }, "抽取"));
    fill(section, f, el("div", { id: "draw-out" }), el("h2", {}, "抽查记录"), el("ol", { class: "list", id: "draw-history" }));
  },
  async show(section, arg) {
    if (arg) {
      try { fill($("#draw-out", section), drawView(await api("/v1/spot-checks/" + encodeURIComponent(arg)))); }
      catch (e) { fill($("#draw-out", section), el("p", { class: "result err" }, e.message)); }
    }
    await history(section);
  },
});
