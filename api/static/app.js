/* 质监助手 web page: plain JavaScript, no build step, nothing loaded from elsewhere.
 * Every text from the server is inserted as text (never as HTML). */
"use strict";

const TOKEN_KEY = "zhijian.token";
const CONV_KEY = "zhijian.conversation";
const state = { me: null, meta: null, projects: null, view: "search" };

// ---------------------------------------------------------------- helpers
function $(sel) { return document.querySelector(sel); }
function $$(sel) { return Array.from(document.querySelectorAll(sel)); }

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function token() { return localStorage.getItem(TOKEN_KEY) || ""; }

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || "请求失败，请稍后重试");
    this.status = status; this.body = body || {};
  }
}

async function api(path, { method = "GET", body, auth = true } = {}) {
  const headers = { "X-Zhijian-Client": "web", "Accept": "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (auth && token()) headers["Authorization"] = "Bearer " + token();
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, { detail: "网络不通，请检查网络后重试" });
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (!res.ok) throw new ApiError(res.status, data || { detail: `请求失败（${res.status}）` });
  return data;
}

let toastTimer = null;
function toast(msg) {
  const t = $("#toast");
  t.textContent = msg; t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 2600);
}

function showResult(node, ok, ...content) {
  node.className = "result " + (ok ? "ok" : "err");
  node.replaceChildren(...content);
}

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

function fmtDate(iso) { return iso ? String(iso).slice(0, 10) : ""; }
function fmtTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (isNaN(d)) return iso;
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
const WEEK = "日一二三四五六";
function weekday(iso) { const d = new Date(iso + "T00:00:00"); return isNaN(d) ? "" : "周" + WEEK[d.getDay()]; }

// ---------------------------------------------------------------- clause rendering
const STATUS_CLASS = { "现行": "current", "废止": "withdrawn", "即将实施": "upcoming" };
const KIND_LABEL = { commentary: "条文说明", case: "案例", faq: "问答" };

function citationOf(c) {
  if (c.kind === "case" || c.kind === "faq") return `《${c.title}》${c.clause_no}`;
  return `《${c.title}》${c.code} 第${c.clause_no}条`;
}

function badges(c) {
  return [
    c.mandatory ? el("span", { class: "badge mandatory", title: "强制性条文，必须严格执行" }, "强制性") : null,
    el("span", { class: "badge " + (STATUS_CLASS[c.status] || "current") }, c.status || "现行"),
    KIND_LABEL[c.kind] ? el("span", { class: "badge kind" }, KIND_LABEL[c.kind]) : null,
  ];
}

function clauseCard(h) {
  const ref = (h.kind === "case" || h.kind === "faq") ? `${h.code} ${h.clause_no}` : `${h.code} 第${h.clause_no}条`;
  const copyBtn = el("button", {
    type: "button", class: "btn small copy",
    onclick: async () => {
      const ok = await copyText(`${citationOf(h)}：${h.text}`);
      toast(ok ? "已复制引用：" + citationOf(h) : "复制失败，请长按文字手动复制");
    },
  }, "复制引用");
  return el("li", { class: "clause" },
    el("div", { class: "clause-head" }, el("span", { class: "clause-ref" }, ref), badges(h)),
    el("div", { class: "clause-title" }, `《${h.title}》` + (h.clause_title ? ` · ${h.clause_title}` : "")),
    h.superseded_by ? el("div", { class: "hint" }, `已被 ${h.superseded_by} 替代`) : null,
    el("div", { class: "clause-text" }, h.text),
    h.commentary ? el("details", { class: "commentary" }, el("summary", {}, "条文说明"), el("div", {}, h.commentary)) : null,
    el("div", { class: "clause-actions" }, copyBtn),
  );
}

