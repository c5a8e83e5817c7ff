/* DOM helpers: build nodes from data, never from HTML strings (every server text is inserted as text). */

export function $(sel, root = document) { return root.querySelector(sel); }
export function $$(sel, root = document) { return Array.from(root.querySelectorAll(sel)); }

function kids(children) {
  return children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false && c !== "")
    .map((c) => (c instanceof Node ? c : document.createTextNode(String(c))));
}

/** el("button", {class: "btn", onclick: f}, "text", child, …) — null/false children and attributes are skipped. */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k === "value") node.value = v;
    else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...kids(children));
  return node;
}

/** Replace a node's children; null, false and "" are dropped (no literal "null" lines). */
export function fill(node, ...children) {
  node.replaceChildren(...kids(children));
  return node;
}

const SVG = "http://www.w3.org/2000/svg";
const ICONS = {
  search: ["M10.5 4a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13zM15.5 15.5 21 21"],
  chat: ["M4 5h16v11H9l-5 4z"],
  calendar: ["M5 5h14a1.5 1.5 0 0 1 1.5 1.5v12A1.5 1.5 0 0 1 19 20H5a1.5 1.5 0 0 1-1.5-1.5v-12A1.5 1.5 0 0 1 5 5zM3.5 10h17M8 3v4M16 3v4"],
  building: ["M4 21V6l8-3v18M12 9l8 3v9M3 21h18M7.5 9h1M7.5 13h1M7.5 17h1M15.5 14h1M15.5 17h1"],
  user: ["M12 4a4 4 0 1 0 0 8 4 4 0 0 0 0-8zM4 21c1.5-4 4.5-6 8-6s6.5 2 8 6"],
  clipboard: ["M9 4h6v3H9zM7 5.5H5.5v15h13v-15H17M8.5 11h7M8.5 15h5"],
  team: ["M8 5a3 3 0 1 0 0 6 3 3 0 0 0 0-6zM16.5 7a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5zM2.5 19c1-3 3.2-4.5 5.5-4.5s4.5 1.5 5.5 4.5M14 14.8c2.8-.6 5.5.6 7 4.2"],
  help: ["M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .9-1 1.7M12 17h.01"],
  book: ["M5 4h10a3 3 0 0 1 3 3v13H8a3 3 0 0 1-3-3zM5 17a3 3 0 0 1 3-3h10"],
  chart: ["M4 20V10M10 20V4M16 20v-7M22 20H2"],
  key: ["M8 10a4 4 0 1 0 0 8 4 4 0 0 0 0-8zM11 12l9-9M17 6l3 3M15 8l2 2"],
  gear: ["M12 8.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7zM12 2v3M12 19v3M4.9 4.9l2.1 2.1M17 17l2.1 2.1M2 12h3M19 12h3M4.9 19.1 7 17M17 7l2.1-2.1"],
  bell: ["M6 16V11a6 6 0 1 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0"],
  up: ["M7 11v9H4v-9zM7 11l4-8c1.5 0 2.5 1 2.5 2.5V9H19a2 2 0 0 1 2 2.3l-1.2 7A2 2 0 0 1 17.8 20H7"],
  down: ["M17 13V4h3v9zM17 13l-4 8c-1.5 0-2.5-1-2.5-2.5V15H5a2 2 0 0 1-2-2.3l1.2-7A2 2 0 0 1 6.2 4H17"],
  phone: ["M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2z"],
  camera: ["M4 8h3l2-3h6l2 3h3v11H4zM12 10.5a3 3 0 1 0 0 6 3 3 0 0 0 0-6z"],
};

/** An inline SVG icon (stroke drawn in the current text colour). */
export function icon(name, cls = "ico") {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", cls);
  svg.setAttribute("aria-hidden", "true");
  for (const d of ICONS[name] || []) {
    const p = document.createElementNS(SVG, "path");
    p.setAttribute("d", d);
    p.setAttribute("fill", "none");
    p.setAttribute("stroke", "currentColor");
    p.setAttribute("stroke-width", "2");
    p.setAttribute("stroke-linecap", "round");
    p.setAttribute("stroke-linejoin", "round");
    svg.append(p);
  }
  return svg;
}

export function fmtDate(iso) { return iso ? String(iso).slice(0, 10) : ""; }
export function fmtTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (isNaN(d)) return String(iso);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
const WEEK = "日一二三四五六";
export function weekday(iso) { const d = new Date(String(iso).slice(0, 10) + "T00:00:00"); return isNaN(d) ? "" : "周" + WEEK[d.getDay()]; }
export function hhmm(t) { return t ? String(t).slice(0, 5) : ""; }
export function today() {
  const d = new Date(); const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
export function addDays(iso, n) {
  const d = new Date(iso + "T00:00:00"); d.setDate(d.getDate() + n);
  const p = (x) => String(x).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** A phone number as a tap-to-call link. */
export function tel(phone, label) {
  if (!phone) return "";
  const digits = String(phone).replace(/[^\d+-]/g, "");
  return el("a", { class: "tel", href: "tel:" + digits }, icon("phone", "ico-inline"), label || phone);
}

export function badge(text, cls) { return el("span", { class: "badge " + (cls || "") }, text); }
export function statusBadge(code, label) { return badge(label, "st-" + code); }

/** A definition list from [label, value] pairs; pairs whose value is empty are left out. */
export function kv(pairs) {
  const dl = el("dl", { class: "kv" });
  for (const [k, v] of pairs) {
    if (v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length)) continue;
    dl.append(el("dt", {}, k), el("dd", {}, v));
  }
  return dl;
}

/** The audit history of a record, oldest first. */
export function history(entries) {
  return el("ol", { class: "history" }, (entries || []).map((h) => {
    const extra = h.detail && (h.detail.reason || h.detail.result || h.detail.note) ? `：${h.detail.reason || h.detail.result || h.detail.note}` : "";
    const when = h.detail && h.detail.date ? `（${h.detail.date} ${h.detail.time || ""}）` : "";
    return el("li", {}, el("span", { class: "when" }, fmtTime(h.at)), ` ${h.actor_name} ${h.action_label}`,
      h.to_label ? `→${h.to_label}` : "", when, extra);
  }));
}

export function empty(text) { return el("li", { class: "hint empty" }, text); }
