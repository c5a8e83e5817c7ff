/* 质监助手 web page: plain ES modules, no build step, nothing loaded from elsewhere.
 * Each page is a module under pages/ that registers itself (see core/router.js); to add a page, write the
 * module and import it below. */
import "./pages/search.js";
import "./pages/ask.js";
import "./pages/credit.js";
import "./pages/book.js";
import "./pages/visit.js";
import "./pages/notices.js";
import "./pages/queue.js";
import "./pages/dispatch.js";
import "./pages/inspect.js";
import "./pages/spotcheck.js";
import "./pages/credit-drafts.js";
import "./pages/expert.js";
import "./pages/admin-library.js";
import "./pages/admin-report.js";
import "./pages/admin-accounts.js";
import "./pages/admin-settings.js";
import "./pages/inbox.js";
import "./pages/me.js";
import { fromHash, go } from "./core/router.js";
import { signedIn } from "./main-hooks.js";

document.addEventListener("click", (ev) => {
  const t = ev.target.closest("[data-go]");
  if (t) { ev.preventDefault(); go(t.dataset.go, t.dataset.arg || ""); }
});
window.addEventListener("popstate", () => fromHash());

signedIn({ keepHash: true }).finally(() => { document.body.dataset.ready = "true"; });
