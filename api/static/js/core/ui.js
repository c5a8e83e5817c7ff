/* Feedback to the person: toasts, result boxes kept in view above the tab bar, and confirmations. */
import { $, el, fill } from "./dom.js";

let toastTimer = null;
export function toast(msg) {
  const t = $("#toast");
  t.textContent = msg;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 3200);
}

/** Show a result (ok or error) in ``node`` and scroll it to the middle of the screen, clear of the tab bar. */
export function showResult(node, ok, ...content) {
  node.className = "result " + (ok ? "ok" : "err");
  fill(node, ...content);
  node.hidden = false;
  requestAnimationFrame(() => node.scrollIntoView({ block: "center", behavior: "smooth" }));
}

export function resultBox(id) { return el("div", { class: "result", id, role: "status", "aria-live": "polite", hidden: true }); }

/** A modal question with two buttons; resolves true when confirmed. */
export function confirmDialog(message, { ok = "确定", cancel = "取消", danger = false, detail = "", body = null } = {}) {
  const dlg = $("#dialog");
  return new Promise((resolve) => {
    const done = (v) => { dlg.close(); resolve(v); };
    fill(dlg,
      el("p", { class: "dialog-text" }, message),
      detail ? el("p", { class: "hint" }, detail) : null,
      body,
      el("div", { class: "row end" },
        el("button", { type: "button", class: "btn", onclick: () => done(false) }, cancel),
        el("button", { type: "button", class: "btn " + (danger ? "danger-fill" : "primary"), id: "dialog-ok", onclick: () => done(true) }, ok)));
    dlg.oncancel = () => resolve(false);
    dlg.showModal();
  });
}

/** Show any node (a photo, a token) in the dialog with a close button. */
export function showInDialog(...content) {
  const dlg = $("#dialog");
  fill(dlg, ...content, el("div", { class: "row end" },
    el("button", { type: "button", class: "btn primary", onclick: () => dlg.close() }, "关闭")));
  dlg.showModal();
}

export function loading(text = "加载中…") { return el("p", { class: "hint" }, text); }
