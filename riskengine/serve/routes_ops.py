"""Operations: /healthz, /readyz, /v1/status, /metrics and POST /v1/admin/reload."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from .deps import scope, service
from .models import Health, ReloadOutcome, StatusResponse
from .openapi import problems
from .problems import ApiProblem

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """The process is alive (it may still be loading its ruleset)."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses=problems(503))
def readyz(request: Request) -> Health:
    """A ruleset is loaded and passed its rule tests (503 until then)."""
    loaded = service(request).loaded()
    return Health(status="ready", version=loaded.version)


@router.get("/v1/status", response_model=StatusResponse, dependencies=[scope("assess")],
            responses=problems(401, 403, 500))
def status(request: Request) -> StatusResponse:
    """Ruleset version, when it was loaded, its counts, and the last reload's result and error."""
    svc = service(request)
    current = svc.holder.current
    counts = current.counts() if current else None
    log = svc.decision_log
    return StatusResponse(
        ready=current is not None, version=current.version if current else None,
        loaded_at=current.loaded_at.isoformat() if current else None, source=current.source if current else None,
        rules=counts.pop("rules") if counts else None, knowledge=counts, tests_passed=current.tests_passed
        if current else None, last_reload=ReloadOutcome(**svc.holder.last_reload), service_version=svc.version,
        decision_log={"path": log.path, "written": log.written, "dropped": log.dropped} if log else None,
        auth=svc.keys.enabled)


@router.get("/metrics", response_class=Response,
            responses={200: {"description": "Prometheus text format", "content": {"text/plain": {}}}})
def metrics(request: Request) -> Response:
    """Decisions by risk level and engine, latency, reloads by result, the serving ruleset's version."""
    from prometheus_client import CONTENT_TYPE_LATEST
    return Response(service(request).metrics.exposition(), media_type=CONTENT_TYPE_LATEST)


@router.post("/v1/admin/reload", response_model=ReloadOutcome, dependencies=[scope("admin")], tags=["admin"],
             responses=problems(401, 403, 422, 500, 503))
async def admin_reload(request: Request) -> JSONResponse:
    """Load → validate → compile → rule tests → swap. A refused ruleset changes nothing (422, with why)."""
    svc = service(request)
    outcome = await svc.compute(svc.holder.reload, "admin")
    if outcome["result"] != "success":
        loaded = svc.holder.current
        keeps = f"; still serving {loaded.version}" if loaded else "; no ruleset is serving"
        raise ApiProblem(422, "reload-failed", f"{outcome['step']} failed{keeps}", outcome["errors"])
    return JSONResponse(ReloadOutcome(**outcome).model_dump())
