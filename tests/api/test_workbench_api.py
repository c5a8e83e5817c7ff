"""The workbench over HTTP: queues, conflicts, booking rules from practice, photos, the chat transcript,
settings for admins, and removing a document as a job."""

from __future__ import annotations

import io

from PIL import Image

from .conftest import assert_problem


def _ids(client, demo):
    admin = demo.auth("admin")
    bookings = {(b["project_name"], b["milestone"]): b for b in client.get("/v1/bookings", headers=admin).json()}
    projects = {p["name"]: p for p in client.get("/v1/projects", headers=admin).json()}
    return bookings, projects


def _workday(client, demo) -> str:
    """A working day soon (the first day a school booking could take)."""
    _, projects = _ids(client, demo)
    school = projects["示例县第一中学综合楼（示例）"]["id"]
    window = client.get("/v1/bookings/window", params={"project": school, "milestone": "监督交底"},
                        headers=demo.auth("admin")).json()
    return window["days"][0]["day"]


def _jpeg(taken: str = "2026:12:01 10:20:30") -> bytes:
    img = Image.new("RGB", (2000, 1500), (180, 160, 120))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = taken
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def test_queues_and_a_conflict_then_confirmed(client, demo):
    insp = demo.auth("inspector")
    q = client.get("/v1/bookings/queues", headers=insp).json()
    assert set(q["counts"]) == {"today", "week", "overdue", "pending"}
    assert q["counts"]["pending"] == len(q["pending"]) == 1  # the hospital's 监督交底
    bookings, _ = _ids(client, demo)
    school = bookings[("示例县第一中学综合楼（示例）", "地基与基础验收")]  # 张、李 at 09:00
    hospital = bookings[("示例县人民医院门诊楼（示例）", "监督交底")]["booking_no"]
    assert client.post(f"/v1/bookings/{hospital}/accept", headers=insp).status_code == 200
    staff = {a["name"]: a["id"] for a in client.get("/v1/staff", headers=insp).json()}
    assert set(staff) == {"张监督（示例）", "李监督（示例）", "王监督（示例）"}
    ids = [staff["张监督（示例）"], staff["李监督（示例）"]]
    params = {"at_time": "09:30", "on_date": school["inspection_date"], "inspectors": ids}
    pre = client.get(f"/v1/bookings/{hospital}/conflicts", params=params, headers=insp).json()
    assert [c["booking_no"] for c in pre] == [school["booking_no"]]
    body = {"inspectors": ids, "at_time": "09:30", "on_date": school["inspection_date"]}
    if school["inspection_date"] == bookings[("示例县人民医院门诊楼（示例）", "监督交底")]["inspection_date"]:
        body["on_date"] = None
    r = client.post(f"/v1/bookings/{hospital}/schedule", json=body, headers=insp)
    problem = assert_problem(r, 409, "inspector_conflict")
    assert problem["conflicts"][0]["booking_no"] == school["booking_no"] and "监督员时间冲突" in problem["detail"]
    ok = client.post(f"/v1/bookings/{hospital}/schedule", json={**body, "allow_conflict": True}, headers=insp)
    assert ok.status_code == 200 and ok.json()["status"] == "scheduled"
    assert staff == {a["name"]: a["id"] for a in client.get("/v1/staff", headers=demo.auth("admin")).json()}
    experts = client.get("/v1/staff", params={"role": "expert"}, headers=insp).json()
    assert [a["name"] for a in experts] == ["赵专家（示例）"]


def test_practice_rules_refuse_with_the_reason(client, demo):
    _, projects = _ids(client, demo)
    school = projects["示例县第一中学综合楼（示例）"]["id"]
    window = client.get("/v1/bookings/window", params={"project": school, "milestone": "竣工验收监督"},
                        headers=demo.auth("contractor")).json()
    day = next(d["day"] for d in window["days"] if d["free"] > 0)
    base = {"project": school, "requested_date": day, "contact_name": "测试", "contact_phone": "13800000009"}
    r = client.post("/v1/bookings", json={**base, "milestone": "竣工验收监督"}, headers=demo.auth("contractor"))
    body = assert_problem(r, 403, "milestone_role_not_allowed")
    assert "由建设单位组织" in body["detail"] and "示例城投置业有限公司" in body["detail"]
    r = client.post("/v1/bookings", json={**base, "milestone": "主体结构验收"}, headers=demo.auth("contractor"))
    body = assert_problem(r, 409, "milestone_order")
    assert "地基与基础验收" in body["detail"] and "已排期" in body["detail"]


