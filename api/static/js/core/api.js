/* Talking to the API: the bearer token, problem+json errors (their Chinese detail), uploads with progress. */

const TOKEN_KEY = "zhijian.token";

export function token() { return localStorage.getItem(TOKEN_KEY) || ""; }
export function setToken(value) {
  if (value) localStorage.setItem(TOKEN_KEY, value); else localStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || "请求失败，请稍后重试");
    this.status = status;
    this.body = body || {};
    this.code = this.body.code || "";
  }
}

function headers(json) {
  const h = { "X-Zhijian-Client": "web", Accept: "application/json" };
  if (json) h["Content-Type"] = "application/json";
  if (token()) h.Authorization = "Bearer " + token();
  return h;
}

/** JSON in, JSON out; throws ApiError with the server's Chinese message. */
export async function api(path, { method = "GET", body, auth = true } = {}) {
  const h = headers(body !== undefined);
  if (!auth) delete h.Authorization;
  let res;
  try {
    res = await fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, { detail: "网络不通，请检查网络后重试" });
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
  if (!res.ok) throw new ApiError(res.status, data || { detail: `请求失败（${res.status}）` });
  return data;
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === "") continue;
    if (Array.isArray(v)) v.forEach((x) => q.append(k, x)); else q.set(k, v);
  }
  const s = q.toString();
  return s ? "?" + s : "";
}

/** A multipart upload whose progress (0–1) is reported while the bytes go up (fetch cannot report that). */
export function upload(path, fields, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) {
      if (Array.isArray(v)) v.forEach((x) => form.append(k, x)); else form.append(k, v);
    }
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    const h = headers(false);
    for (const [k, v] of Object.entries(h)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total); };
    xhr.onerror = () => reject(new ApiError(0, { detail: "网络不通，上传失败，请重试" }));
    xhr.onload = () => {
      let data = null;
      try { data = xhr.responseText ? JSON.parse(xhr.responseText) : null; } catch (e) { data = null; }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new ApiError(xhr.status, data || { detail: `上传失败（${xhr.status}）` }));
    };
    xhr.send(form);
  });
}

const blobs = new Map();
/** An object URL for a protected file (an <img> cannot send the token itself). */
export async function blobUrl(path) {
  if (blobs.has(path)) return blobs.get(path);
  const res = await fetch(path, { headers: headers(false) });
  if (!res.ok) throw new ApiError(res.status, { detail: "无法打开附件" });
  const url = URL.createObjectURL(await res.blob());
  blobs.set(path, url);
  return url;
}