// ---------------------------------------------------------------- navigation
function go(view, seg) {
  if (!document.getElementById("view-" + view)) view = "search";
  state.view = view;
  $$(".view").forEach((v) => { v.hidden = v.id !== "view-" + view; });
  $$(".tab").forEach((t) => t.classList.toggle("active", t.dataset.go === view || (view === "visit" && t.dataset.go === "me")));
  if (location.hash !== "#" + view) history.replaceState(null, "", "#" + view);
  document.title = (document.getElementById("view-" + view).dataset.title || "") + " · 质监助手";
  if (view === "book") { enterBook(seg); }
  if (view === "visit") { enterVisit(); }
  if (view === "me") { renderMe(); }
  window.scrollTo(0, 0);
}

function requireLogin(section) {
  const need = !state.me || !state.me.authenticated;
  section.querySelectorAll(".need-login").forEach((n) => { n.hidden = !need; });
  return !need;
}

// ---------------------------------------------------------------- search
async function doSearch(ev) {
  if (ev) ev.preventDefault();
  const q = $("#search-q").value.trim();
  if (!q) return;
  const params = new URLSearchParams({ q, k: "10" });
  if ($("#search-mandatory").checked) params.set("mandatory_only", "true");
  if ($("#search-withdrawn").checked) params.set("include_withdrawn", "true");
  const status = $("#search-status");
  status.textContent = "检索中…";
  try {
    const data = await api("/v1/search?" + params.toString());
    const list = $("#search-results");
    list.replaceChildren(...data.hits.map(clauseCard));
    status.textContent = data.hits.length ? `找到 ${data.hits.length} 条` : "没有找到相关条文，换个说法试试，或到“问答”里提问。";
  } catch (e) {
    status.textContent = e.message;
  }
}

// ---------------------------------------------------------------- ask / chat
function chatLog() { return $("#chat-log"); }
function scrollChat() { window.scrollTo(0, document.body.scrollHeight); }

function addUser(text) { chatLog().append(el("div", { class: "msg user" }, text)); scrollChat(); }

function votes(queryId) {
  const box = el("div", { class: "votes" });
  const send = async (vote, btn) => {
    try {
      await api("/v1/feedback", { method: "POST", body: { query_id: queryId, vote } });
      box.querySelectorAll(".vote").forEach((b) => b.classList.remove("chosen"));
      btn.classList.add("chosen");
      toast(vote === "up" ? "感谢您的肯定" : "感谢反馈，我们会改进");
    } catch (e) { toast(e.message); }
  };
  const up = el("button", { type: "button", class: "btn small vote", "data-vote": "up", "aria-label": "有用" }, "👍 有用");
  const down = el("button", { type: "button", class: "btn small vote", "data-vote": "down", "aria-label": "没用" }, "👎 没用");
  up.addEventListener("click", () => send("up", up));
  down.addEventListener("click", () => send("down", down));
  box.append(up, down);
  return box;
}

function citeBlock(c) {
  return el("div", { class: "cite" },
    el("div", { class: "clause-head" }, el("span", { class: "clause-ref" }, citationOf(c)), badges(c)),
    el("div", { class: "clause-text" }, c.text));
}

function addBot(r) {
  const grounded = r.grounded !== false;
  const msg = el("div", { class: "msg bot" + (r.grounded === false ? " refusal" : "") }, r.text);
  const cites = (r.citations || []);
  if (cites.length) msg.append(el("div", { class: "cites" }, cites.map(citeBlock)));
  const choices = (r.choices || []).filter((c) => c.action !== "feedback");
  if (choices.length) {
    msg.append(el("div", { class: "choices" }, choices.map((c) =>
      el("button", { type: "button", class: "btn small", onclick: () => sendChat(c.value, c.label) }, c.label))));
  }
  if (r.grounded === false) {
    msg.append(el("div", { class: "choices" },
      el("button", { type: "button", class: "btn small", onclick: () => go("visit") }, "申请服务团上门服务")));
  }
  if (r.query_id) msg.append(votes(r.query_id));
  msg.dataset.grounded = String(grounded);
  chatLog().append(msg);
  scrollChat();
}

