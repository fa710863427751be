"""``riskengine serve``: the HTTP decision service (docs/service.md).

Modules, one job each: ``config`` (the settings), ``loading`` (load → validate → compile → run the rule
tests → one immutable :class:`~riskengine.serve.loading.Loaded`), ``snapshot`` (the last good ruleset on
disk), ``reload`` (the holder that swaps rulesets, SIGHUP and file polling), ``problems`` (RFC 9457
errors), ``auth`` (API keys with scopes), ``limits`` (body size, media types, timeouts), ``metrics``
(Prometheus), ``decisionlog`` (masked decision records written off the request path), ``models`` (the
pydantic contract of the API), ``routes_*`` (the endpoints) and ``app`` (the factory that joins them).

Only this package imports FastAPI, uvicorn and prometheus-client (the ``serve`` extra); the core does not.
"""
from .config import ServeConfig

__all__ = ["ServeConfig", "create_app"]


def create_app(config: ServeConfig | None = None, **kwargs):
    from .app import create_app as _create
    return _create(config, **kwargs)
