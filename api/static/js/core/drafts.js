/* The rectification notice being written: survives moving between 检索 and 整改 (one tap inserts a clause). */
const KEY = "zhijian.notice-draft";

export function draft() {
  try { return JSON.parse(sessionStorage.getItem(KEY) || "{}"); } catch (e) { return {}; }
}
export function saveDraft(d) { sessionStorage.setItem(KEY, JSON.stringify(d)); }
export function clearDraft() { sessionStorage.removeItem(KEY); }

/** Add a clause to the draft: the first cited clause fills 引用标准/条款, every one is quoted in 存在问题. */
export function insertCitation(hit, citation) {
  const d = draft();
  const quote = `违反${citation}：“${hit.text.length > 80 ? hit.text.slice(0, 80) + "……" : hit.text}”`;
  d.problem = d.problem ? `${d.problem}\n${quote}` : quote;
  if (!d.cited_code && hit.kind !== "case" && hit.kind !== "faq") { d.cited_code = hit.code; d.cited_clause = hit.clause_no; }
  d.citations = [...(d.citations || []), citation];
  saveDraft(d);
  return d;
}
