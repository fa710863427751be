"""The OpenAPI document: FastAPI's, plus the schemas of bodies the routes read themselves (the case, the
validate request) and the problem+json responses every route may give.

The routes read raw bodies so that a bad case gets the CLI's codes and did-you-mean (and 400/413/415 come
before any parsing); ``request_body`` documents such a body, ``PROBLEMS`` the error answers.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .models import ProblemDetails

REF = "#/components/schemas/{model}"
_EXTRA_MODELS: list[type[BaseModel]] = []       # filled at import by request_body(); read by install()


def _ref(model: type[BaseModel]) -> dict:
    return {"$ref": REF.format(model=model.__name__)}


def request_body(model: type[BaseModel], media: tuple[str, ...] = ("application/json",),
                 schema: dict | None = None, description: str = "") -> dict[str, Any]:
    if model not in _EXTRA_MODELS:
        _EXTRA_MODELS.append(model)
    return {"requestBody": {"required": True, "description": description,
                            "content": {m: {"schema": schema or _ref(model)} for m in media}}}


def problems(*statuses: int) -> dict[int | str, dict]:
    """The problem+json answers of a route."""
    if ProblemDetails not in _EXTRA_MODELS:
        _EXTRA_MODELS.append(ProblemDetails)
    words = {400: "malformed JSON or a bad parameter", 401: "no or unknown API key", 403: "the key lacks the scope",
             404: "not found", 413: "body too large", 415: "wrong media type", 422: "invalid case or request",
             500: "unexpected error (no details)", 503: "not ready, or timed out"}
    return {s: {"description": words[s], "content": {"application/problem+json": {"schema": _ref(ProblemDetails)}}}
            for s in statuses}


def install(app) -> None:
    from fastapi.openapi.utils import get_openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        for model in _EXTRA_MODELS:
            full = model.model_json_schema(ref_template=REF, mode="validation")
            for name, sub in full.pop("$defs", {}).items():
                _add(schemas, name, sub)
            _add(schemas, model.__name__, full)
        app.openapi_schema = doc
        return doc
    app.openapi = openapi


def _add(schemas: dict, name: str, schema: dict) -> None:
    if name in schemas and schemas[name] != schema:
        # FastAPI made its own (e.g. its serialization flavour): keep the one already there unless the
        # shapes differ in their fields, which would be a naming clash to fix here.
        if set(schemas[name].get("properties", {})) != set(schema.get("properties", {})):
            raise RuntimeError(f"two different schemas named {name} in the OpenAPI document")
        return
    schemas[name] = schema
