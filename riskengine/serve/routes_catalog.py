"""GET /v1/knowledge/{kind}[/{id}], /v1/rules/{id}, /v1/schemas/*.json and POST /v1/validate."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path, PurePosixPath

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from ..errors import CODES, did_you_mean
from riskengine.contracts.knowledge import KINDS
from .deps import scope, service
from .limits import JSON, parse_json, read_body, require_media
from .models import AssessResponse, KnowledgeEntry, KnowledgeList, ValidateRequest, ValidateResponse
from .openapi import problems, request_body
from .problems import ApiProblem, error_item, pointer

router = APIRouter(prefix="/v1", tags=["knowledge and rules"])
guarded = [scope("assess")]

KNOWLEDGE_KINDS = tuple(KINDS)


def _catalog(loaded, kind: str) -> dict:
    if kind not in KNOWLEDGE_KINDS:
        hint = did_you_mean(kind, KNOWLEDGE_KINDS) or f"kinds: {', '.join(KNOWLEDGE_KINDS)}"
        raise ApiProblem(404, "not-found", f"no knowledge kind '{kind}'",
                         [error_item("RE103", f"no knowledge kind '{kind}'", hint, None, parameter="kind")])
    return getattr(loaded.engine.ruleset.knowledge, kind)


def _entry(loaded, kind: str, key, entry) -> KnowledgeEntry:
    rs = loaded.engine.ruleset
    where = rs.sources.get(str(key) if kind == "rules" else f"{kind}:{key}")
    return KnowledgeEntry(kind=kind, id=str(key), version=loaded.version, source=str(where) if where else None,
                          entry=entry.model_dump(mode="json", by_alias=True, exclude_defaults=True))


def _find(loaded, kind: str, catalog: dict, entry_id: str):
    key = int(entry_id) if kind == "escalation" and entry_id.isdigit() else entry_id
    if key not in catalog:
        hint = did_you_mean(entry_id, map(str, catalog))
        raise ApiProblem(404, "not-found", f"no {kind} entry '{entry_id}'" + (f"; {hint}" if hint else ""),
                         [error_item("RE103", f"no {kind} entry '{entry_id}'", hint, None, parameter="id")])
    return _entry(loaded, kind, key, catalog[key])


@router.get("/knowledge/{kind}", response_model=KnowledgeList, dependencies=guarded,
            responses=problems(401, 403, 404, 500, 503))
def knowledge_list(kind: str, request: Request) -> KnowledgeList:
    """Every entry of one kind (taboos, indicators, agent_signs, legal_bases, channels, strategies, ...)."""
    loaded = service(request).loaded()
    catalog = _catalog(loaded, kind)
    return KnowledgeList(kind=kind, version=loaded.version,
                         entries=[_entry(loaded, kind, k, catalog[k]) for k in sorted(catalog, key=str)])


@router.get("/knowledge/{kind}/{entry_id}", response_model=KnowledgeEntry, dependencies=guarded,
            responses=problems(401, 403, 404, 500, 503))
def knowledge_show(kind: str, entry_id: str, request: Request) -> KnowledgeEntry:
    """One knowledge entry in full, with the file and line it is written at."""
    loaded = service(request).loaded()
    return _find(loaded, kind, _catalog(loaded, kind), entry_id)


@router.get("/rules/{rule_id}", response_model=KnowledgeEntry, dependencies=guarded,
            responses=problems(401, 403, 404, 500, 503))
def rule_show(rule_id: str, request: Request) -> KnowledgeEntry:
    """One rule in full, with the file and line it is written at."""
    loaded = service(request).loaded()
    return _find(loaded, "rules", loaded.engine.ruleset.rules_by_id, rule_id)


@router.get("/schemas/case.json", tags=["schemas"], responses={200: {"description": "JSON Schema of a case",
                                  "content": {"application/schema+json": {"schema": {"type": "object"}}}}})
def case_schema() -> JSONResponse:
    """JSON Schema of the case contract (what /v1/assess accepts; docs/case-format.md)."""
    from riskengine.contracts.case import Case
    return JSONResponse(Case.model_json_schema(), media_type="application/schema+json")


@router.get("/schemas/assessment.json", tags=["schemas"],
            responses={200: {"description": "JSON Schema of an assessment",
                             "content": {"application/schema+json": {"schema": {"type": "object"}}}}})
def assessment_schema() -> JSONResponse:
    """JSON Schema of what /v1/assess answers."""
    return JSONResponse(AssessResponse.model_json_schema(mode="serialization"), media_type="application/schema+json")


MAX_VALIDATE_FILES = 2000


@router.post("/validate", response_model=ValidateResponse, dependencies=guarded,
             openapi_extra=request_body(ValidateRequest),
             responses=problems(400, 401, 403, 413, 415, 422, 500, 503))
async def validate(request: Request) -> ValidateResponse:
    """Check a ruleset sent as files: the same problems as `riskengine validate`, with file:line:column."""
    svc = service(request)
    require_media(request, JSON)
    raw = parse_json(await read_body(request, svc.config.max_batch_body, svc.config.timeout))
    try:
        req = ValidateRequest.model_validate(raw)
    except ValidationError as exc:
        items = [error_item("RE201", f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}", "",
                            pointer(tuple(e["loc"]))) for e in exc.errors()]
        raise ApiProblem(422, "invalid-request", "; ".join(i["message"] for i in items[:5]), items) from None
    files = _check_paths(req.files)
    knowledge_dir = None if any(p.parts[0] == "knowledge" for p in files) else svc.loaded().knowledge_dir
    return await svc.compute(_validate, files, knowledge_dir)


def _check_paths(files: dict[str, str]) -> dict[PurePosixPath, str]:
    out, items = {}, []
    for name, text in files.items():
        p = PurePosixPath(name)
        if (p.is_absolute() or ".." in p.parts or len(p.parts) < 2 or p.parts[0] not in ("rules", "knowledge")
                or p.suffix not in (".yaml", ".yml") or "\\" in name or "\0" in name):
            items.append(error_item("RE002", f"{name}: not a rule or knowledge file path",
                                    "write paths like rules/claims.yaml or knowledge/taboos.yaml",
                                    pointer(("files", name))))
            continue
        out[p] = text
    if not any(p.parts[0] == "rules" for p in out) and not items:
        items.append(error_item("RE002", "no rules/ file sent", "send at least one rules/*.yaml file",
                                "/files"))
    if items:
        raise ApiProblem(422, "invalid-request", items[0]["message"], items)
    return out


def _validate(files: dict[PurePosixPath, str], knowledge_dir: str | None) -> ValidateResponse:
    from ..errors import RulesetError
    from riskengine.load.cached_loader import load_ruleset

    tmp = Path(tempfile.mkdtemp(prefix="riskengine-validate-"))
    try:
        for rel, text in files.items():
            dest = tmp.joinpath(*rel.parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text, encoding="utf-8")
        (tmp / "rules").mkdir(exist_ok=True)
        kdir = Path(knowledge_dir) if knowledge_dir else tmp / "knowledge"
        kdir.mkdir(exist_ok=True)
        try:
            rs = load_ruleset(tmp / "rules", kdir, strict=False)
            found, version, counts = rs.problems, rs.version, rs.counts()
        except RulesetError as exc:
            found, version, counts = exc.problems, None, None
        prefix = tmp.as_posix() + "/"
        out = []
        for p in found:
            def clean(s: str) -> str:
                return s.replace(prefix, "")
            q = type(p)(clean(p.file), p.line, p.column, p.code, clean(p.message), clean(p.hint), p.severity)
            out.append({"file": q.file, "line": q.line, "column": q.column, "code": q.code,
                        "name": CODES.get(q.code, ""), "severity": q.severity, "message": q.message,
                        "hint": q.hint, "text": str(q)})
        errors = sum(1 for p in out if p["severity"] == "error")
        return ValidateResponse(ok=errors == 0, version=version if errors == 0 else None, errors=errors,
                                warnings=len(out) - errors, problems=out, counts=counts if errors == 0 else None)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
