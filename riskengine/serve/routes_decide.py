"""POST /v1/assess, /v1/assess/batch, /v1/explain and /v1/missing-facts."""
from __future__ import annotations

import json
import logging
import time
from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.routing import Match, Route

from riskengine.contracts.case import Case
from riskengine.io.casefile import MAX_LINE_BYTES
from . import decide
from .auth import check
from .deps import scope, service
from .limits import JSON, JSON_LINES, parse_json, read_body, require_media
from .models import AssessResponse, ExplainResponse, MissingFactsResponse
from .openapi import problems, request_body
from .problems import ApiProblem

log = logging.getLogger("riskengine.serve")
router = APIRouter(prefix="/v1", tags=["decisions"], dependencies=[scope("assess")])

CASE_BODY = request_body(Case, description="one case, as in a case file (docs/case-format.md)")
ExplainLevel = Literal["none", "summary", "full"]
Lang = Literal["zh", "en"]
EngineName = Literal["compiled", "experta"]


async def _case_body(request: Request, sized: bool = False):
    svc = service(request)
    require_media(request, JSON)
    body = await read_body(request, svc.config.max_body, svc.config.timeout)
    return (parse_json(body), len(body)) if sized else parse_json(body)


# A plain assessment of a case this small takes a few milliseconds: it is computed on the event loop,
# which costs less than handing it to a thread (a third of the HTTP overhead) and loses nothing, since
# an assessment holds the GIL either way. Larger cases, missing facts and full traces go to the thread
# pool, where --timeout applies.
INLINE_MAX_BODY = 16_384


@router.post("/assess", response_model=None, openapi_extra=CASE_BODY,
             responses={200: {"model": AssessResponse, "description": "the assessment"},
                        **problems(400, 401, 403, 413, 415, 422, 500, 503)})
async def assess(request: Request,
                 explain: ExplainLevel = Query("summary", description="none: no explanation steps; summary: the "
                                               "fired rules in order (as the CLI's JSON); full: also each "
                                               "recommendation traced back to its rules and facts"),
                 lang: Lang = Query("zh", description="language of `summary` (the assessment carries both)"),
                 engine: EngineName = Query("compiled", description="compiled: the fast path, proven equal; "
                                            "experta: the reference engine"),
                 missing_facts: bool = Query(False, description="also compute the facts that would change the "
                                             "answer (about 20 ms more; as `riskengine assess` does)")) -> Response:
    """Assess one case: the JSON of `riskengine assess --format json`, plus decision_id, version and summary."""
    svc = service(request)
    loaded = svc.loaded()
    raw, size = await _case_body(request, sized=True)

    def work():
        started = time.thread_time()
        try:
            return decide.assess(loaded, raw, explain=explain, lang=lang, engine_name=engine,
                                 missing_facts=missing_facts)
        finally:
            svc.metrics.assess_cpu.inc(time.thread_time() - started)
    if size <= INLINE_MAX_BODY and not missing_facts and explain != "full" and engine == "compiled":
        decision_id, a, text = work()
    else:
        decision_id, a, text = await svc.compute(work)
    _count(svc, a, decision_id, raw)
    return Response(text, media_type="application/json", headers={"Content-Language": lang})


class _AssessQuery(BaseModel):
    """The query of POST /v1/assess, as the route above declares it (checked by a test)."""
    model_config = ConfigDict(extra="ignore")
    explain: ExplainLevel = "summary"
    lang: Lang = "zh"
    engine: EngineName = "compiled"
    missing_facts: bool = False


async def assess_direct(request: Request) -> Response:
    """POST /v1/assess without FastAPI's per-request dependency and parameter resolution and its route
    layers (about 0.4 ms of CPU a request on the bench machine, against ~2.5 ms for the assessment; see
    bench/README.md): the same scope check, the same query (validated by one model, its errors the same
    400 problem), then the route function above. It is mounted in front of that route (``app.py``),
    which stays what /openapi.json and /docs describe."""
    check(service(request).keys, request.headers, "assess")
    try:
        query = _AssessQuery.model_validate(dict(request.query_params))
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("query", *e["loc"])} for e in exc.errors()]) from None
    return await assess(request, explain=query.explain, lang=query.lang, engine=query.engine,
                        missing_facts=query.missing_facts)


class _DirectRoute(Route):
    def matches(self, scope):
        match, child = super().matches(scope)
        if match is not Match.NONE:
            child["route"] = self               # the route template the request metrics are labelled with
        return match, child


DIRECT_ROUTES = [_DirectRoute("/v1/assess", assess_direct, methods=["POST"], include_in_schema=False)]


