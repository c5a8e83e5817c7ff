/* 发布为案例 (staff, on a closed notice): the draft the station's store writes (names already removed), edited,
 * previewed exactly as it will be kept (POST case-preview runs the same anonymiser), then published; the
 * library job that makes it searchable is followed until it is done. */
import { api } from "../core/api.js";
import { el, fill } from "../core/dom.js";
import { field, form, serverErrors, validate } from "../core/forms.js";
import { go } from "../core/router.js";
import { resultBox, showResult, toast } from "../core/ui.js";

const FIELDS = [["title", "标题", 100, 1], ["problem", "问题", 4000, 4], ["cause", "原因", 4000, 3], ["treatment", "处理", 4000, 4], ["basis", "依据", 1000, 2]];

function caseView(c) {
  return el("div", { class: "case-preview", id: "case-preview" },
    el("h3", {}, c.title), FIELDS.slice(1).map(([k, label]) => (c[k] ? el("div", { class: "case-part" }, el("strong", {}, label + "："), c[k]) : null)),
    c.tags && c.tags.length ? el("div", { class: "chips" }, c.tags.map((t) => el("span", { class: "badge kind" }, t))) : null);
}

async function follow(box, caseNo, query) {
  for (let i = 0; i < 300; i++) {
    let c = null;
    try { c = (await api("/v1/cases")).find((x) => x.case_no === caseNo); } catch (e) { /* keep trying */ }
    const status = c && c.job_status;
    fill(box, `导入知识库：${(c && c.job_status_label) || "排队中"}`);
    if (status === "succeeded") {
      fill(box, el("span", { class: "ok-text" }, "已导入知识库，可以检索和在问答中引用。"),
        el("button", { type: "button", class: "btn small", id: "case-search", onclick: () => go("search", query) }, "去检索"));
      return;
    }
    if (status && !["queued", "running"].includes(status)) { fill(box, el("span", { class: "err-text" }, `导入未完成（${c.job_status_label}），请联系管理员`)); return; }
    await new Promise((r) => setTimeout(r, 1500));
  }
}

function published(c) {
  const job = el("p", { class: "hint", id: "case-job" });
  const query = (c.title || "").slice(0, 30);
  follow(job, c.case_no, query);
  return el("div", { class: "card", id: "case-published" }, el("div", { class: "row-between" }, el("strong", {}, `已发布为案例 ${c.case_no}`),
    el("span", { class: "badge st-closed" }, "本站案例")), caseView(c), job);
}

/** The panel under a closed notice: either the case it became, or the button to publish it. */
export function publishPanel(n) {
  const box = el("div", { id: "case-panel" });
  const start = el("button", { type: "button", class: "btn primary block", id: "case-open", onclick: () => draftForm(box, n) }, "发布为案例");
  fill(box, start);
  api("/v1/cases").then((all) => { const c = all.find((x) => x.notice_no === n.notice_no); if (c) fill(box, published(c)); }).catch(() => {});
  return box;
}

async function draftForm(box, n) {
  let d;
  try { d = await api(`/v1/rectifications/${encodeURIComponent(n.notice_no)}/case-draft`); } catch (e) { toast(e.message); return; }
  const inputs = {};
  for (const [k, label, max, rows] of FIELDS) {
    inputs[k] = rows === 1 ? el("input", { id: "case-" + k, name: k, maxlength: String(max), required: true, value: d[k] })
      : el("textarea", { id: "case-" + k, name: k, rows: String(rows), maxlength: String(max), required: k !== "basis", value: d[k],
        placeholder: k === "cause" ? "请填写问题产生的原因（草稿不含原因）" : "" });
    inputs[k].dataset.label = label;
  }
  const tags = el("input", { id: "case-tags", name: "tags", maxlength: "200", placeholder: "用顿号或空格分隔，如 垫块、保护层" });
  const preview = el("div", { id: "case-preview-box" });
  const out = resultBox("case-result");
  const body = () => ({ ...Object.fromEntries(FIELDS.map(([k]) => [k, inputs[k].value.trim()])),
    tags: tags.value.split(/[\s,，、;；]+/).map((t) => t.trim()).filter(Boolean) });
  const publish = async () => {
    try {
      const c = await api(`/v1/rectifications/${encodeURIComponent(n.notice_no)}/publish`, { method: "POST", body: body() });
      toast(`已发布为案例 ${c.case_no}`);
      fill(box, published(c));
    } catch (e) { serverErrors(f, e); showResult(out, false, e.message); }
  };
  const f = form({ id: "case-form", oninput: () => fill(preview), onsubmit: async (ev) => {
    ev.preventDefault();
    if (!validate(f)) return;
    try {
      const c = await api(`/v1/rectifications/${encodeURIComponent(n.notice_no)}/case-preview`, { method: "POST", body: body() });
      fill(preview, el("div", { class: "card preview" }, el("p", { class: "hint" }, "发布后的文字（已隐去企业、工程、人员名称和电话、信用代码）："), caseView(c),
        el("button", { type: "button", class: "btn primary block", id: "case-publish", onclick: publish }, "确认发布")));
      preview.scrollIntoView({ block: "start" });
    } catch (e) { serverErrors(f, e); showResult(out, false, e.message); }
  } },
  el("h3", {}, "发布为案例"),
  el("p", { class: "hint" }, `草稿已隐去：${d.removed.join("、")}。请补充原因，预览无误后发布。`),
  FIELDS.map(([k, label]) => field(label, inputs[k])), field("标签（选填）", tags), out,
  el("button", { type: "submit", class: "btn block", id: "case-preview-open" }, "预览"), preview);
  fill(box, f);
  f.scrollIntoView({ block: "start" });
}
