/* Pages and the tab bar. A page is a module that calls ``register({...})``:
 *   id       — the hash it lives at (#id, or #id/arg for a record)
 *   title    — shown in the browser tab
 *   roles    — who may open it (anon, contractor, inspector, expert, admin); omit for everyone
 *   tabs     — {role: order} for the roles whose tab bar shows it, with tab: {label, icon}
 *   mount(section)           — build the page once
 *   show(section, arg)       — every time it is opened (load data here)
 * The API's role checks stay the source of truth; roles here only decide what is offered. */
import { $, el, fill, icon } from "./dom.js";
import { role } from "./session.js";

const pages = new Map();
let current = null;

export function register(page) { pages.set(page.id, page); }

function allowed(page) { return !page.roles || page.roles.includes(role()); }

/** The landing page of each role: its first tab. */
export function home() {
  const tabs = tabsFor(role());
  return tabs.length ? tabs[0].id : "search";
}

function tabsFor(r) {
  return [...pages.values()].filter((p) => p.tabs && p.tabs[r] !== undefined && allowed(p))
    .sort((a, b) => a.tabs[r] - b.tabs[r]);
}

export function renderTabs() {
  const bar = $("#tabbar");
  const tabs = tabsFor(role());
  fill(bar, tabs.map((p) => el("button", { type: "button", class: "tab", "data-go": p.id, "aria-label": p.tab.label },
    icon(p.tab.icon), el("span", {}, p.tab.label))));
  bar.dataset.count = String(tabs.length);
  markTab();
}

function markTab() {
  const active = current && (current.tabOf || current.id);
  document.querySelectorAll(".tab").forEach((t) => {
    const on = t.dataset.go === active;
    t.classList.toggle("active", on);
    if (on) t.setAttribute("aria-current", "page"); else t.removeAttribute("aria-current");
  });
}

/** Open a page (``arg`` names a record); a page the role may not open falls back to the role's home. */
export async function go(id, arg, { replace = false } = {}) {
  let page = pages.get(id);
  if (!page || !allowed(page)) page = pages.get(home());
  current = page;
  const hash = "#" + page.id + (arg ? "/" + encodeURIComponent(arg) : "");
  if (location.hash !== hash) {
    if (replace) history.replaceState(null, "", hash); else history.pushState(null, "", hash);
  }
  document.title = `${page.title} · 质监助手`;
  const main = $("#main");
  let section = document.getElementById("view-" + page.id);
  if (!section) {
    section = el("section", { class: "view", id: "view-" + page.id, "data-page": page.id });
    main.append(section);
    page.mount(section);
  }
  main.querySelectorAll(".view").forEach((v) => { v.hidden = v !== section; });
  markTab();
  window.scrollTo(0, 0);
  await page.show(section, arg || "");
}

export function fromHash() {
  const [id, ...rest] = location.hash.slice(1).split("/");
  return go(id || home(), rest.length ? decodeURIComponent(rest.join("/")) : "", { replace: true });
}

/** Drop every page's DOM (after signing in or out, pages differ per role). */
export function resetPages() {
  current = null;
  fill($("#main"));
}