async function sendChat(text, shown) {
  addUser(shown || text);
  const typing = el("div", { class: "msg bot typing" }, "正在查找条文…");
  chatLog().append(typing); scrollChat();
  const btn = $("#ask-send");
  btn.disabled = true;
  try {
    if (token()) {
      const body = { text };
      const conv = sessionStorage.getItem(CONV_KEY);
      if (conv) body.conversation_id = conv;
      const data = await api("/v1/chat", { method: "POST", body });
      sessionStorage.setItem(CONV_KEY, data.conversation_id);
      typing.remove();
      addBot(data.reply);
    } else {
      const data = await api("/v1/ask", { method: "POST", body: { question: text } });
      typing.remove();
      addBot({ text: data.answer, grounded: data.grounded, citations: data.citations, query_id: data.query_id });
    }
  } catch (e) {
    typing.remove();
    chatLog().append(el("div", { class: "msg bot refusal" }, e.message));
  } finally {
    btn.disabled = false;
  }
}

function onAsk(ev) {
  ev.preventDefault();
  const box = $("#ask-q");
  const text = box.value.trim();
  if (!text) return;
  box.value = "";
  sendChat(text);
}

// ---------------------------------------------------------------- bookings
async function loadMeta() {
  if (!state.meta) state.meta = await api("/v1/meta", { auth: false });
  return state.meta;
}

async function loadProjects() {
  if (!state.projects) state.projects = await api("/v1/projects");
  return state.projects;
}

function fillSelect(select, options, placeholder) {
  select.replaceChildren(
    placeholder ? el("option", { value: "" }, placeholder) : null,
    ...options.map(([value, label]) => el("option", { value: String(value) }, label)));
}

function enterBook(seg) {
  const section = $("#view-book");
  if (seg) setSeg(seg);
  const ok = requireLogin(section);
  const cur = currentSeg();
  section.querySelectorAll("[data-seg-panel]").forEach((p) => { p.hidden = !ok || p.dataset.segPanel !== cur; });
  if (!ok) return;
  if (cur === "book-mine") loadMine(); else prepareBookForm();
}

function currentSeg() { const a = $(".seg.active"); return a ? a.dataset.seg : "book-new"; }

function setSeg(seg) {
  $$(".seg").forEach((b) => { const on = b.dataset.seg === seg; b.classList.toggle("active", on); b.setAttribute("aria-selected", String(on)); });
  $$("#view-book [data-seg-panel]").forEach((p) => { p.hidden = p.dataset.segPanel !== seg; });
}

async function prepareBookForm() {
  try {
    const [meta, projects] = await Promise.all([loadMeta(), loadProjects()]);
    const projSel = $("#book-project");
    if (!projSel.options.length) {
      fillSelect(projSel, projects.filter((p) => p.status === "under_supervision")
        .map((p) => [p.id, `${p.name}（${p.supervision_no || p.permit_no || ""}）`]), "请选择工程");
      fillSelect($("#book-milestone"), meta.milestones.map((m) => [m, `${m}（提前${meta.lead_days[m]}个工作日）`]), "请选择事项");
    }
    if (state.me && !$("#book-contact").value) $("#book-contact").value = state.me.name || "";
  } catch (e) { toast(e.message); }
}

async function updateWindow() {
  const project = $("#book-project").value, milestone = $("#book-milestone").value;
  const box = $("#book-window");
  if (!project || !milestone) { box.replaceChildren(); return; }
  box.replaceChildren("正在计算最早可约日期…");
  try {
    const w = await api(`/v1/bookings/window?project=${encodeURIComponent(project)}&milestone=${encodeURIComponent(milestone)}`);
    const date = $("#book-date");
    date.min = w.earliest;
    if (!date.value || date.value < w.earliest) date.value = (w.days.find((d) => d.free > 0) || { day: w.earliest }).day;
    box.replaceChildren(
      el("div", {}, "最早可约：", el("span", { class: "earliest", id: "book-earliest" }, `${w.earliest}（${weekday(w.earliest)}）`)),
      el("div", { class: "hint" }, `${w.milestone}须提前${w.lead_days}个工作日预约 · ${w.team_name}`),
      el("div", { class: "days" }, w.days.map((d) => el("button", {
        type: "button", class: "day" + (d.free > 0 ? "" : " full"), disabled: d.free > 0 ? null : true,
        onclick: () => { date.value = d.day; },
      }, `${d.day.slice(5)} ${weekday(d.day)} 余${d.free}`))),
      ...(w.notices || []).map((n) => el("div", { class: "hint" }, n)),
    );
  } catch (e) {
    box.replaceChildren(el("span", {}, e.message));
  }
}