def _count(svc, a, decision_id: str, raw) -> None:
    svc.metrics.decisions.labels(risk_level=a.risk.level, engine=a.engine).inc()
    if svc.decision_log is not None:
        svc.decision_log.submit(decision_id, raw, a)


@router.post("/assess/batch", response_model=None,
             openapi_extra=request_body(Case, JSON_LINES, {"type": "string"},
                                        "JSON Lines: one case per line (at most --max-batch-lines lines)"),
             responses={200: {"description": "JSON Lines, one per input line in order: the assessment with "
                                             "`line`, `decision_id` and `version`, or `{line, case_id, error}`",
                              "content": {"application/x-ndjson": {"schema": {"type": "string"}}}},
                        **problems(401, 403, 413, 415, 500, 503)})
async def assess_batch(request: Request, lang: Lang = "zh", engine: EngineName = "compiled",
                       explain: ExplainLevel = "summary", missing_facts: bool = False) -> Response:
    """Assess many cases: JSON Lines in, JSON Lines out, in input order; a bad line is an error line."""
    svc = service(request)
    loaded = svc.loaded()
    require_media(request, JSON_LINES)
    body = await read_body(request, svc.config.max_batch_body, svc.config.timeout)
    lines = body.split(b"\n")
    most = svc.config.max_batch_lines

    def one(lineno: int, line: bytes) -> bytes:
        base = {"line": lineno, "case_id": None}
        if len(line) > MAX_LINE_BYTES:
            return _error_line(base, ApiProblem(413, "too-large", f"line is longer than {MAX_LINE_BYTES} bytes"))
        try:
            raw = parse_json(line, lineno)
            case_id = raw.get("id") if isinstance(raw, dict) else None
            base["case_id"] = case_id if isinstance(case_id, str) else None
            decision_id, a, text = decide.assess(loaded, raw, explain=explain, lang=lang, engine_name=engine,
                                                 missing_facts=missing_facts)
        except ApiProblem as problem:
            return _error_line(base, problem)
        except Exception as exc:        # a bug met by one record: that record's line says so, the rest go on
            log.error("unexpected error on batch line %d: %s", lineno, type(exc).__name__, exc_info=exc)
            return _error_line(base, ApiProblem(500, "internal-error", f"line {lineno} could not be assessed"))
        _count(svc, a, decision_id, raw)
        return b'{"line":%d,' % lineno + memoryview(text)[1:]

    def chunk(items: list[tuple[int, bytes]]) -> bytes:
        return b"".join(one(n, line) + b"\n" for n, line in items)

    async def answers():
        batch: list[tuple[int, bytes]] = []
        seen = 0
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            seen += 1
            if seen > most:
                if batch:
                    yield await _chunk(svc, chunk, batch)
                    batch = []
                yield _error_line({"line": lineno, "case_id": None}, ApiProblem(
                    413, "too-large", f"a batch holds at most {most} records; this line and those after it "
                    "were not assessed")) + b"\n"
                break
            batch.append((lineno, line))
            if len(batch) == 32:
                yield await _chunk(svc, chunk, batch)
                batch = []
        if batch:
            yield await _chunk(svc, chunk, batch)
    return StreamingResponse(answers(), media_type="application/x-ndjson")


async def _chunk(svc, fn, batch) -> bytes:
    try:
        return await svc.compute(fn, list(batch))
    except ApiProblem as problem:       # a timeout: say so for each line of the chunk
        return b"".join(_error_line({"line": n, "case_id": None}, problem) + b"\n" for n, _ in batch)


def _error_line(base: dict, problem: ApiProblem) -> bytes:
    body = problem.body("")
    body.pop("instance")
    return json.dumps({**base, "error": body}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@router.post("/explain", response_model=ExplainResponse, openapi_extra=CASE_BODY,
             responses=problems(400, 401, 403, 413, 415, 422, 500, 503))
async def explain(request: Request,
                  why_not: str | None = Query(None, max_length=200,
                                              description="a rule id: why did it not fire?")) -> ExplainResponse:
    """Why: every recommendation traced to its rules and facts; or why a rule did not fire (`why_not`)."""
    svc = service(request)
    loaded = svc.loaded()
    raw = await _case_body(request)
    return ExplainResponse.model_validate(await svc.compute(decide.explain, loaded, raw, why_not))


@router.post("/missing-facts", response_model=MissingFactsResponse, openapi_extra=CASE_BODY,
             responses=problems(400, 401, 403, 413, 415, 422, 500, 503))
async def missing_facts(request: Request) -> MissingFactsResponse:
    """The unknown facts that would change the answer, highest impact first, with the question to ask."""
    svc = service(request)
    loaded = svc.loaded()
    raw = await _case_body(request)
    return MissingFactsResponse.model_validate(await svc.compute(decide.missing, loaded, raw))
