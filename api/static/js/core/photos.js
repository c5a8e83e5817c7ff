/* Photos and attachments: choose (camera or album), preview, upload one by one with progress, show a gallery.
 * Used on 办结, 上门服务 and 整改回复; inspection records can use the same three calls. */
import { api, blobUrl, upload } from "./api.js";
import { el, fill, fmtTime, icon } from "./dom.js";
import { showInDialog } from "./ui.js";

const ACCEPT_PHOTO = "image/jpeg,image/png,image/webp,image/gif";

/** A file picker with previews; ``files()`` gives what was chosen. */
export function photoPicker({ label = "照片（选填）", pdf = false, name = "photos" } = {}) {
  let chosen = [];
  const previews = el("div", { class: "thumbs" });
  const input = el("input", { type: "file", accept: pdf ? ACCEPT_PHOTO + ",application/pdf" : ACCEPT_PHOTO, multiple: true,
    name, class: "file-input", "data-label": label });
  const render = () => fill(previews, chosen.map((f, i) => el("figure", { class: "thumb" },
    f.type.startsWith("image/") ? el("img", { src: URL.createObjectURL(f), alt: f.name }) : el("span", { class: "file-chip" }, "PDF"),
    el("figcaption", {}, f.name),
    el("button", { type: "button", class: "btn small remove", "aria-label": "移除 " + f.name,
      onclick: () => { chosen.splice(i, 1); render(); } }, "移除"))));
  input.addEventListener("change", () => { chosen = chosen.concat(Array.from(input.files)); input.value = ""; render(); });
  const node = el("div", { class: "field picker" },
    el("span", { class: "label" }, label),
    el("label", { class: "btn pick" }, icon("camera", "ico-inline"), pdf ? "拍照或选择照片、PDF" : "拍照或选择照片", input),
    previews, el("small", { class: "field-error", "aria-live": "polite" }));
  return { node, files: () => chosen.slice(), clear: () => { chosen = []; render(); } };
}

/** Upload ``files`` to a record one at a time, each with its own progress bar; returns {done, failed}. */
export async function uploadAll(subject, number, files, box) {
  const done = [], failed = [];
  for (const f of files) {
    const bar = el("progress", { max: "100", value: "0", "aria-label": "上传进度 " + f.name });
    const line = el("div", { class: "upload-line" }, el("span", {}, f.name), bar);
    box.append(line);
    try {
      const out = await upload(`/v1/attachments/${subject}/${encodeURIComponent(number)}`, { file: f }, (p) => { bar.value = Math.round(p * 100); });
      bar.value = 100;
      line.append(el("span", { class: "ok-text" }, "已上传"));
      done.push(out);
    } catch (e) {
      line.append(el("span", { class: "err-text" }, e.message));
      failed.push({ file: f.name, message: e.message });
    }
  }
  return { done, failed };
}

function evidenceLine(a) {
  const parts = [];
  if (a.taken_at) parts.push("拍摄于 " + a.taken_at.replace(/^(\d{4}):(\d{2}):(\d{2})/, "$1-$2-$3"));
  if (a.exif && (a.exif.make || a.exif.model)) parts.push([a.exif.make, a.exif.model].filter(Boolean).join(" "));
  parts.push(`${a.uploaded_by_name} 上传于 ${fmtTime(a.created_at)}`);
  return parts.join(" · ");
}

/** The record's photos and PDFs as thumbnails (fetched with the token); tap to see one full size. */
export async function gallery(subject, number) {
  const box = el("div", { class: "gallery" });
  let items = [];
  try { items = await api(`/v1/attachments/${subject}/${encodeURIComponent(number)}`); } catch (e) { return el("p", { class: "hint" }, e.message); }
  if (!items.length) return null;
  for (const a of items) {
    if (a.kind === "image") {
      const img = el("img", { alt: a.filename, class: "gallery-img" });
      blobUrl(`/v1/attachments/thumb/${a.uid}`).then((u) => { img.src = u; }).catch(() => { img.alt = "无法显示"; });
      box.append(el("button", { type: "button", class: "thumb-btn", "data-uid": a.uid, "aria-label": "查看照片 " + a.filename,
        onclick: async () => {
          const full = el("img", { alt: a.filename, class: "full-img" });
          showInDialog(full, el("p", { class: "hint" }, evidenceLine(a)));
          full.src = await blobUrl(`/v1/attachments/file/${a.uid}`);
        } }, img, el("small", {}, a.taken_at ? a.taken_at.slice(0, 16).replace(/^(\d{4}):(\d{2}):(\d{2})/, "$1-$2-$3") : "无拍摄时间")));
    } else {
      box.append(el("button", { type: "button", class: "thumb-btn pdf", onclick: async () => { window.open(await blobUrl(`/v1/attachments/file/${a.uid}`), "_blank"); } },
        el("span", { class: "file-chip" }, "PDF"), el("small", {}, a.filename)));
    }
  }
  return el("div", {}, el("h3", {}, `照片与附件（${items.length}）`), box);
}
