/* 我的: sign in with the token the station issued, who I am, links to what my role does, the station. */
import { setToken } from "../core/api.js";
import { $, el, fill, tel } from "../core/dom.js";
import { form } from "../core/forms.js";
import { register } from "../core/router.js";
import { meta, session } from "../core/session.js";
import { toast } from "../core/ui.js";
import { signedIn } from "../main-hooks.js";
import { forgetConversation } from "./ask.js";

const LINKS = {
  anon: [],
  contractor: [["visit", "服务申请（质量服务团上门服务）"], ["book", "我的预约"], ["inspect", "监督检查记录"], ["credit", "企业信用查询"], ["inbox", "消息提醒"]],
  inspector: [["inspect", "监督检查记录（巡查、抽查、实测实量）"], ["spotcheck", "双随机抽查"], ["drafts", "信用记录草稿"],
    ["ask", "问答"], ["report", "未答问题报表"], ["inbox", "消息提醒"]],
  expert: [["inbox", "消息提醒"]],
  admin: [["queue", "预约工作台（受理、排期、办结）"], ["inspect", "监督检查记录"], ["notices", "整改通知单"],
    ["drafts", "信用记录草稿"], ["spotcheck", "双随机抽查"], ["dispatch", "服务团派遣"], ["search", "条文检索"],
    ["credit", "企业信用"], ["ask", "问答"], ["inbox", "消息提醒"]],
};

register({
  id: "me", title: "我的", tab: { label: "我的", icon: "user" },
  tabs: { anon: 9, contractor: 9, inspector: 9, expert: 9, admin: 9 },
  mount(section) {
    const input = el("input", { type: "password", id: "token-input", autocomplete: "off", spellcheck: "false",
      placeholder: "zj_ 开头，由质监站管理员发给您", maxlength: "200", "aria-label": "访问令牌" });
    const f = form({ id: "token-form", onsubmit: async (ev) => {
      ev.preventDefault();
      const value = input.value.trim();
      const err = $("#token-error", section);
      if (!value) { err.textContent = "请填写访问令牌"; input.focus(); return; }
      err.textContent = "";
      setToken(value);
      forgetConversation();
      const me = await signedIn();
      if (me.authenticated) { input.value = ""; toast(`已登录：${me.name}（${me.role_label}）`); }
      else { setToken(""); err.textContent = me.error || "访问令牌无效，请核对"; }
    } },
    el("label", { class: "field" }, el("span", { class: "label" }, "访问令牌"), input, el("small", { class: "field-error", id: "token-error", "aria-live": "polite" })),
    el("label", { class: "chk" }, el("input", { type: "checkbox", id: "token-show", onchange: (e) => { input.type = e.target.checked ? "text" : "password"; } }), "显示令牌"),
    el("div", { class: "row" }, el("button", { type: "submit", class: "btn primary" }, "登录"),
      el("button", { type: "button", class: "btn", id: "token-clear", onclick: async () => { setToken(""); forgetConversation(); await signedIn(); toast("已退出登录"); } }, "退出登录")),
    el("p", { class: "hint" }, "令牌只保存在本机浏览器中。不登录也可以检索条文、提问和查询企业信用等级。"));
    fill(section, el("div", { class: "card", id: "me-card" }), el("nav", { class: "card links", id: "me-links" }), f,
      el("div", { class: "card station", id: "station" }));
  },
  async show(section) {
    const me = session.me;
    fill($("#me-card", section), me.authenticated
      ? el("div", {}, el("strong", {}, me.name), el("div", { class: "sub" }, me.role_label + (me.enterprise_name ? ` · ${me.enterprise_name}` : "")))
      : el("div", {}, el("strong", {}, "未登录"), el("div", { class: "sub" }, "填写访问令牌后，企业用户可以预约监督、回复整改；质监站人员进入各自的工作台。")));
    const links = LINKS[me.authenticated ? me.role : "anon"] || [];
    const nav = $("#me-links", section);
    nav.hidden = !links.length;
    fill(nav, links.map(([id, label]) => el("button", { type: "button", class: "link", "data-go": id }, label + " ›")));
    $("#token-clear", section).hidden = !me.authenticated;
    try {
      const m = await meta();
      fill($("#station", section), el("strong", {}, m.station_name), el("div", {}, "电话：", tel(m.station_phone)), el("div", {}, `地址：${m.station_address}`),
        el("a", { class: "link small", href: "/docs" }, "接口文档（开发者）›"));
    } catch (e) { /* the station card is optional */ }
  },
});
