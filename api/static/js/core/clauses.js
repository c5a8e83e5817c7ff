/* How a clause is shown everywhere: its reference, badges (强制性, status, kind), text and commentary. */
import { el } from "./dom.js";

const STATUS_CLASS = { "现行": "current", "废止": "withdrawn", "即将实施": "upcoming" };
const KIND_LABEL = { commentary: "条文说明", case: "案例", faq: "问答" };

/* The server formats every citation (corpus/citation.py cite()); the page never builds one itself. */
export function citationOf(c) {
  return c.citation;
}

/** The citation's head for a card whose title is shown on the next line: "GB 55032-2022 第3.3.5条". */
export function refWithoutTitle(c) {
  return c.citation.replace(`《${c.title}》`, "").trim();
}

export function statusBadge(status) { return el("span", { class: "badge " + (STATUS_CLASS[status] || "current") }, status || "现行"); }

export function badges(c) {
  return [
    c.mandatory ? el("span", { class: "badge mandatory", title: "强制性条文，必须严格执行" }, "强制性") : null,
    statusBadge(c.status),
    KIND_LABEL[c.kind] ? el("span", { class: "badge kind" }, KIND_LABEL[c.kind]) : null,
  ];
}

/** One hit as a card; ``actions`` are extra buttons (copy, insert into a notice). */
export function clauseCard(h, actions = []) {
  const ref = refWithoutTitle(h);
  return el("li", { class: "clause" },
    el("div", { class: "clause-head" }, el("span", { class: "clause-ref" }, ref), badges(h)),
    el("div", { class: "clause-title" }, `《${h.title}》` + (h.clause_title ? ` · ${h.clause_title}` : "")),
    h.superseded_by ? el("div", { class: "hint" }, `已被 ${h.superseded_by} 替代`) : null,
    h.revision ? el("div", { class: "hint" }, `经 ${h.revision} 修订，以下为现行文本`) : null,
    el("div", { class: "clause-text" }, h.text),
    h.commentary ? el("details", { class: "commentary" }, el("summary", {}, "条文说明"), el("div", {}, h.commentary)) : null,
    actions.length ? el("div", { class: "clause-actions" }, actions) : null,
  );
}

/** Copy ``text`` to the clipboard (the old way on plain-http pages, where navigator.clipboard is missing). */
export async function copyText(text) {
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

/** 复制引用: copies "《title》CODE 第X条：text", as written in a rectification notice; ``done`` gets the message. */
export function copyButton(c, done) {
  return el("button", { type: "button", class: "btn small copy", onclick: async () => {
    const ok = await copyText(`${citationOf(c)}：${c.text}`);
    done(ok ? "已复制引用：" + citationOf(c) : "复制失败，请长按文字手动复制");
  } }, "复制引用");
}

// A quantity a clause requires: an optional comparison, a number or range, a unit (7d, 14 天, 1.5 m, ≥ 95 %, 5～10mm),
// or a concrete / mortar grade (C30, M7.5). Units are whole words: "m" never matches inside "mm" or "MPa".
const UNIT = "(?:MPa|kPa|kN|N\\/mm²|N\\/mm2|mm²|mm|cm|km|m²|m³|m2|m3|m|d|h|min|%|‰|℃|°C|小时|分钟|天|周|个月|米|毫米|厘米|倍|度)";
const NUM = "\\d+(?:\\.\\d+)?";
const QUANTITY = new RegExp(
  `(?:[≥≤＞＜><±]\\s*)?${NUM}(?:\\s*[~～\\-–]\\s*${NUM})?\\s*${UNIT}(?![A-Za-z\\d])|(?<![A-Za-z])[CM]\\d{2}(?:\\.\\d)?(?![\\d.])|(?<![A-Za-z])M\\d(?:\\.\\d)?(?![\\d.])`,
  "g");

function bigrams(text) {
  const han = String(text).match(/[\u4e00-\u9fff]+/g) || [];
  const out = new Set();
  for (const run of han) for (let i = 0; i + 1 < run.length; i++) out.add(run.slice(i, i + 2));
  return out;
}

/** ``text`` as nodes with its required quantities in <mark> (text nodes only: never HTML).
 *
 * With a ``question``, only the quantities of the items or sentences that share most words with it are
 * marked (保护层厚度 in a clause listing five tolerances); when none shares a word, all are. */
export function markQuantities(text, question = "") {
  text = String(text);
  // Items ("2 纵向受力钢筋…") and sentences: each keeps its delimiter, so the pieces rebuild the text exactly.
  const pieces = text.match(/[^\n；;。]*(?:[\n；;。]|$)/g).filter((x) => x);
  const asked = bigrams(question);
  const scores = pieces.map((x) => {
    if (!asked.size || !x.match(QUANTITY)) return 0;
    let n = 0;
    for (const b of bigrams(x)) if (asked.has(b)) n++;
    return n;
  });
  const best = Math.max(0, ...scores);
  const out = [];
  pieces.forEach((x, i) => {
    if (best > 0 && scores[i] < best) { out.push(document.createTextNode(x)); return; }
    let last = 0;
    for (const m of x.matchAll(QUANTITY)) {
      if (m.index > last) out.push(document.createTextNode(x.slice(last, m.index)));
      out.push(el("mark", {}, m[0]));
      last = m.index + m[0].length;
    }
    if (last < x.length) out.push(document.createTextNode(x.slice(last)));
  });
  return out;
}
