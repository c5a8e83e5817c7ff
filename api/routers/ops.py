"""Operations: /healthz (database and index) and /metrics (Prometheus, admins)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response

from api.deps import ADMIN, get_services, require
from api.schemas import HealthOut
from api.services import Services
from assistant.store.actors import Actor

router = APIRouter(tags=["运行状态"])


@router.get("/healthz", response_model=HealthOut, summary="健康检查", description="数据库和索引都可用时 200（索引落后于条文库时 status 为 degraded），否则 503。",
            responses={503: {"description": "数据库或索引不可用", "model": HealthOut}})
def healthz(services: Services = Depends(get_services)) -> JSONResponse:
    report = services.assistant.health()
    body = HealthOut(status="degraded" if report.degraded else "ok", database=report.database, index=report.index,
                     checked_at=datetime.now(UTC))
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if report.ok else 503,
                        headers={"Cache-Control": "no-store"})


@router.get("/metrics", summary="Prometheus 指标（管理员）", response_class=Response,
            responses={200: {"content": {"text/plain": {}}, "description": "Prometheus 文本格式"}})
def metrics(services: Services = Depends(get_services), _actor: Actor = Depends(require(*ADMIN))) -> Response:
    body, content_type = services.metrics.render()
    return Response(body, media_type=content_type)
