/* Printable PDFs (notice, inspection record) need the token, which a plain link cannot send: fetch, then open. */
import { blobUrl } from "./api.js";
import { el } from "./dom.js";
import { toast } from "./ui.js";

/** A button that opens the PDF at ``path`` in a new tab (the browser's own viewer prints it). */
export function pdfButton(path, label, id) {
  return el("button", { type: "button", class: "btn small pdf-link", id, "data-pdf": path, onclick: async () => {
    const tab = window.open("", "_blank");
    try {
      const url = await blobUrl(path);
      if (tab) tab.location.href = url; else window.location.assign(url);
    } catch (e) { if (tab) tab.close(); toast(e.message); }
  } }, label);
}
