/* 设置 (admins): the station's settings as read-only text; they change through ZHIJIAN_* and a restart. */
import { api } from "../core/api.js";
import { $, el, fill } from "../core/dom.js";
import { register } from "../core/router.js";

register({
  id: "settings", title: "质监站设置", tab: { label: "设置", icon: "gear" }, roles: ["admin"], tabs: { admin: 4 },
  mount(section) {
    fill(section, el("p", { class: "hint" }, "以下为当前生效的设置（只读）。修改请由运维人员调整对应的环境变量后重启服务；密钥只显示是否已设置。"),
      el("dl", { class: "settings", id: "settings-list" }));
  },
  async show(section) {
    const list = $("#settings-list", section);
    try {
      const rows = await api("/v1/settings");
      fill(list, rows.map((s) => [el("dt", {}, s.label, el("small", {}, s.env)), el("dd", { "data-key": s.key }, s.value || "（空）")]));
    } catch (e) { fill(list, el("dd", {}, e.message)); }
  },
});
