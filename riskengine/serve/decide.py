"""The decisions themselves, as plain functions of a loaded ruleset and a raw case (run in the service's
thread pool): assessment JSON with decision id and version, explanations, missing facts."""
from __future__ import annotations

import dataclasses
import json
import uuid
from typing import Any

from ..errors import CaseError
from .loading import Loaded
from .problems import invalid_case

LEVELS = {"zh": {"low": "低", "medium": "中", "high": "高", "critical": "极高"},
          "en": {"low": "low", "medium": "medium", "high": "high", "critical": "critical"}}


def parse(loaded: Loaded, raw: Any, base: str = ""):
    try:
        return loaded.engine.parse_case(raw)
    except CaseError as exc:
        raise invalid_case(exc, base) from None


def summary_line(a, lang: str) -> str:
    """One line for a list or a notification, in the language asked for."""
    level = LEVELS[lang][a.risk.level]
    strategy = a.strategy.name.get(lang) if a.strategy else "-"
    owner = a.escalation.owner.get(lang)
    due = a.escalation.respond_by.isoformat() if a.escalation.respond_by else "-"
    if lang == "zh":
        agent = "；疑似职业代理" if a.agent.suspected else ""
        return (f"风险{level}（{a.risk.score} 分）{agent}；策略：{strategy}；第 {a.escalation.level} 级升级，"
                f"{owner} {a.escalation.within_hours} 小时内介入；答复期限 {due}")
    agent = "; professional agent suspected" if a.agent.suspected else ""
    return (f"risk {level} ({a.risk.score}){agent}; strategy: {strategy}; escalation level {a.escalation.level}, "
            f"{owner} within {a.escalation.within_hours} h; respond by {due}")


def traces_of(a, ev) -> list[dict]:
    from riskengine.explain.why import recommendation_traces
    return [{"recommendation": label, "because": [dataclasses.asdict(n) for n in nodes]}
            for label, nodes in recommendation_traces(a, ev)]


def assess(loaded: Loaded, raw: Any, *, explain: str, lang: str, engine_name: str, missing_facts: bool,
           base: str = "") -> tuple[str, Any, bytes]:
    """(decision id, Assessment, the answer as UTF-8 JSON bytes). Raises the 422 problem for a bad case.

    The answer is serialised once, by pydantic's serializer straight to bytes (the ~40 KB assessment is
    neither validated again nor decoded to text and encoded back), and sent as it is."""
    engine = loaded.engine
    case = parse(loaded, raw, base)
    traces = None
    if explain == "full":     # the explain command's path: the evaluation is kept for the traces
        from riskengine.decide.policy import decide
        state, hits, ev = engine.evaluate(case, engine_name)
        a = decide(engine.ruleset, state, ev, list(case.signals), hits, engine.evaluator(engine_name).name)
        if missing_facts:
            from riskengine.explain.missing_facts import missing_facts as compute_missing
            a.missing_facts = compute_missing(engine, case, a)
        traces = traces_of(a, ev)
    else:
        a = engine.assess(case, engine=engine_name, missing_facts=missing_facts)
    shown = a.model_copy(update={"explanation": []}) if explain == "none" else a
    decision_id = str(uuid.uuid4())
    head = json.dumps({"decision_id": decision_id, "version": loaded.version, "summary": summary_line(a, lang)},
                      ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    body = shown.__pydantic_serializer__.to_json(shown)       # what model_dump_json() encodes, as bytes
    parts = [head[:-1], b",", memoryview(body)[1:]]
    if traces is not None:
        parts[-1] = parts[-1][:-1]
        parts += [b',"traces":', json.dumps(traces, ensure_ascii=False, default=str,
                                            separators=(",", ":")).encode("utf-8"), b"}"]
    return decision_id, a, b"".join(parts)


def explain(loaded: Loaded, raw: Any, why_not_rule: str | None) -> dict:
    from riskengine.explain.why import recommendation_traces, render_trace, render_why_not, why_not
    from riskengine.decide.policy import decide
    from .problems import ApiProblem, error_item

    engine = loaded.engine
    case = parse(loaded, raw)
    out: dict[str, Any] = {"version": loaded.version, "case_id": case.id}
    if why_not_rule is not None:
        try:
            result = why_not(engine, case, why_not_rule)
        except CaseError as exc:        # no such rule: the CLI's message with its did-you-mean
            message, _, hint = exc.message.partition("; ")
            raise ApiProblem(422, "invalid-parameter", exc.message,
                             [error_item(exc.code, message, hint, None, parameter="why_not")]) from None
        out["why_not"] = json.loads(json.dumps(dataclasses.asdict(result), default=str, ensure_ascii=False))
        out["text"] = render_why_not(result)
        return out
    state, hits, ev = engine.evaluate(case)
    a = decide(engine.ruleset, state, ev, list(case.signals), hits, engine.evaluator().name)
    lines = []
    for label, nodes in recommendation_traces(a, ev):
        lines.append(f"{label}:")
        for node in nodes:
            lines.extend(render_trace(node, "  "))
    out["why"] = json.loads(json.dumps(traces_of(a, ev), default=str, ensure_ascii=False))
    out["text"] = lines
    return out


def missing(loaded: Loaded, raw: Any) -> dict:
    engine = loaded.engine
    case = parse(loaded, raw)
    a = engine.assess(case, engine="compiled", missing_facts=True)
    return {"version": loaded.version, "case_id": case.id,
            "missing_facts": [m.model_dump(mode="json") for m in a.missing_facts]}
