/* Picking the clause a finding cites: search the library, tap 选用 on a hit. What is kept is the standard's code
 * and the clause number of a real hit (never typed text), so the server can check the clause exists. */
import { api, query } from "./api.js";
import { clauseCard, refWithoutTitle } from "./clauses.js";
import { el, fill } from "./dom.js";

/** A search box with results; ``value()`` is {code, clause_no, title} of the chosen clause or null. */
export function clausePicker({ id = "clause-pick", label = "引用条文（从检索结果中选用）" } = {}) {
  let chosen = null;
  const q = el("input", { type: "search", id: id + "-q", maxlength: "200", enterkeyhint: "search", autocomplete: "off",
    placeholder: "输入问题关键词检索条文，如 垫块 碎砖", "aria-label": "检索条文" });
  const status = el("p", { class: "hint", id: id + "-status", "aria-live": "polite" });
  const results = el("ol", { class: "results pick-results", id: id + "-results" });
  const shown = el("div", { class: "chosen-clause", id: id + "-chosen", hidden: true });
  const err = el("small", { class: "field-error", "aria-live": "polite" });

  const choose = (h) => {
    chosen = { code: h.code, clause_no: h.clause_no, title: h.title };
    fill(shown, el("span", { class: "clause-ref" }, refWithoutTitle(h)), el("span", { class: "sub" }, `《${h.title}》`),
      el("button", { type: "button", class: "btn small", onclick: () => { chosen = null; shown.hidden = true; q.focus(); } }, "重选"));
    shown.hidden = false;
    fill(results);
    fill(status);
    err.textContent = "";
    box.classList.remove("invalid");
  };
  const run = async () => {
    const text = q.value.trim();
    if (!text) { status.textContent = "请输入要检索的内容"; return; }
    status.textContent = "检索中…";
    try {
      const data = await api("/v1/search" + query({ q: text, k: 8 }));
      const hits = data.hits.filter((h) => h.kind !== "case" && h.kind !== "faq" && h.kind !== "commentary");
      fill(results, hits.map((h) => clauseCard(h, [el("button", { type: "button", class: "btn small primary use-clause",
        onclick: () => choose(h) }, "选用此条")])));
      status.textContent = hits.length ? `找到 ${hits.length} 条，点“选用此条”引用` : "没有找到条文，换个关键词试试";
    } catch (e) { status.textContent = e.message; }
  };
  q.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); run(); } });
  const box = el("div", { class: "field clause-picker" }, el("span", { class: "label" }, label), shown,
    el("div", { class: "searchbar" }, q, el("button", { type: "button", class: "btn", id: id + "-go", onclick: run }, "检索")),
    err, status, results);
  return {
    node: box,
    value: () => chosen,
    /** Show "please pick" beside the picker when nothing is chosen; true when a clause is chosen. */
    require: () => {
      if (chosen) return true;
      err.textContent = "请检索并选用一条条文（不能手填）";
      box.classList.add("invalid");
      q.focus();
      return false;
    },
    reset: () => { chosen = null; shown.hidden = true; q.value = ""; fill(results); fill(status); },
  };
}
