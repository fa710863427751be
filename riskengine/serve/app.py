"""The application factory: one :class:`Service` (ruleset holder, keys, metrics, decision log, thread pool)
per app, the routers, the problem handlers and the request middleware.

Routers are kept apart so that more can be added (the handler's web page of issue 17 mounts ``/`` and
static files next to these without touching them).
"""
from __future__ import annotations

import asyncio
import logging
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from . import problems
from .auth import KeyStore
from .config import ServeConfig
from .decisionlog import DecisionLog
from .limits import compute, request_id
from .loading import Loaded
from .metrics import Metrics
from .problems import ApiProblem
from .reload import RulesetHolder

log = logging.getLogger("riskengine.serve")
DOC_PATHS = ("/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")


def _package_version() -> str:
    try:
        from importlib.metadata import version
        return version("riskengine")
    except Exception:
        return "unknown"


class Service:
    """Everything one app instance holds; nothing here is shared with another app."""

    def __init__(self, config: ServeConfig, keys: KeyStore | None = None):
        self.config = config
        self.metrics = Metrics()
        self.keys = keys if keys is not None else KeyStore.load(config.keys_file)
        self.holder = RulesetHolder(config, on_reload=self.metrics.on_reload)
        self.decision_log: DecisionLog | None = None
        # Assessments hold the GIL: more threads than this only make them wait for each other (and the
        # event loop for them); more throughput comes from --workers processes.
        self.executor = ThreadPoolExecutor(max_workers=config.threads, thread_name_prefix="riskengine-serve")
        self.version = _package_version()
        self._loader: threading.Thread | None = None
        self.started = False

    def loaded(self) -> Loaded:
        current = self.holder.current
        if current is None:
            raise ApiProblem(503, "not-ready", "the ruleset is still loading, or no ruleset passed its tests "
                             "(see /v1/status)", headers={"Retry-After": "5"})
        return current

    async def compute(self, fn, *args) -> Any:
        return await compute(self.executor, self.config.timeout, fn, *args)

    def start(self) -> None:
        if self.started:
            return
        self.started = True
        if self.config.log:
            self.decision_log = DecisionLog(self.config.log, on_drop=self.metrics.log_dropped.inc)
        if self.config.load_in_background:
            self._loader = threading.Thread(target=self._load, name="riskengine-load", daemon=True)
            self._loader.start()
        else:
            self._load()

    def _load(self) -> None:
        self.holder.start()
        if self.config.watch > 0:
            self.holder.watch(self.config.watch)

    def stop(self) -> None:
        self.holder.stop()
        if self._loader is not None:
            self._loader.join(timeout=60)
        self.executor.shutdown(wait=True)
        if self.decision_log is not None:
            self.decision_log.close()

    def reload_in_background(self, trigger: str) -> None:
        threading.Thread(target=self.holder.reload, args=(trigger,), name="riskengine-reload", daemon=True).start()


def _install_sighup(service: Service) -> bool:
    """SIGHUP reloads (single process; with --workers, uvicorn's supervisor restarts the workers instead)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGHUP"):
        return False
    try:
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, service.reload_in_background, "SIGHUP")
        return True
    except (NotImplementedError, RuntimeError, ValueError):
        return False


class RequestMiddleware:
    """Request id (X-Request-ID in and out), latency histogram and response counts by route template."""

    def __init__(self, app, service: Service):
        self.app = app
        self.service = service

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        from starlette.datastructures import Headers
        rid = request_id(Headers(scope=scope))
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = {"code": 500}

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                status["code"], status["sent"] = message["status"], True
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + [(b"x-request-id", rid.encode("ascii"))]
            await send(message)
        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            if status["code"] != 500 or status.get("sent"):
                raise
            from starlette.requests import Request
            request = Request(scope)
            instance = problems.instance_of(request)
            log.error("unexpected error in %s %s (%s): %s", scope["method"], scope["path"], instance,
                      type(exc).__name__, exc_info=exc)
            answer = problems.response(ApiProblem(500, "internal-error", f"logged under {instance}"), instance)
            await answer(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or (scope["path"] if scope["path"] in DOC_PATHS else "unmatched")
            m = self.service.metrics
            m.latency.labels(route=template, method=scope["method"]).observe(time.perf_counter() - started)
            m.responses.labels(route=template, status=str(status["code"])).inc()


def create_app(config: ServeConfig | None = None, *, keys: KeyStore | None = None, service: Service | None = None,
               handle_sighup: bool = True) -> FastAPI:
    config = config or ServeConfig()
    service = service or Service(config, keys)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if service.started:         # started by its owner (a test harness): the owner stops it too
            yield
            return
        service.start()
        if handle_sighup and config.workers <= 1:
            _install_sighup(service)
        try:
            yield
        finally:
            if handle_sighup and config.workers <= 1:
                try:
                    asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
                except Exception:
                    pass
            service.stop()

    app = FastAPI(title="riskengine", version=service.version, lifespan=lifespan,
                  description="Complaint risk decisions over HTTP: the same assessments as the `riskengine` "
                              "command line (docs/service.md). Errors are RFC 9457 problem details.")
    app.state.service = service
    problems.install(app)
    from .routes_catalog import router as catalog
    from .routes_decide import router as decide
    from .routes_ops import router as ops
    for router in (decide, catalog, ops):
        app.include_router(router)
    from .routes_decide import DIRECT_ROUTES
    app.router.routes[:0] = DIRECT_ROUTES      # matched first; the routes they stand in for stay documented
    from .web import mount as mount_web; mount_web(app)  # noqa: E702 - the handler's web page at / (issue 17)
    from .openapi import install as install_openapi
    install_openapi(app)
    app.add_middleware(RequestMiddleware, service=service)
    return app


def log_to_stderr() -> None:
    """The service's own messages (reloads, refused rulesets) beside uvicorn's, once per process."""
    logger = logging.getLogger("riskengine.serve")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     riskengine: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def app_from_env() -> FastAPI:
    """The factory uvicorn calls in each worker process (``serve --workers N``)."""
    log_to_stderr()
    return create_app(ServeConfig.from_env())
