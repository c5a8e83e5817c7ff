/* 条文库 (admins): the documents with their status (现行 / 废止 / 即将实施); upload standards with a
 * progress bar (the bytes going up, then the job's stages from /v1/documents/jobs); retire, supersede or
 * remove a document after a confirmation. Each change runs as a background job. */
import { api, upload } from "../core/api.js";
import { statusBadge } from "../core/clauses.js";
import { $, el, fill, fmtTime, icon } from "../core/dom.js";
import { register } from "../core/router.js";
import { confirmDialog, resultBox, showResult, toast } from "../core/ui.js";

const STAGE = { queued: 1, running: 2, succeeded: 3, failed: 3, interrupted: 3 };
const KIND = { ingest: "导入", retire: "废止", remove: "删除", sync: "索引修复" };

async function watch(jobId, bar, label) {
  for (;;) {
    const job = await api("/v1/documents/jobs/" + jobId);
    bar.value = 50 + (STAGE[job.status] || 1) * 50 / 3;
    fill(label, `${KIND[job.kind] || job.kind}：${job.status_label}`);
    if (!["queued", "running"].includes(job.status)) return job;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function jobSummary(job) {
  return el("div", {}, el("div", {}, job.message || job.status_label),
    (job.results || []).map((r) => el("div", { class: "sub" }, `${r.file}：${r.outcome_label}` + (r.code ? ` ${r.code}《${r.title}》 ${r.clauses} 条` : "") + (r.error ? ` ${r.error}` : ""))));
}

async function loadDocs(section) {
  const list = $("#doc-list", section);
  try {
    const data = await api("/v1/documents");
    const filter = $("#doc-filter", section).value.trim();
    const docs = data.documents.filter((d) => !filter || d.code.includes(filter) || d.title.includes(filter));
    fill($("#doc-count", section), `共 ${data.documents.length} 部，显示 ${docs.length} 部`);
    fill(list, docs.map((d) => el("li", { class: "item", "data-code": d.code },
      el("div", { class: "top" }, el("span", { class: "no" }, d.code), statusBadge(d.status)),
      el("div", {}, `《${d.title}》`), el("div", { class: "sub" }, `${d.clauses} 条` + (d.superseded_by ? ` · 已被 ${d.superseded_by} 替代` : "")),
      el("div", { class: "row" },
        d.status !== "废止" ? el("button", { type: "button", class: "btn small", onclick: () => retire(section, d) }, "废止/替代") : null,
        el("button", { type: "button", class: "btn small danger", onclick: () => remove(section, d) }, "删除")))));
  } catch (e) { fill(list, el("li", { class: "hint" }, e.message)); }
}

async function runJob(section, job, what) {
  const bar = el("progress", { max: "100", value: "50" });
  const label = el("span", {}, "排队中");
  const out = $("#lib-result", section);
  showResult(out, true, el("div", {}, what), bar, label);
  const done = await watch(job.id, bar, label);
  showResult(out, done.status === "succeeded", el("div", {}, `${what}：${done.status_label}`), jobSummary(done));
  await loadDocs(section);
  await loadJobs(section);
}

async function retire(section, d) {
  const by = el("input", { id: "retire-by", maxlength: "64", placeholder: "如 GB 55032-2022（没有可留空）" });
  const ok = await confirmDialog(`将 ${d.code}《${d.title}》标记为废止？`, { ok: "确认废止", danger: true,
    detail: "废止后检索默认不再返回它，查阅时注明已废止。如有替代它的新标准，请填写编号：",
    body: el("label", { class: "field" }, el("span", { class: "label" }, "替代标准（选填）"), by) });
  if (!ok) return;
  const sup = by.value.trim();
  try {
    const job = await api(`/v1/documents/${encodeURIComponent(d.code)}/retire`, { method: "POST", body: { superseded_by: sup || null } });
    await runJob(section, job, `废止 ${d.code}` + (sup ? `，由 ${sup} 替代` : ""));
  } catch (e) { toast(e.message); }
}

async function remove(section, d) {
  const ok = await confirmDialog(`从条文库删除 ${d.code}《${d.title}》？`, { ok: "确认删除", danger: true,
    detail: "删除后无法检索和引用；仅需停用的标准请用“废止”。" });
  if (!ok) return;
  try {
    const job = await api(`/v1/documents/${encodeURIComponent(d.code)}`, { method: "DELETE" });
    await runJob(section, job, `删除 ${d.code}`);
  } catch (e) { toast(e.message); }
}

async function loadJobs(section) {
  try {
    const jobs = await api("/v1/documents/jobs");
    fill($("#job-list", section), jobs.slice(0, 10).map((j) => el("li", { class: "item" },
      el("div", { class: "top" }, el("span", {}, `${KIND[j.kind] || j.kind} ${j.files.join("、") || j.target || ""}`), el("span", { class: "badge" }, j.status_label)),
      el("div", { class: "sub" }, `${fmtTime(j.created_at)} · ${j.submitted_by}`), j.message ? el("div", { class: "sub" }, j.message) : null)));
  } catch (e) { /* optional */ }
}

register({
  id: "library", title: "条文库", tab: { label: "条文库", icon: "book" }, roles: ["admin"], tabs: { admin: 1 },
  mount(section) {
    const chosen = el("div", { class: "hint", id: "upload-chosen" }, "未选择文件");
    const input = el("input", { type: "file", id: "upload-files", class: "file-input", multiple: true, accept: ".pdf,.docx,.md,.txt,.html,.htm,.rst,.jsonl,.yaml,.yml",
      "aria-label": "选择规范文件", onchange: () => fill(chosen, input.files.length ? Array.from(input.files).map((f) => f.name).join("、") : "未选择文件") });
    const picker = el("div", { class: "picker" }, el("label", { class: "btn pick" }, icon("book", "ico-inline"), "选择规范文件", input), chosen);
    const progress = el("progress", { id: "upload-progress", max: "100", value: "0", hidden: true });
    const stage = el("div", { id: "upload-stage", class: "hint" });
    const out = resultBox("upload-result");
    const f = el("form", { class: "card form", id: "upload-form", novalidate: true, onsubmit: async (ev) => {
      ev.preventDefault();
      if (!input.files.length) { showResult(out, false, "请选择要上传的规范文件"); return; }
      progress.hidden = false; progress.value = 0;
      fill(stage, "正在上传…");
      try {
        const job = await upload("/v1/documents", { files: Array.from(input.files) }, (p) => { progress.value = Math.round(p * 50); });
        fill(stage, "已上传，等待导入…");
        const done = await watch(job.id, progress, stage);
        showResult(out, done.status === "succeeded", el("div", {}, `导入${done.status_label}`), jobSummary(done));
        input.value = ""; fill(chosen, "未选择文件");
        await loadDocs(section); await loadJobs(section);
      } catch (e) { showResult(out, false, e.message); fill(stage); progress.hidden = true; }
    } }, el("h2", {}, "上传规范"), el("p", { class: "hint" }, "PDF（含文字层）、Word、Markdown、文本、HTML、rst、JSONL、YAML；同名文件内容变化时替换旧版本。"),
    picker, progress, stage, out, el("button", { type: "submit", class: "btn primary block", id: "upload-go" }, "上传并导入"));
    fill(section, f, resultBox("lib-result"),
      el("div", { class: "row-between" }, el("h2", {}, "文档"), el("span", { class: "hint", id: "doc-count" })),
      el("input", { type: "search", id: "doc-filter", placeholder: "按编号或名称筛选", "aria-label": "筛选文档", oninput: () => loadDocs(section) }),
      el("ol", { class: "list", id: "doc-list" }), el("h2", {}, "最近的任务"), el("ol", { class: "list", id: "job-list" }));
  },
  async show(section) { await Promise.all([loadDocs(section), loadJobs(section)]); },
});
