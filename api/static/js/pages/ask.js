/* 问答: questions answered with clause citations, as a conversation the server keeps (follow-ups such as
 * "那冬天呢？" are read with the previous question), restored after a reload. Signed-in people also book,
 * follow bookings and ask for visits here; without an account the server issues the conversation id.
 *
 * An answer is short: the lead sentence, the clause that answers with its quantities marked and a
 * 复制引用 button; related clauses and cases are folded under 展开; no clause is shown twice. */
import { api, token } from "../core/api.js";
import { badges, citationOf, copyButton, markQuantities } from "../core/clauses.js";
import { $, el, fill, icon } from "../core/dom.js";
import { register, go } from "../core/router.js";
import { session } from "../core/session.js";
import { toast } from "../core/ui.js";

const CONV_KEY = "zhijian.conversation";  // a signed-in person's conversation (namespaced by account on the server)
const ANON_KEY = "zhijian.conversation.anon";  // issued by the server to a browser without an account
const NOTE = /（注意：[^）]*）/g;  // the status note the answer gives after a quoted clause (废止, 尚未实施)
let restoredFor = null;

function log() { return $("#chat-log"); }
function scrollDown() { window.scrollTo(0, document.body.scrollHeight); }
function addUser(text) { log().append(el("div", { class: "msg user" }, text)); }

function votes(queryId) {
  const box = el("div", { class: "votes" });
  const send = async (vote, btn) => {
    try {
      await api("/v1/feedback", { method: "POST", body: { query_id: queryId, vote } });
      box.querySelectorAll(".vote").forEach((b) => { b.classList.remove("chosen"); b.setAttribute("aria-pressed", "false"); });
      btn.classList.add("chosen"); btn.setAttribute("aria-pressed", "true");
      toast(vote === "up" ? "感谢您的肯定" : "感谢反馈，我们会改进");
    } catch (e) { toast(e.message); }
  };
  for (const [vote, label, ico] of [["up", "有用", "up"], ["down", "没用", "down"]]) {
    const b = el("button", { type: "button", class: "btn small vote", "data-vote": vote, "aria-pressed": "false" }, icon(ico, "ico-inline"), label);
    b.addEventListener("click", () => send(vote, b));
    box.append(b);
  }
  return box;
}

function citeCard(c, { marks = false, question = "", notes = [] } = {}) {
  return el("div", { class: "cite", "data-role": c.role || "primary" },
    el("div", { class: "clause-head" }, el("span", { class: "clause-ref" }, citationOf(c)), badges(c)),
    el("div", { class: "clause-text" }, marks ? markQuantities(c.text, question) : c.text),
    notes.map((n) => el("div", { class: "note" }, n)),
    el("div", { class: "clause-actions" }, copyButton(c, toast)));
}

