/* 问答: questions answered with clause citations; signed-in people get the full conversation (booking,
 * progress, visit requests), restored from the server after a reload. */
import { api, token } from "../core/api.js";
import { badges, citationOf } from "../core/clauses.js";
import { $, el, fill, icon } from "../core/dom.js";
import { register, go } from "../core/router.js";
import { session } from "../core/session.js";
import { toast } from "../core/ui.js";

const CONV_KEY = "zhijian.conversation";
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

function addBot(r) {
  const msg = el("div", { class: "msg bot" + (r.grounded === false || r.kind === "refusal" ? " refusal" : "") }, r.text);
  const cites = r.citations || [];
  if (cites.length) {
    msg.append(el("div", { class: "cites" }, cites.map((c) => el("div", { class: "cite" },
      el("div", { class: "clause-head" }, el("span", { class: "clause-ref" }, citationOf(c)), badges(c)),
      el("div", { class: "clause-text" }, c.text)))));
  }
  const choices = (r.choices || []).filter((c) => c.action !== "feedback");
  if (choices.length) {
    msg.append(el("div", { class: "choices" }, choices.map((c) =>
      el("button", { type: "button", class: "btn small", onclick: () => send(c.value, c.label) }, c.label))));
  }
  if (r.grounded === false && (session.me.role === "contractor" || !session.me.authenticated)) {
    msg.append(el("div", { class: "choices" }, el("button", { type: "button", class: "btn small", onclick: () => go("visit") }, "去“服务申请”")));
  }
  if (r.query_id) msg.append(votes(r.query_id));
  log().append(msg);
}

async function send(text, shown) {
  addUser(shown || text);
  const typing = el("div", { class: "msg bot typing" }, "正在查找条文…");
  log().append(typing); scrollDown();
  const btn = $("#ask-send");
  btn.disabled = true;
  try {
    if (token() && session.me.authenticated && session.me.role !== "expert") {
      const body = { text };
      const conv = localStorage.getItem(CONV_KEY);
      if (conv) body.conversation_id = conv;
      const data = await api("/v1/chat", { method: "POST", body });
      localStorage.setItem(CONV_KEY, data.conversation_id);
      typing.remove();
      addBot(data.reply);
    } else {
      const data = await api("/v1/ask", { method: "POST", body: { question: text } });
      typing.remove();
      addBot({ text: data.answer, grounded: data.grounded, citations: data.citations, query_id: data.query_id });
    }
  } catch (e) {
    typing.remove();
    log().append(el("div", { class: "msg bot refusal" }, e.message));
  } finally {
    btn.disabled = false;
    scrollDown();
  }
}

/** Redraw the conversation the server keeps, once per signed-in person and page load. */
async function restore() {
  const who = session.me.authenticated ? session.me.account_id : null;
  const conv = localStorage.getItem(CONV_KEY);
  if (!who || !conv || restoredFor === who || session.me.role === "expert") return;
  restoredFor = who;
  try {
    const data = await api("/v1/chat/" + encodeURIComponent(conv));
    for (const m of data.messages) {
      if (m.role === "user") addUser(m.text); else addBot(m);
    }
    if (data.messages.length) {
      log().append(el("div", { class: "hint center" }, "—— 以上为之前的对话 ——"));
      scrollDown();
    }
  } catch (e) { /* an old conversation is a convenience */ }
}

export function forgetConversation() { localStorage.removeItem(CONV_KEY); restoredFor = null; }

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
        el("div", { class: "msg bot intro" }, "您好，我是质监助手。可以问规范条文的要求，例如“楼板拆模前要满足什么条件”；登录后还可以在这里预约监督、查预约进度、申请质量服务团上门服务。")),
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
