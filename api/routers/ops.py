"""Operations: /healthz (database and index) and /metrics (Prometheus, admins)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response

from api.deps import ADMIN, get_services, require
from api.schemas import HealthOut
from api.services import Services
from assistant.store import migrate
from assistant.store.actors import Actor

router = APIRouter(tags=["运行状态"])


def _database(services: Services) -> dict[str, Any]:
    try:
        current = migrate.current_revision(services.engine)
    except Exception as exc:  # any driver error means "down"; the message is for operators
        return {"ok": False, "detail": f"数据库无法连接：{type(exc).__name__}"}
    head = migrate.head_revision()
    if current != head:
        return {"ok": False, "revision": current, "expected": head,
                "detail": "数据库尚未初始化或版本不一致，请运行 zhijian db upgrade"}
    return {"ok": True, "revision": current, "backend": services.engine.dialect.name}


def _index(services: Services) -> dict[str, Any]:
    try:
        searcher = services.searcher()
    except Exception as exc:
        return {"ok": False, "detail": str(exc) or type(exc).__name__}
    m = searcher.manifest
    return {"ok": True, "version": m.version_id, "documents": len(m.docs), "clauses": m.live_rows,
            "embedder": m.embedder}


@router.get("/healthz", response_model=HealthOut, summary="健康检查", description="数据库和索引都可用时 200，否则 503。",
            responses={503: {"description": "数据库或索引不可用", "model": HealthOut}})
def healthz(services: Services = Depends(get_services)) -> JSONResponse:
    db, index = _database(services), _index(services)
    ok = db["ok"] and index["ok"]
    body = HealthOut(status="ok" if ok else "degraded", database=db, index=index, checked_at=datetime.now(UTC))
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if ok else 503,
                        headers={"Cache-Control": "no-store"})


@router.get("/metrics", summary="Prometheus 指标（管理员）", response_class=Response,
            responses={200: {"content": {"text/plain": {}}, "description": "Prometheus 文本格式"}})
def metrics(services: Services = Depends(get_services), _actor: Actor = Depends(require(*ADMIN))) -> Response:
    body, content_type = services.metrics.render()
    return Response(body, media_type=content_type)
