/* 消息: in-page notices (a booking assigned to me was cancelled or moved, …), newest first. */
import { api } from "../core/api.js";
import { $, el, fill, fmtTime } from "../core/dom.js";
import { go, register } from "../core/router.js";
import { refreshBell } from "../main-hooks.js";
import { isStaff, role } from "../core/session.js";

const TARGET = { booking: () => (isStaff() ? "queue" : "book"), notice: () => "notices", visit: () => (role() === "expert" ? "expert" : isStaff() ? "dispatch" : "visit") };

register({
  id: "inbox", title: "消息提醒", roles: ["contractor", "inspector", "expert", "admin"],
  mount(section) {
    fill(section, el("div", { class: "row-between" }, el("h2", {}, "消息提醒"),
      el("button", { type: "button", class: "btn small", id: "inbox-read", onclick: async () => {
        await api("/v1/notifications/read", { method: "POST", body: {} }); await refreshBell(); this.show(section);
      } }, "全部标为已读")), el("ol", { class: "list", id: "inbox-list" }));
  },
  async show(section) {
    const list = $("#inbox-list", section);
    fill(list, el("li", { class: "hint" }, "加载中…"));
    try {
      const data = await api("/v1/notifications?limit=100");
      fill(list, data.items.length ? data.items.map((n) => el("li", { class: "item" + (n.read ? "" : " unread") },
        el("button", { type: "button", class: "open", onclick: async () => {
          if (!n.read) { await api("/v1/notifications/read", { method: "POST", body: { ids: [n.id] } }); refreshBell(); }
          const target = TARGET[n.subject_type] && TARGET[n.subject_type]();
          if (target && n.subject_no) go(target, n.subject_no);
        } }, el("div", { class: "top" }, el("strong", {}, n.title), n.read ? null : el("span", { class: "badge unread-dot" }, "未读")),
        el("div", {}, n.body), el("div", { class: "sub" }, fmtTime(n.created_at))))) : [el("li", { class: "hint" }, "暂无消息。")]);
    } catch (e) { fill(list, el("li", { class: "hint" }, e.message)); }
  },
});
