/* How a clause is shown everywhere: its reference, badges (强制性, status, kind), text and commentary. */
import { el } from "./dom.js";

const STATUS_CLASS = { "现行": "current", "废止": "withdrawn", "即将实施": "upcoming" };
const KIND_LABEL = { commentary: "条文说明", case: "案例", faq: "问答" };

/* The same forms as assistant/views.py cite(): an edition in force, or a clause reworded by a revision notice. */
function codePart(c) {
  return c.code + (c.edition ? `（${c.edition}）` : c.revision ? "（经局部修订）" : " ");
}

export function citationOf(c) {
  if (c.kind === "case" || c.kind === "faq") return `《${c.title}》${c.clause_no}`;
  return `《${c.title}》${codePart(c)}第${c.clause_no}条`;
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
  const ref = (h.kind === "case" || h.kind === "faq") ? `${h.code} ${h.clause_no}` : `${codePart(h)}第${h.clause_no}条`;
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