async function submitBooking(ev) {
  ev.preventDefault();
  const out = $("#book-result");
  const body = {
    project: Number($("#book-project").value), milestone: $("#book-milestone").value,
    requested_date: $("#book-date").value, contact_name: $("#book-contact").value.trim(),
    contact_phone: $("#book-phone").value.trim(), note: $("#book-note").value.trim(),
  };
  try {
    const b = await api("/v1/bookings", { method: "POST", body });
    showResult(out, true, el("div", {}, `预约已提交，编号 `, el("strong", { id: "booking-no" }, b.booking_no)),
      el("div", {}, `${b.project_name} · ${b.milestone} · ${b.inspection_date}（${b.status_label}）`),
      el("button", { type: "button", class: "btn small", onclick: () => { setSeg("book-mine"); loadMine(); } }, "查看我的预约"));
    toast("预约已提交");
  } catch (e) {
    const extra = (e.body && e.body.alternatives) ? `可选日期：${e.body.alternatives.join("、")}` : "";
    showResult(out, false, el("div", {}, e.message), extra ? el("div", {}, extra) : null);
  }
}

function statusBadge(code, label) { return el("span", { class: "badge st-" + code }, label); }

async function loadMine() {
  const list = $("#mine-list");
  $("#mine-detail").hidden = true;
  list.replaceChildren(el("li", { class: "hint" }, "加载中…"));
  try {
    const rows = await api("/v1/bookings");
    if (!rows.length) { list.replaceChildren(el("li", { class: "hint" }, "还没有预约。")); return; }
    rows.sort((a, b) => (b.created_at || "").localeCompare(a.created_at || ""));
    list.replaceChildren(...rows.map((b) => el("li", { class: "item", "data-booking": b.booking_no },
      el("button", { type: "button", class: "open", onclick: () => showBooking(b.booking_no) },
        el("div", { class: "top" }, el("span", { class: "no" }, b.booking_no), statusBadge(b.status, b.status_label)),
        el("div", {}, `${b.milestone} · ${b.inspection_date}（${weekday(fmtDate(b.inspection_date))}）` +
          (b.scheduled_time ? ` ${b.scheduled_time.slice(0, 5)}` : "")),
        el("div", { class: "sub" }, b.project_name)))));
  } catch (e) { list.replaceChildren(el("li", { class: "hint" }, e.message)); }
}

async function showBooking(no) {
  const box = $("#mine-detail");
  try {
    const b = await api("/v1/bookings/" + encodeURIComponent(no));
    const canCancel = ["submitted", "accepted", "scheduled"].includes(b.status);
    box.replaceChildren(
      el("div", { class: "top row-between" }, el("strong", {}, `预约 ${b.booking_no}`), statusBadge(b.status, b.status_label)),
      el("dl", { class: "kv" },
        el("dt", {}, "工程"), el("dd", {}, b.project_name),
        el("dt", {}, "事项"), el("dd", {}, b.milestone),
        el("dt", {}, "监督日期"), el("dd", {}, `${b.inspection_date} ${b.scheduled_time ? b.scheduled_time.slice(0, 5) : ""}`),
        el("dt", {}, "监督组"), el("dd", {}, b.team_name),
        el("dt", {}, "监督员"), el("dd", {}, b.inspectors.join("、") || "待指派"),
        el("dt", {}, "联系人"), el("dd", {}, `${b.contact_name} ${b.contact_phone}`),
        b.status_reason ? el("dt", {}, "说明") : null, b.status_reason ? el("dd", {}, b.status_reason) : null,
        b.result ? el("dt", {}, "结论") : null, b.result ? el("dd", {}, b.result) : null),
      el("ol", { class: "history" }, (b.history || []).map((h) =>
        el("li", {}, `${fmtTime(h.at)} ${h.actor_name} ${h.action_label}` + (h.to_label ? `（${h.to_label}）` : "")))),
      canCancel ? el("button", { type: "button", class: "btn danger small", onclick: () => cancelBooking(b.booking_no) }, "取消预约") : null,
    );
    box.hidden = false;
    box.scrollIntoView({ behavior: "smooth", block: "start" });
  } catch (e) { toast(e.message); }
}