def test_notice_reply_photo_up_and_down_with_access_checked(client, demo):
    insp, builder = demo.auth("inspector"), demo.auth("contractor")
    _, projects = _ids(client, demo)
    school = projects["示例县第一中学综合楼（示例）"]["id"]
    n = client.post("/v1/rectifications", json={"project": school, "problem": "模板支撑间距过大", "deadline": "2099-01-05"},
                    headers=insp).json()["notice_no"]
    data = _jpeg()
    r = client.post(f"/v1/attachments/notice/{n}", files={"file": ("IMG_0001.JPG", data, "image/jpeg")}, headers=builder)
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["taken_at"] == "2026:12:01 10:20:30" and (a["width"], a["height"]) == (1600, 1200)
    listed = client.get(f"/v1/attachments/notice/{n}", headers=insp).json()
    assert [x["uid"] for x in listed] == [a["uid"]]
    f = client.get(f"/v1/attachments/file/{a['uid']}", headers=insp)
    assert f.status_code == 200 and f.headers["content-type"] == "image/jpeg" and f.content[:2] == b"\xff\xd8"
    assert f.headers["cache-control"].startswith("private")
    assert client.get(f"/v1/attachments/thumb/{a['uid']}", headers=builder).status_code == 200
    assert_problem(client.get(f"/v1/attachments/file/{a['uid']}", headers=demo.auth("other")), 404)
    assert_problem(client.get(f"/v1/attachments/file/{a['uid']}"), 401)
    bad = client.post(f"/v1/attachments/notice/{n}", files={"file": ("photo.jpg", b"<html>not a photo</html>", "image/jpeg")},
                      headers=builder)
    assert "不是可识别的照片" in assert_problem(bad, 415, "unsupported_attachment")["detail"]
    assert_problem(client.post(f"/v1/attachments/notice/{n}", files={"file": ("a.jpg", data, "image/jpeg")},
                               headers=demo.auth("other")), 403)
    reply = client.post(f"/v1/rectifications/{n}/reply", json={"reply": "已加密立杆"}, headers=builder)
    assert reply.json()["status"] == "replied"


def test_expert_context_and_hand_back(client, demo):
    admin, expert = demo.auth("admin"), demo.auth("expert")
    visits = client.get("/v1/visits", headers=admin).json()
    v = next(x for x in visits if x["enterprise_name"] == "示例市政建设有限公司")["visit_no"]
    assert client.post(f"/v1/visits/{v}/assign", json={"experts": ["zhao"], "planned_date": _workday(client, demo)},
                       headers=admin).status_code == 200
    ctx = client.get(f"/v1/visits/{v}/context", headers=expert).json()
    assert ctx["credit"]["grade"] == "D" and "score" not in ctx["credit"]
    assert [n["problem"] for n in ctx["open_notices"]] == ["三层楼板钢筋保护层厚度抽检不合格（示例）"]
    back = client.post(f"/v1/visits/{v}/release", json={"reason": "当天在外地"}, headers=expert)
    assert back.status_code == 200 and back.json()["status"] == "submitted"
    assert_problem(client.get(f"/v1/visits/{v}/context", headers=expert), 404)  # no longer his: like a missing one


def test_chat_history_comes_back_for_its_owner_only(client, demo):
    me = demo.auth("contractor")
    r = client.post("/v1/chat", json={"text": "你好"}, headers=me).json()
    cid = r["conversation_id"]
    client.post("/v1/chat", json={"text": "我的预约", "conversation_id": cid}, headers=me)
    messages = client.get(f"/v1/chat/{cid}", headers=me).json()["messages"]
    assert [m["role"] for m in messages] == ["user", "bot", "user", "bot"]
    assert messages[0]["text"] == "你好" and messages[2]["text"] == "我的预约" and messages[3]["text"]
    assert client.get(f"/v1/chat/{cid}", headers=demo.auth("other")).json()["messages"] == []


def test_settings_are_read_only_text_with_secrets_masked(client, demo, api_app):
    rows = {s["key"]: s for s in client.get("/v1/settings", headers=demo.auth("admin")).json()}
    assert rows["booking_milestone_roles"]["value"] == '{"竣工验收监督": ["owner"]}'
    assert rows["booking_milestone_roles"]["label"] == "各事项可由哪些参建单位预约"
    assert rows["telegram_token"]["value"] == "未设置" and rows["station_name"]["env"] == "ZHIJIAN_STATION_NAME"
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in s["label"]) for s in rows.values())
    assert_problem(client.get("/v1/settings", headers=demo.auth("inspector")), 403)
