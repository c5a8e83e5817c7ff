/* 检索: clause search for everyone; staff can insert a clause into the notice they are writing with one tap. */
import { api, query } from "../core/api.js";
import { clauseCard, citationOf, copyButton, statusBadge } from "../core/clauses.js";
import { $, el, fill } from "../core/dom.js";
import { insertCitation } from "../core/drafts.js";
import { register, go } from "../core/router.js";
import { isStaff } from "../core/session.js";
import { toast } from "../core/ui.js";

function actions(h) {
  const out = [copyButton(h, toast)];
  if (isStaff()) {
    out.push(el("button", { type: "button", class: "btn small primary insert", onclick: () => {
      insertCitation(h, citationOf(h));
      toast("已插入整改通知单：" + citationOf(h));
      go("notices", "new");
    } }, "插入通知单"));
  }
  return out;
}

/** The notice said first when the query names a clause or a standard the library does not hold. */
function lookupNotice(n) {
  return el("div", { class: "notice warn", id: "search-notice", role: "status" },
    el("strong", {}, n.kind === "standard_missing" ? "未收录该标准" : "没有该条文"), el("div", {}, n.message),
    n.kind === "standard_missing" ? el("div", { class: "hint" }, "条文库收录的标准见页面下方列表。") : null);
}

async function run(section) {
  const q = $("#search-q", section).value.trim();
  const status = $("#search-status", section);
  const results = $("#search-results", section);
  $("#search-notice", section)?.remove();
  $("#search-others", section)?.remove();
  if (!q) { status.textContent = "请输入要检索的内容"; return; }
  status.textContent = "检索中…";
  try {
    const data = await api("/v1/search" + query({ q, k: 10, mandatory_only: $("#search-mandatory", section).checked || null,
      include_withdrawn: $("#search-withdrawn", section).checked || null }));
    fill(results, data.hits.map((h) => clauseCard(h, actions(h))));
    const n = data.notice;
    if (n) {
      status.textContent = "";
      section.insertBefore(lookupNotice(n), status);
      if (data.hits.length && n.others) section.insertBefore(el("h3", { class: "others", id: "search-others" }, n.others + "："), results);
      if (n.kind === "standard_missing") $("#library", section).open = true;
      return;
    }
    status.textContent = data.hits.length ? `找到 ${data.hits.length} 条` : "没有找到相关条文，换个说法试试，或到“问答”里提问。";
  } catch (e) { status.textContent = e.message; }
}

const KIND_ORDER = { standard: 0, guide: 1, tolerance: 2, faq: 3, case: 4 };
const KIND_NAME = { standard: "标准", guide: "指南", case: "案例", faq: "问答", tolerance: "允许偏差" };

/** 条文库收录的标准: code, title and status of every document searchable now (anyone may see it). */
async function loadLibrary(section) {
  const list = $("#library-list", section);
  try {
    const data = await api("/v1/documents");
    // Standards and guides first (what people look clauses up in), then tables, FAQ and cases.
    const docs = [...data.documents].sort((a, b) => (KIND_ORDER[a.kind] ?? 9) - (KIND_ORDER[b.kind] ?? 9));
    $("#library-count", section).textContent = `（${docs.length} 部）`;
    fill(list, docs.map((d) => el("li", { class: "lib-doc" },
      el("div", { class: "clause-head" }, el("span", { class: "clause-ref" }, d.code), statusBadge(d.status),
        d.kind !== "standard" ? el("span", { class: "badge kind" }, KIND_NAME[d.kind] || d.kind) : null),
      el("div", { class: "clause-title" }, `《${d.title}》 ${d.clauses} 条`),
      d.superseded_by ? el("div", { class: "hint" }, `已被 ${d.superseded_by} 替代`) : null)));
    list.dataset.loaded = "true";
  } catch (e) { fill(list, el("li", { class: "hint" }, e.message)); }
}

register({
  id: "search", title: "条文检索", tab: { label: "检索", icon: "search" },
  tabs: { anon: 1, contractor: 2, inspector: 4, expert: 2 },
  mount(section) {
    const form = el("form", { class: "searchbar", id: "search-form", role: "search", novalidate: true,
      onsubmit: (e) => { e.preventDefault(); run(section); } },
    el("input", { type: "search", id: "search-q", name: "q", placeholder: "问题、关键词或条文号，如 GB55032 3.3.5", autocomplete: "off",
      enterkeyhint: "search", maxlength: "200", "aria-label": "检索内容" }),
    el("button", { type: "submit", class: "btn primary" }, "检索"));
    const rerun = () => { if ($("#search-q", section).value.trim()) run(section); };
    fill(section, form,
      el("div", { class: "filters" },
        el("label", { class: "chk" }, el("input", { type: "checkbox", id: "search-mandatory", onchange: rerun }), "只看强制性条文"),
        el("label", { class: "chk" }, el("input", { type: "checkbox", id: "search-withdrawn", onchange: rerun }), "含已废止版本")),
      el("p", { class: "hint", id: "search-status" }, "可按条文号直接查条文，也可以用口语提问。"),
      el("ol", { class: "results", id: "search-results", "aria-live": "polite" }),
      el("details", { class: "library", id: "library" },
        el("summary", {}, "条文库收录的标准", el("span", { id: "library-count" }, "")),
        el("p", { class: "hint" }, "检索和问答只引用下列文件；未收录的标准请以正式文本为准。"),
        el("ol", { class: "lib-list", id: "library-list" })));
    loadLibrary(section);
  },
  show(section, arg) {
    if (!$("#library-list", section).dataset.loaded) loadLibrary(section);
    $("#search-hint-staff", section)?.remove();
    if (isStaff()) section.insertBefore(el("p", { class: "hint", id: "search-hint-staff" }, "点“插入通知单”把条文引用写进正在起草的整改通知单。"), $("#search-results", section));
    if (arg) { $("#search-q", section).value = arg; return run(section); }
  },
});
