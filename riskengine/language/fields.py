"""From a validated :class:`Case` to the facts the rules see.

The fact dict is the case itself (nested like the case file) plus a ``derived`` block of values the
rules need but a handler should not have to compute. ``FIELD_TYPES`` lists every path a rule may name.
"""
from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from riskengine.contracts.case import FINANCIAL_INDUSTRIES, Case

# Derived values: path -> (python type, what it means). Documented in docs/case-format.md.
DERIVED: dict[str, tuple[type, str]] = {
    "derived.is_financial": (bool, "industry is insurance, banking or securities"),
    "derived.vulnerable": (bool, "any vulnerability is recorded, or the complainant is 65 or older"),
    "derived.demand_over_dispute": (float, "demand.amount / amount_in_dispute"),
    "derived.demand_over_entitlement": (float, "demand.amount / derived.legal_entitlement (the expectation gap)"),
    "derived.statutory_entitlement": (float, "what a statutory multiple owes (CPL 55, Food Safety Law 148), CN"),
    "derived.legal_entitlement": (float, "the larger of entitlement_amount and derived.statutory_entitlement"),
    "derived.policy_years": (float, "years from events.contract_sold_on to events.loss_on (or received)"),
    "derived.sensitive_period": (bool, "received 1-15 March (Two Sessions, 3·15 consumer day)"),
    "derived.received_weekday": (int, "1 = Monday … 7 = Sunday"),
    "derived.received_yyyymmdd": (int, "received as the number YYYYMMDD, to compare dates (ge: 20110721)"),
    "derived.years_since_loss": (float, "years from events.loss_on to received (limitation periods)"),
    # set by the engine, which holds the clocks (knowledge/deadlines.yaml): decide.clock.days_past_answer_clock
    "derived.answer_days_past": (int, "history.days_open minus the days the case's own answer clock allows "
                                      "(CN 15 days / 7 working days, UK 8 weeks, US 15 days); > 0: overdue"),
}
ELDERLY_AGE = 65
# when the statutory multiples changed (the law in force on the day of the sale decides)
CPL_2013 = dt.date(2014, 3, 15)     # CPL as amended 2013, Art 55 (refund + 3×, at least 500)
FSL_2009 = dt.date(2009, 6, 1)      # Food Safety Law 2009, Art 96 (10× the price)
FSL_2015 = dt.date(2015, 10, 1)     # Food Safety Law 2015, Art 148 (10× price or 3× loss, at least 1,000)


def _field_types(model: type[BaseModel], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        ann = info.annotation
        inner = [a for a in get_args(ann) if a is not type(None)] if _is_union(ann) else [ann]
        target = inner[0] if len(inner) == 1 else ann
        if isinstance(target, type) and issubclass(target, BaseModel):
            out.update(_field_types(target, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = target
    return out


def _is_union(ann: Any) -> bool:
    return get_origin(ann) in (typing.Union, types.UnionType)


FIELD_TYPES: dict[str, Any] = {**_field_types(Case), **{k: v[0] for k, v in DERIVED.items()}}


def allowed_values(path: str) -> tuple | None:
    """The closed set of values a field may take (its Literal), or None if open."""
    ann = FIELD_TYPES.get(path)
    if get_origin(ann) is tuple:
        ann = get_args(ann)[0]
    if get_origin(ann) is Literal:
        return get_args(ann)
    return None


def kind_of(path: str) -> str:
    """'number', 'bool', 'text', 'list', 'date' or 'enum' – used to check operators against fields."""
    ann = FIELD_TYPES[path]
    if allowed_values(path) is not None:
        return "list" if get_origin(ann) is tuple else "enum"
    if get_origin(ann) is tuple:
        return "list"
    if ann is bool:
        return "bool"
    if ann in (int, float):
        return "number"
    if ann is dt.date:
        return "date"
    return "text"


def _ratio(num: float | None, den: float | None) -> float | None:
    if num is None or not den:
        return None
    return round(num / den, 4)


def statutory_entitlement(case: Case) -> float | None:
    """What a Chinese statutory multiple owes on top of the refund (docs/policy.md, money rules), in the
    version in force on the day of the sale (``events.contract_sold_on``, else ``received``).

    Consumer Protection Law 55 (from 2014-03-15): fraud by the seller — refund plus 3× the price, at least
    CNY 500; before, the 1993 law's Art 49 — refund plus 1× the price.
    Food Safety Law 148 (from 2015-10-01): food below standard — refund plus 10× the price or 3× the loss, at
    least CNY 1,000; from 2009-06-01 the 2009 law's Art 96 — refund plus 10× the price; before, none.
    The two do not add up: the larger applies. Planted, swapped or faked goods (CPL-REG 49 ¶2) earn none.
    """
    if case.jurisdiction != "CN" or case.goods_tampered or case.price is None:
        return None
    day = case.events.contract_sold_on or case.received
    best = None
    if case.fraud_by_seller:
        best = case.price + (max(3 * case.price, 500.0) if day >= CPL_2013 else case.price)
    if case.food_below_standard and day >= FSL_2009:
        food = case.price + (max(10 * case.price, 3 * (case.loss_amount or 0.0), 1000.0) if day >= FSL_2015
                             else 10 * case.price)
        best = food if best is None else max(best, food)
    return None if best is None else round(best, 2)


def legal_entitlement(case: Case) -> float | None:
    values = [v for v in (case.entitlement_amount, statutory_entitlement(case)) if v is not None]
    return max(values) if values else None


def _policy_years(case: Case) -> float | None:
    start = case.events.contract_sold_on
    if start is None:
        return None
    end = case.events.loss_on or case.received
    return round((end - start).days / 365.25, 2)


def case_facts(case: Case) -> dict:
    """The nested fact dict for one case. Dates become ISO strings so the dict is JSON-safe."""
    data = case.model_dump(mode="json")
    demand_amount = case.demand.amount if case.demand else None
    c = case.complainant
    data["derived"] = {
        "is_financial": case.industry in FINANCIAL_INDUSTRIES,
        "vulnerable": bool(c.vulnerable) or (c.age is not None and c.age >= ELDERLY_AGE),
        "demand_over_dispute": _ratio(demand_amount, case.amount_in_dispute),
        "demand_over_entitlement": _ratio(demand_amount, legal_entitlement(case)),
        "statutory_entitlement": statutory_entitlement(case),
        "legal_entitlement": legal_entitlement(case),
        "policy_years": _policy_years(case),
        "sensitive_period": case.received.month == 3 and case.received.day <= 15,
        "received_weekday": case.received.isoweekday(),
        "received_yyyymmdd": case.received.year * 10000 + case.received.month * 100 + case.received.day,
        "years_since_loss": (round((case.received - case.events.loss_on).days / 365.25, 2)
                             if case.events.loss_on is not None else None),
    }
    if data.get("demand") is None:
        data["demand"] = {"type": None, "amount": None}
    return data


def set_path(data: dict, path: str, value: Any) -> None:
    """Set a dotted case field (``complainant.age``) in a raw case dict, creating the blocks on the way."""
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[parts[-1]] = value


_TRUE = frozenset({"true", "yes", "y", "1", "t", "是", "有"})
_FALSE = frozenset({"false", "no", "n", "0", "f", "否", "没有", "无"})


def parse_bool(text: str) -> bool | None:
    """A yes/no answer or CSV cell as a boolean (Chinese or English); None when it is neither."""
    low = text.strip().lower()
    return True if low in _TRUE else False if low in _FALSE else None
