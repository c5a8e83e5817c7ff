/* 信用: an enterprise's grade and supervision mode for anyone; staff and the firm itself see the score and
 * records, and staff also the firm's open rectification notices. */
import { api, query } from "../core/api.js";
import { $, el, fill, kv, statusBadge } from "../core/dom.js";
import { go, register } from "../core/router.js";
import { isStaff, session } from "../core/session.js";

async function openNotices(enterpriseId) {
  const rows = await api("/v1/rectifications" + query({ open_only: true }));
  const mine = rows.filter((n) => n.responsible_enterprise_id === enterpriseId);
  return el("div", { class: "card" }, el("h3", {}, `未销项整改通知单（${mine.length}）`),
    mine.length ? el("ol", { class: "list" }, mine.map((n) => el("li", { class: "item" },
      el("button", { type: "button", class: "open", onclick: () => go("notices", n.notice_no) },
        el("div", { class: "top" }, el("span", { class: "no" }, n.notice_no), statusBadge(n.status, n.status_label)),
        el("div", {}, n.problem), el("div", { class: "sub" }, `${n.project_name} · 期限 ${n.deadline}${n.overdue ? "（已逾期）" : ""}`)))))
      : el("p", { class: "hint" }, "没有未销项的整改通知单。"));
}

/** The record a credit entry came from: a notice (ZG…) or an inspection record (JC…), else just its number. */
function docLink(no) {
  if (!no) return null;
  const target = /^ZG/.test(no) ? "notices" : /^JC/.test(no) ? "inspect" : null;
  return target && session.me.authenticated ? el("button", { type: "button", class: "btn small", onclick: () => go(target, no) }, `依据 ${no} ›`)
    : el("div", { class: "sub" }, `依据 ${no}`);
}

async function pendingDrafts(name) {
  try {
    const rows = await api("/v1/credit/drafts" + query({ status: "pending", enterprise: name }));
    if (!rows.length) return null;
    return el("div", { class: "card", id: "credit-pending" }, el("h3", {}, `待确认的信用记录草稿（${rows.length}）`),
      el("p", { class: "hint" }, "确认后才计入信用分。"),
      el("ol", { class: "history" }, rows.map((d) => el("li", {}, `${d.event_label}：${d.kind_label} ${d.kind === "good" ? "+" : "−"}${d.points}　${d.source_no}`))),
      el("button", { type: "button", class: "btn small primary", onclick: () => go("drafts") }, "去确认"));
  } catch (e) { return null; }
}

async function lookup(section) {
  const q = $("#credit-q", section).value.trim();
  const out = $("#credit-result", section);
  if (!q) { fill(out, el("p", { class: "result err" }, "请输入企业名称或统一社会信用代码")); return; }
  fill(out, el("p", { class: "hint" }, "查询中…"));
  try {
    const c = await api("/v1/credit" + query({ q }));
    const card = el("div", { class: "card" },
      el("div", { class: "grade" }, el("div", { class: "letter g-" + c.grade, "aria-label": "信用等级" }, c.grade),
        el("div", {}, el("strong", {}, c.enterprise_name), el("div", { class: "sub" }, c.uscc))),
      kv([["监管方式", c.mode], ["双随机抽查比例", `${c.check_ratio_min}%–${c.check_ratio_max}%`], ["计算日期", c.as_of],
        ["信用分", c.view === "full" ? `${c.score}（基础 ${c.base}，良好 +${c.good_points_counted}，不良 ${c.bad_points}）` : ""]]),
      c.matched_by === "fuzzy" && c.match_score < 100 ? el("p", { class: "hint" }, `按近似名称匹配（相似度 ${Math.round(c.match_score)}），请核对企业名称。`) : null);
    if (c.view === "full") {
      card.append(el("p", { class: "score-why", id: "score-why" }, `信用分 ${c.score} = 基础分 ${c.base}`,
        c.good_points_counted ? ` + 良好记录 ${c.good_points_counted}` : "", c.bad_points ? ` − 不良记录 ${Math.abs(c.bad_points)}` : "",
        c.good_points > c.good_points_counted ? `（良好记录共 ${c.good_points} 分，按上限计入 ${c.good_points_counted}）` : ""));
    }
    if (c.view === "full" && c.records && c.records.length) {
      card.append(el("h3", {}, "影响信用分的记录"), el("ol", { class: "list records", id: "credit-records" }, c.records.map((r) =>
        el("li", { class: "record" + (r.counted ? "" : " not-counted"), "data-document": r.document_no || "" },
          el("div", { class: "top" }, el("strong", { class: "points " + (r.points > 0 ? "good" : "bad") }, `${r.kind_label} ${r.points > 0 ? "+" : ""}${r.points} 分`),
            el("span", { class: "badge " + (r.counted ? "st-scheduled" : "st-closed") }, r.counted ? "计入" : r.status_label)),
          el("div", {}, r.reason),
          el("div", { class: "sub" }, `${r.recorded_on} 至 ${r.expires_on}`),
          docLink(r.document_no)))));
    }
    fill(out, card, isStaff() ? await pendingDrafts(c.enterprise_name) : null, isStaff() ? await openNotices(c.enterprise_id) : null);
  } catch (e) { fill(out, el("p", { class: "result err" }, e.message)); }
}

register({
  id: "credit", title: "企业信用", tab: { label: "信用", icon: "building" },
  tabs: { anon: 3, inspector: 5, expert: 4 },
  mount(section) {
    fill(section,
      el("form", { class: "searchbar", id: "credit-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); lookup(section); } },
        el("input", { type: "search", id: "credit-q", placeholder: "企业名称或18位统一社会信用代码", maxlength: "200", enterkeyhint: "search", "aria-label": "企业" }),
        el("button", { type: "submit", class: "btn primary" }, "查询")),
      el("div", { id: "credit-result", "aria-live": "polite" }));
  },
  show(section, arg) { if (arg) { $("#credit-q", section).value = arg; lookup(section); } },
});
