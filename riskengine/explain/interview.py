"""An interactive consultation: ask what matters most for this case until answers can no longer change it.

The loop is: assess → take the highest-impact missing fact not yet asked → ask it → record the answer
→ show how the assessment firmed up. It stops when no unasked missing fact could change the risk
level, agent verdict, strategy, escalation or channels. I/O goes through the ``ask``/``say``
callables so the same logic runs in a terminal (click) and in tests.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Any, Callable

from riskengine.contracts.assessment import Assessment
from riskengine.errors import CaseError
from riskengine.language.fields import FIELD_TYPES, allowed_values, kind_of, parse_bool, set_path

REQUIRED = ("id", "received", "industry", "channel", "category")
SKIP = {"", "?", "skip", "unknown", "不知道", "跳过"}
MAX_QUESTIONS = 40


def summary(a: Assessment, lang: str) -> str:
    strategy = a.strategy.name.get(lang) if a.strategy else "-"
    channels = ", ".join(c.id for c in a.channels) or "-"
    agent = "agent suspected" if a.agent.suspected else "no agent"
    return (f"  → risk {a.risk.level} ({a.risk.score}), {agent} ({a.agent.score}), strategy: {strategy}, "
            f"escalation {a.escalation.level}, channels: {channels}")


def parse_answer(field: str, text: str) -> Any:
    """Turn a typed answer into a case value; raises ValueError with what is expected."""
    text = text.strip()
    if field == "received":
        from riskengine.contracts.bounds import DATE_MAX, DATE_MIN
        day = dt.date.fromisoformat(text)
        if not DATE_MIN <= day <= DATE_MAX:
            raise ValueError(f"expected a date between {DATE_MIN} and {DATE_MAX}")
        return day.isoformat()
    kind = kind_of(field)
    allowed = allowed_values(field)
    if kind == "list":
        values = [v.strip() for v in text.replace("，", ",").split(",") if v.strip()]
        bad = [v for v in values if allowed and v not in allowed]
        if bad:
            raise ValueError(f"expected some of {', '.join(allowed)}")
        return values
    if allowed is not None:
        if text not in allowed:
            raise ValueError(f"expected one of {', '.join(allowed)}")
        return text
    if kind == "bool":
        parsed = parse_bool(text)
        if parsed is None:
            raise ValueError("expected yes or no")
        return parsed
    if kind == "number":
        number = float(text)
        if not math.isfinite(number):
            raise ValueError("expected a finite number")
        return int(number) if number.is_integer() and "int" in str(FIELD_TYPES[field]) else number
    return text


def run_interview(engine, data: dict, ask: Callable[[str], str], say: Callable[[str], None],
                  lang: str = "zh") -> tuple[dict, Assessment]:
    data = dict(data)
    for field in REQUIRED:
        while field not in data:
            choices = allowed_values(field)
            hint = f" [{'/'.join(choices)}]" if choices else " [YYYY-MM-DD]" if field == "received" else ""
            answer = ask(f"{field}{hint}")
            try:
                set_path(data, field, parse_answer(field, answer))
            except ValueError as exc:
                say(f"  ! {exc}")
    asked: set[str] = set()
    result = engine.assess(data)
    say(summary(result, lang))
    for _ in range(MAX_QUESTIONS):
        pending = [m for m in result.missing_facts if m.fact not in asked]
        if not pending:
            say("  ✓ no further answer can change the outcome" if lang == "en" else "  ✓ 再多的回答也不会改变结论")
            break
        question = pending[0]
        asked.add(question.fact)
        is_signal = question.fact.startswith("signal:")
        field = question.fact
        hint = " [y/n]" if is_signal else _hint(field)
        for _attempt in range(3):
            answer = ask(f"{question.question.get(lang)}{hint}")
            if answer.strip().lower() in SKIP:
                break
            try:
                _record(data, field, is_signal, answer)
                result = engine.assess(data)
            except (ValueError, CaseError) as exc:
                say(f"  ! {exc}")
                _undo(data, field, is_signal)
                continue
            say(summary(result, lang))
            break
    return data, result


def _record(data: dict, field: str, is_signal: bool, answer: str) -> None:
    if not is_signal:
        set_path(data, field, parse_answer(field, answer))
        return
    present = parse_bool(answer)
    if present is None:
        raise ValueError("expected yes or no")
    if present:
        data["signals"] = list(data.get("signals", [])) + [field.split(":", 1)[1]]


def _hint(field: str) -> str:
    choices = allowed_values(field)
    if choices:
        return f" [{'/'.join(choices)}]"
    return " [y/n]" if kind_of(field) == "bool" else ""


def _undo(data: dict, field: str, is_signal: bool) -> None:
    if is_signal:
        sid = field.split(":", 1)[1]
        data["signals"] = [s for s in data.get("signals", []) if s != sid]
        return
    node = data
    parts = field.split(".")
    for p in parts[:-1]:
        node = node.get(p, {})
    node.pop(parts[-1], None)

