/* 账号 (admins): accounts (list, open one), access tokens (issue — shown once —, revoke; only the prefix
 * is ever listed), one-time chat binding codes, and the chat identities bound to accounts. */
import { api } from "../core/api.js";
import { $, $$, el, fill, fmtTime } from "../core/dom.js";
import { field, form, options, serverErrors, validate } from "../core/forms.js";
import { register } from "../core/router.js";
import { confirmDialog, resultBox, showInDialog, showResult, toast } from "../core/ui.js";

const ROLES = [["contractor", "企业用户"], ["inspector", "监督员"], ["expert", "服务团专家"], ["admin", "管理员"]];

function secret(title, value, note) {
  showInDialog(el("p", { class: "dialog-text" }, title), el("code", { class: "secret", id: "secret-value" }, value), el("p", { class: "hint" }, note));
}

async function issueToken(a) {
  const label = el("input", { id: "token-label", maxlength: "100", placeholder: "如：张监督的手机" });
  const days = el("input", { id: "token-days", type: "number", min: "1", max: "3650", placeholder: "不填为长期有效", inputmode: "numeric" });
  const ok = await confirmDialog(`为 ${a.name}（${a.login}）签发访问令牌？`, { ok: "签发",
    body: el("div", {}, el("label", { class: "field" }, el("span", { class: "label" }, "用途说明（选填）"), label),
      el("label", { class: "field" }, el("span", { class: "label" }, "有效天数（选填）"), days)) });
  if (!ok) return;
  try {
    const t = await api(`/v1/accounts/${encodeURIComponent(a.login)}/tokens`, { method: "POST",
      body: { label: label.value.trim(), expires_days: days.value ? Number(days.value) : null } });
    secret(`${a.name} 的访问令牌（只显示这一次）`, t.token, "请当面或通过可靠渠道转交；列表中只显示前缀。");
  } catch (e) { toast(e.message); }
}

async function issueCode(a) {
  try {
    const c = await api(`/v1/accounts/${encodeURIComponent(a.login)}/binding-code`, { method: "POST" });
    secret(`${a.name} 的聊天绑定码`, c.code, `有效至 ${fmtTime(c.expires_at)}，只能使用一次。在企业微信中发送“绑定 ${c.code}”，或在 Telegram 中发送“/bind ${c.code}”。`);
  } catch (e) { toast(e.message); }
}

async function loadAccounts(section) {
  const role = $("#acc-role", section).value;
  try {
    const rows = await api("/v1/accounts" + (role ? "?role=" + role : ""));
    fill($("#acc-list", section), rows.map((a) => el("li", { class: "item", "data-login": a.login },
      el("div", { class: "top" }, el("strong", {}, a.name), el("span", { class: "badge" }, a.role_label)),
      el("div", { class: "sub" }, `登录名 ${a.login}${a.phone ? " · " + a.phone : ""}${a.active ? "" : " · 已停用"}`),
      el("div", { class: "row" },
        el("button", { type: "button", class: "btn small", onclick: () => issueToken(a) }, "签发令牌"),
        el("button", { type: "button", class: "btn small", onclick: () => issueCode(a) }, "聊天绑定码")))));
  } catch (e) { fill($("#acc-list", section), el("li", { class: "hint" }, e.message)); }
}

async function loadTokens(section) {
  try {
    const rows = await api("/v1/tokens");
    fill($("#tok-list", section), rows.length ? rows.map((t) => el("li", { class: "item", "data-token": String(t.id) },
      el("div", { class: "top" }, el("code", {}, t.prefix + "…"), el("span", { class: "badge" + (t.active ? " current" : " withdrawn") }, t.active ? "有效" : "已失效")),
      el("div", {}, `${t.name}（${t.role_label}）${t.label ? " · " + t.label : ""}`),
      el("div", { class: "sub" }, `签发 ${fmtTime(t.created_at)}${t.expires_at ? " · 到期 " + fmtTime(t.expires_at) : ""} · 最近使用 ${t.last_used_at ? fmtTime(t.last_used_at) : "从未"}`),
      el("button", { type: "button", class: "btn small danger", onclick: async () => {
        if (!await confirmDialog(`撤销 ${t.name} 的令牌 ${t.prefix}…？`, { ok: "撤销", danger: true, detail: "撤销后使用该令牌的设备立即无法登录。" })) return;
        try { await api(`/v1/tokens/${t.id}`, { method: "DELETE" }); toast("令牌已撤销"); loadTokens(section); } catch (e) { toast(e.message); }
      } }, "撤销"))) : [el("li", { class: "hint" }, "没有有效的令牌。")]);
  } catch (e) { fill($("#tok-list", section), el("li", { class: "hint" }, e.message)); }
}