async function cancelBooking(no) {
  const reason = window.prompt("请填写取消原因", "现场条件未具备");
  if (!reason) return;
  try {
    await api(`/v1/bookings/${encodeURIComponent(no)}/cancel`, { method: "POST", body: { reason } });
    toast("预约已取消");
    loadMine();
  } catch (e) { toast(e.message); }
}

// ---------------------------------------------------------------- credit
async function doCredit(ev) {
  ev.preventDefault();
  const q = $("#credit-q").value.trim();
  const out = $("#credit-result");
  if (!q) return;
  out.replaceChildren(el("p", { class: "hint" }, "查询中…"));
  try {
    const c = await api("/v1/credit?q=" + encodeURIComponent(q));
    const card = el("div", { class: "card" },
      el("div", { class: "grade" }, el("div", { class: "letter g-" + c.grade, "aria-label": "信用等级" }, c.grade),
        el("div", {}, el("strong", {}, c.enterprise_name), el("div", { class: "sub" }, c.uscc))),
      el("dl", { class: "kv" },
        el("dt", {}, "监管方式"), el("dd", {}, c.mode),
        el("dt", {}, "双随机抽查比例"), el("dd", {}, `${c.check_ratio_min}%–${c.check_ratio_max}%`),
        el("dt", {}, "计算日期"), el("dd", {}, c.as_of),
        c.view === "full" ? el("dt", {}, "信用分") : null,
        c.view === "full" ? el("dd", {}, `${c.score}（基础 ${c.base}，良好 +${c.good_points_counted}，不良 ${c.bad_points}）`) : null),
      c.matched_by === "fuzzy" && c.match_score < 100 ? el("p", { class: "hint" }, `按近似名称匹配（相似度 ${Math.round(c.match_score)}），请核对企业名称。`) : null,
    );
    if (c.view === "full" && c.records && c.records.length) {
      card.append(el("ol", { class: "history" }, c.records.map((r) =>
        el("li", {}, `[${r.status_label}] ${r.kind_label} ${r.points > 0 ? "+" : ""}${r.points} ${r.recorded_on}～${r.expires_on} ${r.reason}`))));
    }
    out.replaceChildren(card);
  } catch (e) { out.replaceChildren(el("p", { class: "result err" }, e.message)); }
}

// ---------------------------------------------------------------- visits
async function enterVisit() {
  const section = $("#view-visit");
  const ok = requireLogin(section);
  $("#visit-form").hidden = !ok;
  if (!ok) { $("#visit-list").replaceChildren(); return; }
  try {
    const [meta, projects] = await Promise.all([loadMeta(), loadProjects()]);
    if (!$("#visit-topic").options.length) {
      fillSelect($("#visit-topic"), meta.visit_topics.map((t) => [t, t]), "请选择");
      fillSelect($("#visit-project"), projects.map((p) => [p.id, p.name]), "不涉及具体工程");
    }
    if (state.me && !$("#visit-contact").value) $("#visit-contact").value = state.me.name || "";
    const rows = await api("/v1/visits");
    $("#visit-list").replaceChildren(...(rows.length ? rows.map((v) => el("li", { class: "item" },
      el("div", { class: "top" }, el("span", { class: "no" }, v.visit_no), statusBadge(v.status, v.status_label)),
      el("div", {}, `${v.topic}` + (v.planned_date ? ` · 计划 ${v.planned_date}` : "")),
      el("div", { class: "sub" }, v.description))) : [el("li", { class: "hint" }, "还没有服务申请。")]));
  } catch (e) { toast(e.message); }
}

