/* 检索: clause search for everyone; staff can insert a clause into the notice they are writing with one tap. */
import { api, query } from "../core/api.js";
import { clauseCard, citationOf } from "../core/clauses.js";
import { $, el, fill } from "../core/dom.js";
import { insertCitation } from "../core/drafts.js";
import { register, go } from "../core/router.js";
import { isStaff } from "../core/session.js";
import { toast } from "../core/ui.js";

async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) { await navigator.clipboard.writeText(text); return true; }
  } catch (e) { /* fall back below */ }
  const ta = el("textarea", { readonly: true, class: "offscreen" });
  ta.value = text; document.body.append(ta); ta.select();
  let ok = false;
  try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
  ta.remove();
  return ok;
}

function actions(h) {
  const out = [el("button", { type: "button", class: "btn small copy", onclick: async () => {
    const ok = await copyText(`${citationOf(h)}：${h.text}`);
    toast(ok ? "已复制引用：" + citationOf(h) : "复制失败，请长按文字手动复制");
  } }, "复制引用")];
  if (isStaff()) {
    out.push(el("button", { type: "button", class: "btn small primary insert", onclick: () => {
      insertCitation(h, citationOf(h));
      toast("已插入整改通知单：" + citationOf(h));
      go("notices", "new");
    } }, "插入通知单"));
  }
  return out;
}

async function run(section) {
  const q = $("#search-q", section).value.trim();
  const status = $("#search-status", section);
  if (!q) { status.textContent = "请输入要检索的内容"; return; }
  status.textContent = "检索中…";
  try {
    const data = await api("/v1/search" + query({ q, k: 10, mandatory_only: $("#search-mandatory", section).checked || null,
      include_withdrawn: $("#search-withdrawn", section).checked || null }));
    fill($("#search-results", section), data.hits.map((h) => clauseCard(h, actions(h))));
    status.textContent = data.hits.length ? `找到 ${data.hits.length} 条` : "没有找到相关条文，换个说法试试，或到“问答”里提问。";
  } catch (e) { status.textContent = e.message; }
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
      el("ol", { class: "results", id: "search-results", "aria-live": "polite" }));
  },
  show(section, arg) {
    $("#search-hint-staff", section)?.remove();
    if (isStaff()) section.insertBefore(el("p", { class: "hint", id: "search-hint-staff" }, "点“插入通知单”把条文引用写进正在起草的整改通知单。"), $("#search-results", section));
    if (arg) { $("#search-q", section).value = arg; return run(section); }
  },
});
