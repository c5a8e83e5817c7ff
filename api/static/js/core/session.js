/* Who is signed in, and what the station offers (milestones, topics) — loaded once and shared by pages. */
import { api, ApiError, setToken } from "./api.js";

export const session = { me: { authenticated: false }, meta: null, projects: null };

export async function loadMe() {
  try {
    session.me = await api("/v1/me");
  } catch (e) {
    session.me = { authenticated: false, error: e instanceof ApiError && e.status === 401 ? "访问令牌无效或已撤销，请重新填写" : e.message };
    if (e.status === 401) setToken("");
  }
  session.projects = null;
  return session.me;
}

export function role() { return session.me && session.me.authenticated ? session.me.role : "anon"; }
export function isStaff() { return ["inspector", "admin"].includes(role()); }

export async function meta() {
  if (!session.meta) session.meta = await api("/v1/meta", { auth: false });
  return session.meta;
}

export async function projects() {
  if (!session.projects) session.projects = await api("/v1/projects");
  return session.projects;
}

const staffCache = {};
export async function staff(kind = "inspector") {
  if (!staffCache[kind]) staffCache[kind] = await api("/v1/staff?role=" + kind);
  return staffCache[kind];
}