async function submitVisit(ev) {
  ev.preventDefault();
  const out = $("#visit-result");
  const project = $("#visit-project").value;
  const date = $("#visit-date").value;
  const body = {
    topic: $("#visit-topic").value, description: $("#visit-desc").value.trim(),
    contact_name: $("#visit-contact").value.trim(), contact_phone: $("#visit-phone").value.trim(),
    project: project ? Number(project) : null, preferred_dates: date ? [date] : [],
  };
  try {
    const v = await api("/v1/visits", { method: "POST", body });
    showResult(out, true, `申请已提交，编号 ${v.visit_no}。服务团会尽快与您联系。`);
    enterVisit();
  } catch (e) { showResult(out, false, e.message); }
}

// ---------------------------------------------------------------- identity
async function loadMe() {
  try {
    state.me = await api("/v1/me");
  } catch (e) {
    if (e.status === 401) toast("访问令牌无效或已撤销，请重新填写");
    state.me = { authenticated: false };
  }
  state.projects = null;
  const who = $("#who");
  who.textContent = state.me.authenticated ? `${state.me.name} · ${state.me.role_label}` : "未登录";
  return state.me;
}

async function renderMe() {
  const card = $("#me-card");
  const me = state.me || { authenticated: false };
  card.replaceChildren(me.authenticated
    ? el("div", {}, el("strong", {}, me.name), el("div", { class: "sub" }, me.role_label + (me.enterprise_name ? ` · ${me.enterprise_name}` : "")))
    : el("div", {}, el("strong", {}, "未登录"), el("div", { class: "sub" }, "填写访问令牌后可以预约监督、查看预约、申请上门服务。")));
  try {
    const m = await loadMeta();
    $("#station").replaceChildren(el("strong", {}, m.station_name), el("div", {}, `电话：${m.station_phone}`),
      el("div", {}, `地址：${m.station_address}`));
  } catch (e) { /* the station card is optional */ }
}

async function saveToken(ev) {
  ev.preventDefault();
  const value = $("#token-input").value.trim();
  if (!value) { toast("请填写访问令牌"); return; }
  localStorage.setItem(TOKEN_KEY, value);
  sessionStorage.removeItem(CONV_KEY);
  const me = await loadMe();
  if (me.authenticated) { $("#token-input").value = ""; toast(`已登录：${me.name}（${me.role_label}）`); }
  else localStorage.removeItem(TOKEN_KEY);
  renderMe();
}

async function clearToken() {
  localStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(CONV_KEY);
  await loadMe();
  renderMe();
  toast("已退出登录");
}

// ---------------------------------------------------------------- start
function bind() {
  document.addEventListener("click", (ev) => {
    const t = ev.target.closest("[data-go]");
    if (t) { ev.preventDefault(); go(t.dataset.go, t.dataset.seg); }
  });
  $("#search-form").addEventListener("submit", doSearch);
  $("#search-mandatory").addEventListener("change", () => { if ($("#search-q").value.trim()) doSearch(); });
  $("#search-withdrawn").addEventListener("change", () => { if ($("#search-q").value.trim()) doSearch(); });
  $("#ask-form").addEventListener("submit", onAsk);
  $("#ask-q").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); $("#ask-form").requestSubmit(); }
  });
  $$(".seg").forEach((b) => b.addEventListener("click", () => enterBook(b.dataset.seg)));
  $("#book-project").addEventListener("change", updateWindow);
  $("#book-milestone").addEventListener("change", updateWindow);
  $("#book-form").addEventListener("submit", submitBooking);
  $("#mine-refresh").addEventListener("click", loadMine);
  $("#credit-form").addEventListener("submit", doCredit);
  $("#visit-form").addEventListener("submit", submitVisit);
  $("#token-form").addEventListener("submit", saveToken);
  $("#token-clear").addEventListener("click", clearToken);
  $("#token-show").addEventListener("change", (ev) => { $("#token-input").type = ev.target.checked ? "text" : "password"; });
  window.addEventListener("hashchange", () => go(location.hash.slice(1) || "search"));
}

document.addEventListener("DOMContentLoaded", async () => {
  bind();
  await loadMe();
  go(location.hash.slice(1) || "search");
  document.body.dataset.ready = "true";
});
