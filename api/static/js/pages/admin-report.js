/* 报表 (admins, inspectors via the API): questions the library could not answer over a chosen period. */
import { api, query } from "../core/api.js";
import { $, addDays, el, fill, fmtTime, today } from "../core/dom.js";
import { register } from "../core/router.js";

let stationToday = "";

async function load(section) {
  const since = $("#rep-since", section).value, until = $("#rep-until", section).value;
  const out = $("#rep-out", section);
  if (since && until && since > until) { fill(out, el("p", { class: "result err" }, "起始日期不能晚于截止日期")); return; }
  fill(out, el("p", { class: "hint" }, "统计中…"));
  try {
    const r = await api("/v1/reports/unanswered" + query({ since, until, limit: 50 }));
    // The period is the station's (its time zone decides what "today" is), not this phone's.
    stationToday = stationToday || r.until;
    $("#rep-since", section).value = r.since;
    $("#rep-until", section).value = r.until;
    fill(out,
      el("div", { class: "stats" },
        el("div", { class: "stat" }, el("strong", {}, String(r.total_queries)), el("span", {}, "提问总数")),
        el("div", { class: "stat" }, el("strong", { id: "rep-unanswered" }, String(r.unanswered)), el("span", {}, "未能回答")),
        el("div", { class: "stat" }, el("strong", {}, `${Math.round(r.unanswered_rate * 100)}%`), el("span", {}, "未回答率")),
        el("div", { class: "stat" }, el("strong", {}, `${r.feedback_up}/${r.feedback_down}`), el("span", {}, "有用/没用"))),
      el("h2", {}, `未能回答的问题（${r.since} 至 ${r.until}）`),
      r.questions.length ? el("ol", { class: "list", id: "rep-questions" }, r.questions.map((q) => el("li", { class: "item" },
        el("div", { class: "top" }, el("strong", {}, q.question), el("span", { class: "badge" }, `${q.count} 次`)),
        q.variants.length ? el("div", { class: "sub" }, "相近问法：" + q.variants.join("；")) : null,
        el("div", { class: "sub" }, `最近一次 ${fmtTime(q.last_asked)}`)))) : el("p", { class: "hint" }, "这段时间没有未能回答的问题。"),
      r.uncertain_questions.length ? el("div", {}, el("h2", {}, `只给出了相近条文的问题（${r.uncertain} 次）`),
        el("p", { class: "hint" }, "回答列出了最接近的条文请用户核对：请看条文库是否缺少能直接回答的条文。"),
        el("ol", { class: "list", id: "rep-uncertain" }, r.uncertain_questions.map((q) => el("li", { class: "item" },
          el("div", { class: "top" }, el("strong", {}, q.question), el("span", { class: "badge" }, `${q.count} 次`)),
          q.variants.length ? el("div", { class: "sub" }, "相近问法：" + q.variants.join("；")) : null)))) : null,
      r.topics.length ? el("div", {}, el("h2", {}, "主题"), el("div", { class: "chips" }, r.topics.map((t) => el("span", { class: "badge kind" }, `${t.topic} ${t.count}`)))) : null,
      r.disliked.length ? el("div", {}, el("h2", {}, "被评为“没用”的回答"), el("ol", { class: "list" }, r.disliked.map((d) => el("li", { class: "item" },
        el("div", {}, d.question), el("div", { class: "sub" }, `没用 ${d.down} 次 · 引用 ${d.cited.join("、") || "无"}`),
        d.comments.length ? el("div", { class: "sub" }, "意见：" + d.comments.join("；")) : null)))) : null);
  } catch (e) { fill(out, el("p", { class: "result err" }, e.message)); }
}

register({
  id: "report", title: "未答问题报表", tab: { label: "报表", icon: "chart" }, roles: ["admin", "inspector"], tabs: { admin: 2 },
  mount(section) {
    const set = (days) => {
      const end = stationToday || today();
      $("#rep-until", section).value = end; $("#rep-since", section).value = addDays(end, -(days - 1)); load(section);
    };
    fill(section,
      el("form", { class: "card form", novalidate: true, onsubmit: (e) => { e.preventDefault(); load(section); } },
        el("div", { class: "row two" },
          el("label", { class: "field" }, el("span", { class: "label" }, "起始日期"), el("input", { type: "date", id: "rep-since" })),
          el("label", { class: "field" }, el("span", { class: "label" }, "截止日期"), el("input", { type: "date", id: "rep-until" }))),
        el("div", { class: "row" }, [7, 30, 90].map((d) => el("button", { type: "button", class: "btn small", onclick: () => set(d) }, `近${d}天`)),
          el("button", { type: "submit", class: "btn primary small" }, "统计"))),
      el("div", { id: "rep-out" }));
  },
  show(section) { return load(section); },
});
