/* Forms: our own Chinese validation messages beside each field (the browser's are switched off with
 * novalidate), and the server's field errors mapped back to the fields they name. */
import { el, fill } from "./dom.js";

/** A labelled field: <label>text <input> <small class=field-error></small></label>. */
export function field(label, input, { hint } = {}) {
  if (!input.dataset.label) input.dataset.label = label.replace(/（.*?）$/, "");
  return el("label", { class: "field" }, el("span", { class: "label" }, label), input,
    hint ? el("small", { class: "hint" }, hint) : null,
    el("small", { class: "field-error", "aria-live": "polite" }));
}

export function form(attrs, ...children) {
  const f = el("form", { ...attrs, novalidate: true, class: "card form " + (attrs.class || "") }, ...children);
  f.addEventListener("input", (e) => setError(e.target, ""));
  f.addEventListener("change", (e) => setError(e.target, ""));
  return f;
}

export function setError(input, message) {
  const box = input && input.closest && input.closest(".field");
  if (!box) return;
  const err = box.querySelector(".field-error");
  if (err) err.textContent = message || "";
  box.classList.toggle("invalid", Boolean(message));
  if (input.setAttribute) input.setAttribute("aria-invalid", message ? "true" : "false");
}

export function clearErrors(f) { f.querySelectorAll(".field").forEach((b) => { b.classList.remove("invalid"); const e = b.querySelector(".field-error"); if (e) e.textContent = ""; }); }

const MOBILE = /^1[3-9]\d{9}$/;
const LANDLINE = /^0\d{2,3}-?\d{7,8}(-\d{1,6})?$/;

/** Check every field of ``f``; Chinese messages beside the bad ones; focus the first. True when all good. */
export function validate(f) {
  clearErrors(f);
  let first = null;
  for (const input of f.querySelectorAll("input, select, textarea")) {
    if (input.disabled || ["hidden", "checkbox", "radio"].includes(input.type)) continue;
    const label = input.dataset.label || "此项";
    const value = (input.value || "").trim();
    let msg = "";
    if (input.type === "file") {
      if (input.required && !input.files.length) msg = `请选择${label}`;
    } else if (input.required && !value) {
      msg = input.tagName === "SELECT" || input.type === "date" || input.type === "time" ? `请选择${label}` : `请填写${label}`;
    } else if (value && input.dataset.kind === "phone") {
      const compact = value.replace(/[\s()（）]/g, "").replace(/^\+86/, "");
      if (!MOBILE.test(compact) && !LANDLINE.test(compact)) msg = "请填写11位手机号或带区号的固定电话（如 0571-87654321）";
    } else if (value && input.type === "date" && input.min && value < input.min) {
      msg = `${label}不能早于 ${input.min}`;
    } else if (value && input.type === "date" && input.max && value > input.max) {
      msg = `${label}不能晚于 ${input.max}`;
    } else if (input.maxLength > 0 && value.length > input.maxLength) {
      msg = `${label}过长（最多${input.maxLength}个字）`;
    }
    if (msg) { setError(input, msg); first = first || input; }
  }
  for (const group of f.querySelectorAll("[data-group-required]")) {
    const boxes = group.querySelectorAll("input[type=checkbox]");
    const min = Number(group.dataset.groupRequired);
    const chosen = Array.from(boxes).filter((b) => b.checked).length;
    if (chosen < min) {
      const err = group.querySelector(".field-error");
      if (err) err.textContent = `请至少选择${min}${group.dataset.unit || "项"}`;
      group.classList.add("invalid");
      first = first || boxes[0];
    }
  }
  if (first) { first.focus({ preventScroll: true }); first.scrollIntoView({ block: "center" }); }
  return !first;
}

/** Put the server's 422 field errors beside their fields; returns true when at least one was placed. */
export function serverErrors(f, err) {
  const errors = (err && err.body && err.body.errors) || [];
  let placed = false;
  for (const e of errors) {
    const name = String(e.field || "").split(".").pop();
    const input = name && f.querySelector(`[name="${CSS.escape(name)}"]`);
    if (input) { setError(input, e.message); placed = true; }
  }
  return placed;
}

export function options(select, pairs, placeholder) {
  return fill(select, placeholder ? el("option", { value: "" }, placeholder) : null,
    pairs.map(([value, label]) => el("option", { value: String(value) }, label)));
}

/** A group of checkboxes with one error line: [{value, label}] → the values ticked. */
export function checkGroup(name, label, items, { min = 1, unit = "人" } = {}) {
  const box = el("fieldset", { class: "field group", "data-group-required": String(min), "data-unit": unit },
    el("legend", { class: "label" }, label),
    el("div", { class: "checks" }, items.map((it) => el("label", { class: "check" },
      el("input", { type: "checkbox", name, value: String(it.value), "data-group": name }), el("span", {}, it.label),
      it.note ? el("small", { class: "hint" }, it.note) : null))),
    el("small", { class: "field-error", "aria-live": "polite" }));
  box.addEventListener("change", () => { box.classList.remove("invalid"); box.querySelector(".field-error").textContent = ""; });
  return box;
}

export function checked(root, name) {
  return Array.from(root.querySelectorAll(`input[name="${name}"]:checked`)).map((b) => b.value);
}
