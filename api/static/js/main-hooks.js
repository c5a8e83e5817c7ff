/* What several pages need from the shell: sign-in changes the whole page; the bell shows unread notices. */
import { api } from "./core/api.js";
import { $, fill } from "./core/dom.js";
import { fromHash, go, home, renderTabs, resetPages } from "./core/router.js";
import { loadMe, session } from "./core/session.js";

let bellTimer = null;

export async function refreshBell() {
  const bell = $("#bell");
  if (!session.me.authenticated) { bell.hidden = true; return; }
  bell.hidden = false;
  try {
    const data = await api("/v1/notifications?unread_only=true&limit=1");
    const count = $("#bell-count");
    count.hidden = !data.unread;
    fill(count, data.unread > 99 ? "99+" : String(data.unread));
    bell.setAttribute("aria-label", data.unread ? `消息提醒，${data.unread} 条未读` : "消息提醒");
  } catch (e) { /* the bell is a convenience */ }
}

function whoLabel() {
  const me = session.me;
  fill($("#who"), me.authenticated ? `${me.name} · ${me.role_label}` : "未登录");
}

/** (Re)build the page for whoever is signed in now and open their home page. */
export async function signedIn({ keepHash = false } = {}) {
  const me = await loadMe();
  whoLabel();
  resetPages();
  renderTabs();
  clearInterval(bellTimer);
  await refreshBell();
  if (me.authenticated) bellTimer = setInterval(refreshBell, 60000);
  if (keepHash && location.hash.length > 1) await fromHash(); else await go(home(), "", { replace: true });
  return me;
}
