"""Errors as RFC 9457 ``application/problem+json``, with the CLI's codes, messages and did-you-mean.

Every error a client can cause is an :class:`ApiProblem`; anything else becomes a 500 problem that says
only that it happened and the request id it was logged under. No response ever carries a stack trace.
"""
from __future__ import annotations

import json
import logging
from typing import Any

from ..errors import CODES, CaseError, Problem

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:riskengine:problem:"     # the kinds are listed in docs/service.md

TITLES = {
    "malformed-json": "The body is not valid JSON",
    "invalid-case": "The case does not fit the case contract",
    "invalid-request": "The request does not fit its contract",
    "invalid-parameter": "A query or path parameter is not valid",
    "too-large": "The request body is too large",
    "unsupported-media-type": "The body's media type is not accepted here",
    "unauthorized": "An API key is needed",
    "forbidden": "The API key lacks the scope this needs",
    "not-ready": "No ruleset is loaded yet",
    "timeout": "The request took longer than the service allows",
    "not-found": "Nothing is found here",
    "method-not-allowed": "This method is not allowed here",
    "reload-failed": "The new ruleset was refused; the last good one keeps serving",
    "internal-error": "An unexpected error",
}

log = logging.getLogger("riskengine.serve")


def error_item(code: str, message: str, hint: str = "", pointer: str | None = "",
               parameter: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"pointer": pointer, "code": code, "name": CODES.get(code, ""), "message": message,
                            "hint": hint}
    if parameter is not None:
        item["parameter"] = parameter
    return item


def pointer(loc: tuple, base: str = "") -> str:
    """RFC 6901 JSON pointer of a field path (``("demand", "type")`` → ``/demand/type``)."""
    return base + "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in loc)


def case_error_items(exc: CaseError, base: str = "") -> list[dict[str, Any]]:
    """The items of a case error: one per field when the engine said which (the same texts as the CLI)."""
    if exc.details:
        return [error_item(d.code, f"{d.field}: {d.message}", d.hint, pointer(d.loc, base)) for d in exc.details]
    return [error_item(exc.code, exc.message, "", base)]


def ruleset_problem_item(p: Problem) -> dict[str, Any]:
    where = f"{p.file}:{p.line}:{p.column}" if p.line else p.file
    return error_item(p.code, f"{where}: {p.message}", p.hint, None)


class ApiProblem(Exception):
    def __init__(self, status: int, kind: str, detail: str, errors: list[dict] | None = None,
                 headers: dict[str, str] | None = None, title: str | None = None):
        super().__init__(detail)
        self.status, self.kind, self.detail = status, kind, detail
        self.title = title or TITLES.get(kind, kind)
        self.errors = errors or []
        self.headers = headers or {}

    def body(self, instance: str) -> dict[str, Any]:
        return {"type": TYPE_PREFIX + self.kind, "title": self.title, "status": self.status, "detail": self.detail,
                "instance": instance, "errors": self.errors}


def invalid_case(exc: CaseError, base: str = "") -> ApiProblem:
    return ApiProblem(422, "invalid-case", str(exc.message), case_error_items(exc, base))


def malformed_json(exc: json.JSONDecodeError, first_line: int = 1) -> ApiProblem:
    """``first_line``: the line of the body the parsed text starts on (a record of a batch)."""
    return ApiProblem(400, "malformed-json", f"invalid JSON at line {exc.lineno + first_line - 1} column "
                      f"{exc.colno}: {exc.msg}",
                      [error_item("RE203", f"invalid JSON: {exc.msg}", "send one JSON object (check quotes and "
                                  "commas)", None)])


def instance_of(scope_or_request) -> str:
    state = getattr(scope_or_request, "state", None)
    rid = getattr(state, "request_id", None) if state is not None else None
    if not rid:
        return ""
    import uuid
    try:
        return f"urn:uuid:{uuid.UUID(rid)}"
    except ValueError:                  # the caller's own X-Request-ID
        return f"urn:riskengine:request:{rid}"


def response(problem: ApiProblem, instance: str):
    from fastapi.responses import JSONResponse
    return JSONResponse(problem.body(instance), status_code=problem.status, headers=problem.headers,
                        media_type=MEDIA_TYPE)


def install(app) -> None:
    """Turn every error the framework raises into a problem."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException

    async def on_problem(request, exc: ApiProblem):
        return response(exc, instance_of(request))

    async def on_http(request, exc: HTTPException):
        kind = {404: "not-found", 405: "method-not-allowed", 413: "too-large", 415: "unsupported-media-type",
                401: "unauthorized", 403: "forbidden", 503: "not-ready"}.get(exc.status_code, "invalid-request")
        detail = exc.detail if isinstance(exc.detail, str) else TITLES[kind]
        return response(ApiProblem(exc.status_code, kind, detail, headers=dict(exc.headers or {})),
                        instance_of(request))

    async def on_validation(request, exc: RequestValidationError):
        items = []
        for err in exc.errors():
            loc = tuple(err.get("loc", ()))
            where, rest = (loc[0], loc[1:]) if loc else ("", ())
            msg = err.get("msg", "invalid")
            if where in ("query", "path", "header"):
                name = ".".join(map(str, rest))
                items.append(error_item("RE201", f"{name}: {msg}", "", None, parameter=name))
            else:
                items.append(error_item("RE201", f"{'.'.join(map(str, rest)) or 'body'}: {msg}", "",
                                        pointer(rest)))
        status, kind = (400, "invalid-parameter") if all("parameter" in i for i in items) else (422, "invalid-request")
        detail = "; ".join(i["message"] for i in items[:5]) or TITLES[kind]
        return response(ApiProblem(status, kind, detail, items), instance_of(request))

    async def on_error(request, exc: Exception):
        instance = instance_of(request)
        log.error("unexpected error in %s %s (%s): %s", request.method, request.url.path, instance,
                  type(exc).__name__, exc_info=exc)
        return response(ApiProblem(500, "internal-error", f"logged under {instance or 'this request'}"),
                        instance)

    app.add_exception_handler(ApiProblem, on_problem)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(Exception, on_error)