/** Each clause once (the same clause may come back as its body and its 条文说明, or under two roles). */
function unique(cites) {
  const seen = new Set();
  return cites.filter((c) => {
    const key = `${c.code}|${c.clause_no}|${c.kind === "commentary" ? "body" : c.kind}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The status notes the answer text gives for clause ``c`` (废止, 尚未实施), kept on its card. */
function notesFor(text, c) {
  const ref = ["case", "faq", "tolerance"].includes(c.kind) ? c.clause_no : `${c.code} 第${c.clause_no}条`;
  const block = text.split(/\n\n+/).find((p) => p.includes(ref)) || "";
  const line = block.startsWith("相关") ? (block.split("\n").find((l) => l.includes(ref)) || "") : block;
  return line.match(NOTE) || [];
}

function certaintyOf(r) { return r.certainty || (r.data && r.data.certainty) || null; }

/** A grounded answer, short: the lead, the answering clause(s) with quantities marked, the rest under 展开. */
function shortAnswer(msg, r, cites, question) {
  const text = r.text || "";
  const llm = r.mode === "llm" || (r.data && r.data.mode === "llm");
  const likely = certaintyOf(r) === "likely";
  const lead = llm ? text : text.split(/\n\n+/)[0];
  msg.append(el("div", { class: "lead" }, lead));
  let shown = cites.filter((c) => (c.role || "primary") === "primary" || c.role === "candidate");
  if (!shown.length) shown = cites.slice(0, 1);
  if (likely) {
    // Not sure which clause answers: the nearest ones stacked, for the reader to check.
    if (shown.length < 2) shown = shown.concat(cites.filter((c) => !shown.includes(c) && c.role === "related").slice(0, 2));
    if (!/请核对/.test(lead)) msg.append(el("div", { class: "likely", role: "note" }, "最接近的条文如下，请核对"));
  }
  msg.append(el("div", { class: "cites primary" }, shown.map((c) => citeCard(c, { marks: true, question, notes: llm ? [] : notesFor(text, c) }))));
  const rest = cites.filter((c) => !shown.includes(c));
  if (rest.length) {
    const clauses = rest.filter((c) => c.kind !== "case").length;
    const cases = rest.length - clauses;
    const what = [clauses ? `相关条文 ${clauses} 条` : "", cases ? `案例 ${cases} 个` : ""].filter(Boolean).join("、");
    msg.append(el("details", { class: "more" }, el("summary", {}, `展开${what}`),
      el("div", { class: "cites" }, rest.map((c) => citeCard(c, { notes: llm ? [] : notesFor(text, c) })))));
  }
}

/** One reply; ``question`` (what was asked) picks the quantities to mark in the answering clause. */
function addBot(r, question = "") {
  const refused = r.grounded === false || r.kind === "refusal" || certaintyOf(r) === "none";
  const cites = unique(r.citations || []);
  const msg = el("div", { class: "msg bot" + (refused ? " refusal" : "") });
  if (!refused && cites.length) shortAnswer(msg, r, cites, (r.data && r.data.resolved_question) || question);
  else msg.append(r.text);
  const buttons = (r.choices || []).filter((c) => c.action !== "feedback").map((c) =>
    el("button", { type: "button", class: "btn small", onclick: () => send(c.value, c.label) }, c.label));
  if (refused && session.me.role === "contractor") {
    buttons.push(el("button", { type: "button", class: "btn small", onclick: () => go("visit") }, "去“服务申请”"));
  } else if (refused && !session.me.authenticated) {
    // Without an account a visit cannot be requested: offer what works (sign in); the station's phone is in the text.
    buttons.push(el("button", { type: "button", class: "btn small", onclick: () => go("me") }, "登录后申请帮扶"));
  }
  if (buttons.length) msg.append(el("div", { class: "choices" }, buttons));
  if (r.query_id) msg.append(votes(r.query_id));
  log().append(msg);
}

/** Where the conversation id is kept: experts have no chat (single questions); everyone else does. */
function convKey() {
  if (!session.me.authenticated) return ANON_KEY;
  return token() && session.me.role !== "expert" ? CONV_KEY : null;
}

async function send(text, shown) {
  addUser(shown || text);
  const typing = el("div", { class: "msg bot typing" }, "正在查找条文…");
  log().append(typing); scrollDown();
  const btn = $("#ask-send");
  btn.disabled = true;
  try {
    const key = convKey();
    if (key) {
      const body = { text };
      const conv = localStorage.getItem(key);
      if (conv) body.conversation_id = conv;
      const data = await api("/v1/chat", { method: "POST", body });
      localStorage.setItem(key, data.conversation_id);
      typing.remove();
      addBot(data.reply, text);
    } else {
      const data = await api("/v1/ask", { method: "POST", body: { question: text } });
      typing.remove();
      addBot({ text: data.answer, grounded: data.grounded, citations: data.citations, query_id: data.query_id,
        mode: data.mode, certainty: data.certainty }, text);
    }
  } catch (e) {
    typing.remove();
    log().append(el("div", { class: "msg bot refusal" }, e.message));
  } finally {
    btn.disabled = false;
    scrollDown();
  }
}

/** Redraw the conversation the server keeps, once per person (or anonymous browser) and page load. */
async function restore() {
  const key = convKey();
  const who = session.me.authenticated ? session.me.account_id : "anon";
  const conv = key ? localStorage.getItem(key) : null;
  if (!conv || restoredFor === who) return;
  restoredFor = who;
  try {
    const data = await api("/v1/chat/" + encodeURIComponent(conv));
    let asked = "";
    for (const m of data.messages) {
      if (m.role === "user") { addUser(m.text); asked = m.text; } else addBot(m, asked);
    }
    if (data.messages.length) {
      log().append(el("div", { class: "hint center" }, "—— 以上为之前的对话 ——"));
      scrollDown();
    }
  } catch (e) { /* an old conversation is a convenience */ }
}

/** Signing in or out starts afresh: on a shared phone nobody sees the previous person's conversation. */
export function forgetConversation() {
  localStorage.removeItem(CONV_KEY);
  localStorage.removeItem(ANON_KEY);
  restoredFor = null;
}

register({
  id: "ask", title: "问答", tab: { label: "问答", icon: "chat" },
  tabs: { anon: 2, contractor: 1, expert: 3 },
  mount(section) {
    restoredFor = null;  // a new page (after signing in or out) shows the conversation again
    const box = el("textarea", { id: "ask-q", rows: "1", maxlength: "500", placeholder: "输入您的问题", "aria-label": "问题", enterkeyhint: "send" });
    box.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); $("#ask-form").requestSubmit(); }
    });
    fill(section,
      el("div", { class: "chat", id: "chat-log", "aria-live": "polite" },
        el("div", { class: "msg bot intro" }, "您好，我是质监助手。可以问规范条文的要求，例如“楼板拆模前要满足什么条件”，也可以接着追问，如“那冬天呢？”；登录后还可以在这里预约监督、查预约进度、申请质量服务团上门服务。")),
      el("form", { class: "composer", id: "ask-form", novalidate: true, onsubmit: (ev) => {
        ev.preventDefault();
        const text = box.value.trim();
        if (!text) { toast("请输入问题"); return; }
        box.value = "";
        send(text);
      } }, box, el("button", { type: "submit", class: "btn primary", id: "ask-send" }, "发送")));
    section.classList.add("with-composer");
  },
  async show() { await restore(); scrollDown(); },
});