async function loadBindings(section) {
  try {
    const rows = await api("/v1/bindings");
    fill($("#bind-list", section), rows.length ? rows.map((b) => el("li", { class: "item" },
      el("div", { class: "top" }, el("strong", {}, b.name), el("span", { class: "badge" }, b.channel === "wecom" ? "企业微信" : b.channel === "telegram" ? "Telegram" : b.channel)),
      el("div", { class: "sub" }, `${b.role_label}${b.enterprise_name ? " · " + b.enterprise_name : ""} · 绑定于 ${fmtTime(b.created_at)}`))) : [el("li", { class: "hint" }, "还没有人绑定聊天账号。")]);
  } catch (e) { /* optional */ }
}

function createForm(section) {
  const role = el("select", { name: "role", required: true });
  options(role, ROLES, "请选择");
  const out = resultBox("acc-result");
  const f = form({ id: "account-form", onsubmit: async (ev) => {
    ev.preventDefault();
    if (!validate(f)) return;
    const body = { login: f.login.value.trim(), name: f.name.value.trim(), role: role.value, phone: f.phone.value.trim() };
    if (f.enterprise.value.trim()) body.enterprise = f.enterprise.value.trim();
    try {
      const a = await api("/v1/accounts", { method: "POST", body });
      showResult(out, true, `已开设账号：${a.name}（${a.role_label}）。可点“签发令牌”发给本人。`);
      f.reset(); loadAccounts(section);
    } catch (e) { serverErrors(f, e); showResult(out, false, e.message); }
  } }, el("h2", {}, "开设账号"),
  field("登录名", el("input", { name: "login", required: true, maxlength: "64", autocomplete: "off", placeholder: "字母、数字、._@-" })),
  field("姓名", el("input", { name: "name", required: true, maxlength: "64" })),
  field("角色", role),
  field("所属企业（企业用户必填：名称或信用代码）", el("input", { name: "enterprise", maxlength: "200" })),
  field("电话（选填）", el("input", { name: "phone", type: "tel", maxlength: "40", inputmode: "tel" })),
  out, el("button", { type: "submit", class: "btn primary block" }, "开设"));
  return f;
}

function setSeg(section, seg) {
  $$(".seg", section).forEach((b) => { const on = b.dataset.seg === seg; b.classList.toggle("active", on); b.setAttribute("aria-selected", String(on)); });
  $$("[data-seg-panel]", section).forEach((p) => { p.hidden = p.dataset.segPanel !== seg; });
  if (seg === "tokens") loadTokens(section);
  if (seg === "bindings") loadBindings(section);
  if (seg === "accounts") loadAccounts(section);
}

register({
  id: "accounts", title: "账号与令牌", tab: { label: "账号", icon: "key" }, roles: ["admin"], tabs: { admin: 3 },
  mount(section) {
    const roleFilter = el("select", { id: "acc-role", "aria-label": "按角色筛选", onchange: () => loadAccounts(section) });
    options(roleFilter, ROLES, "全部角色");
    fill(section,
      el("div", { class: "segmented", role: "tablist" }, [["accounts", "账号"], ["tokens", "令牌"], ["bindings", "聊天绑定"]].map(([k, label]) =>
        el("button", { type: "button", role: "tab", class: "seg" + (k === "accounts" ? " active" : ""), "data-seg": k, onclick: () => setSeg(section, k) }, label))),
      el("div", { "data-seg-panel": "accounts" }, roleFilter, el("ol", { class: "list", id: "acc-list" }), createForm(section)),
      el("div", { "data-seg-panel": "tokens", hidden: true }, el("p", { class: "hint" }, "令牌只在签发时完整显示一次，这里只显示前缀。"), el("ol", { class: "list", id: "tok-list" })),
      el("div", { "data-seg-panel": "bindings", hidden: true }, el("p", { class: "hint" }, "在“账号”中为某人签发一次性绑定码，本人在企业微信或 Telegram 中发送后即完成绑定。"), el("ol", { class: "list", id: "bind-list" })));
  },
  show(section) { return loadAccounts(section); },
});
