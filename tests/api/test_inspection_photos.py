"""Photos on inspection records (the phone page uploads them before citing them in a finding): staff upload to
the record, the upload's id is what a finding and a notice reply refer to, a contractor sees only its projects'.
"""

from __future__ import annotations

import io

from PIL import Image

from .conftest import assert_problem


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 130, 140)).save(buf, "JPEG")
    return buf.getvalue()


def test_photos_on_an_inspection_record_are_cited_by_id(client, demo):
    zhang, boss, other = demo.auth("inspector"), demo.auth("contractor"), demo.auth("other")
    school = next(p for p in client.get("/v1/projects", headers=zhang).json() if p["name"].startswith("示例县第一中学"))
    record_no = client.post("/v1/inspections", headers=zhang, json={"project": school["id"], "position": "三层楼板"}).json()["record_no"]

    up = client.post(f"/v1/attachments/inspection/{record_no}", headers=zhang, files=[("file", ("板底.jpg", _jpeg(), "image/jpeg"))])
    assert up.status_code == 201, up.text
    photo = up.json()
    assert photo["subject_type"] == "inspection" and isinstance(photo["id"], int) and photo["id"] > 0
    finding = client.post(f"/v1/inspections/{record_no}/findings", headers=zhang, json={
        "category": "entity", "problem": "板底垫块用碎砖代替", "cited_code": "ZJ/T 102-2025", "cited_clause": "5.0.2",
        "photos": [photo["id"]]}).json()
    assert finding["photos"] == [photo["id"]]

    # the contractor of the project sees the photo but may not add one; another firm sees nothing
    assert [a["id"] for a in client.get(f"/v1/attachments/inspection/{record_no}", headers=boss).json()] == [photo["id"]]
    refused = client.post(f"/v1/attachments/inspection/{record_no}", headers=boss, files=[("file", ("x.jpg", _jpeg(), "image/jpeg"))])
    assert "工作人员" in assert_problem(refused, 403)["detail"]
    assert client.get(f"/v1/attachments/inspection/{record_no}", headers=other).status_code in (403, 404)
    missing = client.post("/v1/attachments/inspection/JC9999-0001", headers=zhang, files=[("file", ("x.jpg", _jpeg(), "image/jpeg"))])
    assert "监督检查记录" in assert_problem(missing, 404)["detail"]


def test_case_preview_shows_what_publishing_would_keep_and_saves_nothing(client, demo):
    from .conftest import rows

    zhang, boss = demo.auth("inspector"), demo.auth("contractor")
    n = client.get("/v1/rectifications", headers=zhang).json()
    notice = n[0]
    no = notice["notice_no"]
    body = {"title": "垫块", "problem": f"{notice['responsible_enterprise_name']}用碎砖代替垫块，联系人电话 13812345678",
            "cause": "班组图省事", "treatment": "更换垫块", "tags": ["垫块"]}
    early = client.post(f"/v1/rectifications/{no}/case-preview", headers=zhang, json=body)
    assert "销项" in assert_problem(early, 409)["detail"]
    if notice["status"] == "open":
        assert client.post(f"/v1/rectifications/{no}/reply", headers=zhang, json={"reply": "已整改"}).status_code == 200
    client.post(f"/v1/rectifications/{no}/reinspect", headers=zhang, json={"passed": True, "note": "复查合格"})
    before = rows(client.app, "published_cases")
    r = client.post(f"/v1/rectifications/{no}/case-preview", headers=zhang, json=body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert notice["responsible_enterprise_name"][:4] not in out["problem"] and "13812345678" not in out["problem"]
    assert "某施工单位" in out["problem"] and "［电话已隐去］" in out["problem"]
    assert out["cause"] == "班组图省事" and out["tags"] == ["垫块"]
    assert rows(client.app, "published_cases") == before
    assert client.post(f"/v1/rectifications/{no}/case-preview", headers=boss, json=body).status_code == 403
