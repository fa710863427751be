"""Generate realistic, valid cases from a ruleset's own knowledge and rules (seeded, reproducible).

Used by the differential test (experta vs the compiled fast path), by the benchmarks and by anyone
who needs many plausible cases without real personal data::

    from riskengine.testing.generate import generate_cases
    cases = generate_cases(10_000, seed=7)                 # shipped rules and knowledge
    python -m riskengine.testing.generate 1000 --seed 7 > cases.jsonl

Two kinds of case are mixed:

- *ordinary* cases: industry, category and channel drawn with plausible weights, amounts, ages and
  history drawn from skewed distributions, a few indicators drawn dimension by dimension and
  sometimes a cluster of agent signs; the narrative is assembled from text sampled from the
  knowledge's own narrative patterns (so the scanner finds signals the handler did not declare),
  with filler sentences and, now and then, a negated mention that must not raise its signal;
- *targeted* cases: an ordinary case changed so that one chosen rule's condition holds. Values are
  derived from the condition itself (``ge: 90`` -> 90 or more, ``in: [...]`` -> one of them,
  ``finding: X`` -> the condition of a rule asserting X, ``not`` -> a value that fails the child,
  ``matches`` -> text sampled from the pattern). With ``cover=True`` (the default) each rule is
  targeted until the fast path confirms it fired, so the cases together fire every rule.
"""
from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any, Iterable

from riskengine.language.fields import FIELD_TYPES, allowed_values, kind_of
from riskengine.language.tree import (AllCondition, AnyCondition, Condition, ConditionVisitor, FieldCondition, FindingCondition,
                                     NotCondition, SignalCondition, SignalsCondition, lookup)

try:
    from re import _parser as _sre  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_parse as _sre  # type: ignore[no-redef]

INDUSTRY_WEIGHTS = {"insurance": 34, "banking": 26, "securities": 8, "ecommerce": 16, "services": 10, "public": 3,
                    "other": 3}
CATEGORIES = {
    "insurance": {"claim_denial": 30, "surrender_refund": 25, "misleading_sales": 20, "service_attitude": 8,
                  "service_process": 8, "fees_charges": 4, "privacy": 2, "other": 3},
    "banking": {"fees_charges": 25, "debt_collection": 20, "misleading_sales": 15, "service_process": 15,
                "service_attitude": 10, "privacy": 8, "other": 7},
    "securities": {"misleading_sales": 35, "fees_charges": 20, "service_process": 20, "service_attitude": 10,
                   "privacy": 5, "other": 10},
    "ecommerce": {"product_quality": 35, "delivery_delay": 30, "surrender_refund": 10, "service_attitude": 10,
                  "fees_charges": 5, "privacy": 5, "other": 5},
    "services": {"service_attitude": 25, "service_process": 25, "product_quality": 20, "fees_charges": 15,
                 "other": 15},
    "public": {"service_process": 40, "service_attitude": 40, "other": 20},
    "other": {"other": 50, "service_process": 25, "product_quality": 25},
}
CHANNEL_WEIGHTS = {"hotline": 35, "online": 15, "app": 15, "email": 8, "letter": 5, "visit": 7,
                   "regulator_referral": 8, "media": 3, "social_media": 4}
PRODUCTS = {
    "insurance": ["重疾险", "医疗险", "增额终身寿险", "分红险", "万能险", "车险", "意外险", "critical illness cover",
                  "whole life policy"],
    "banking": ["信用卡", "个人消费贷", "理财产品", "储蓄账户", "房贷", "credit card", "personal loan", "checking account"],
    "securities": ["基金", "股票账户", "私募产品", "资管计划", "brokerage account"],
    "ecommerce": ["纸尿裤", "手机", "家电", "服装", "生鲜", "online order"],
    "services": ["健身卡", "教培课程", "装修服务", "美容套餐", "gym membership"],
    "public": ["水电燃气", "公交卡", "utilities"],
    "other": ["会员服务", "subscription"],
}
OCCUPATIONS = ["退休", "教师", "个体户", "工人", "公司职员", "学生", "农民", "律师", "retired", "nurse", "driver"]
ZH_FILLER = ["客户来电反映情况。", "客户称对处理结果不满意。", "已记录客户诉求。", "客户表示此事给其造成困扰。",
             "经核实，保单及交易记录已调取。", "客户要求尽快给出答复。", "坐席已做安抚解释。", "客户情绪需要关注。"]
EN_FILLER = ["The customer called about this matter.", "The customer is unhappy with the outcome.",
             "We have recorded the request.", "Records have been pulled for review.",
             "The customer wants an answer soon.", "The agent explained the process."]
ZH_NEGATIONS = ["没有", "并未", "不会", "从未"]
EN_NEGATIONS = ["did not", "never", "will not", "has not"]
_DIM_WEIGHT = {"time": 1.0, "space": 0.8, "emotion": 1.0, "interest": 1.0, "communication": 0.8}


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


# -- text from regular expressions ------------------------------------------------------------------
def sample_pattern(pattern: str, rng: random.Random, english: bool = False, tries: int = 8) -> str | None:
    """A short string the pattern matches (checked), or None if none was found."""
    try:
        parsed = _sre.parse(pattern, re.IGNORECASE)
        check = re.compile(pattern, re.IGNORECASE)
    except re.error:
        return None
    for _ in range(tries):
        try:
            text = _emit(parsed, rng, english)
        except _Unsampleable:
            return None
        if check.search(text):
            return text
    return None


class _Unsampleable(Exception):
    pass


def _name(op) -> str:
    return getattr(op, "name", None) or str(op)


_FILL_ZH = "某的了"
_FILL_EN = "x"


def _emit(items, rng: random.Random, english: bool) -> str:
    out = []
    for op, av in items:
        name = _name(op)
        if name == "LITERAL":
            out.append(chr(av))
        elif name == "NOT_LITERAL":
            out.append("x" if chr(av) != "x" else "y")
        elif name == "ANY":
            out.append(_FILL_EN if english else rng.choice(_FILL_ZH))
        elif name == "IN":
            out.append(_emit_class(av, rng))
        elif name == "BRANCH":
            out.append(_emit(rng.choice(av[1]), rng, english))
        elif name == "SUBPATTERN":
            out.append(_emit(av[3], rng, english))
        elif name == "ATOMIC_GROUP":
            out.append(_emit(av, rng, english))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = av
            high = low + 2 if high == _sre.MAXREPEAT else min(high, low + 2)
            count = rng.randint(low, max(low, high))
            out.extend(_emit(sub, rng, english) for _ in range(count))
        elif name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue
        else:
            raise _Unsampleable(name)
    return "".join(out)


def _emit_class(items, rng: random.Random) -> str:
    if items and _name(items[0][0]) == "NEGATE":
        members = {chr(v) for k, v in items[1:] if _name(k) == "LITERAL"}
        for c in "x某a0":
            if c not in members:
                return c
        raise _Unsampleable("NEGATE")
    kind, value = rng.choice(items)
    kind = _name(kind)
    if kind == "LITERAL":
        return chr(value)
    if kind == "RANGE":
        return chr(rng.randint(value[0], value[1]))
    if kind == "CATEGORY":
        cat = _name(value)
        if cat.endswith("DIGIT") and "NOT" not in cat:
            return str(rng.randint(0, 9))
        if cat.endswith("SPACE") and "NOT" not in cat:
            return " "
        return "a"
    raise _Unsampleable(kind)


# -- the generator ----------------------------------------------------------------------------------
class CaseGenerator(ConditionVisitor[None]):
    def __init__(self, source=None, seed: int = 0):
        from riskengine.engine import Engine, load_engine
        if source is None:
            engine = load_engine(engine="compiled")
        elif isinstance(source, Engine):
            engine = source
        else:  # a Ruleset
            engine = Engine(source, engine="compiled")
        self.engine = engine
        self.rs = engine.ruleset
        self.k = self.rs.knowledge
        self.rng = random.Random(seed)
        self.asserters: dict[str, list] = {}
        for rule in engine.plan.rules:
            for f in rule.then.findings:
                self.asserters.setdefault(f, []).append(rule)
        self._samples: dict[tuple[str, str], list[str]] = {}
        by_dim: dict[str, list[str]] = {}
        for ind in self.k.indicators.values():
            by_dim.setdefault(ind.dimension, []).append(ind.id)
        self.by_dimension = by_dim
        by_group: dict[str, list[str]] = {}
        for sign in self.k.agent_signs.values():
            by_group.setdefault(sign.group, []).append(sign.id)
        self.agent_groups = by_group

    # text
    def phrase(self, signal: str, lang: str) -> str | None:
        """A sampled piece of text that the signal's patterns match (cached per signal and language)."""
        key = (signal, lang)
        if key not in self._samples:
            entry = self.k.signals[signal]
            found = []
            for pattern in getattr(entry.patterns, lang):
                for _ in range(3):
                    text = sample_pattern(pattern, self.rng, english=lang == "en")
                    if text and text not in found:
                        found.append(text)
            self._samples[key] = found
        options = self._samples[key]
        return self.rng.choice(options) if options else None

    def narrative(self, signals: Iterable[str], lang: str) -> str:
        rng = self.rng
        filler = ZH_FILLER if lang == "zh" else EN_FILLER
        parts = rng.sample(filler, k=rng.randint(0, 3))
        for sid in signals:
            text = self.phrase(sid, lang)
            if text:
                parts.append(f"客户说{text}。" if lang == "zh" else f"The customer says {text}.")
        if rng.random() < 0.15:  # a negated mention: must not raise the signal
            sid = rng.choice(list(self.k.signals))
            text = self.phrase(sid, lang)
            if text:
                neg = rng.choice(ZH_NEGATIONS if lang == "zh" else EN_NEGATIONS)
                parts.append(f"客户{neg}{text}。" if lang == "zh" else f"The customer {neg} {text}.")
        rng.shuffle(parts)
        return ("" if lang == "zh" else " ").join(parts)

    # ordinary cases
    def ordinary(self, case_id: str) -> dict[str, Any]:
        rng = self.rng
        jurisdiction = _weighted(rng, {"CN": 80, "UK": 10, "US": 10})
        industry = _weighted(rng, INDUSTRY_WEIGHTS)
        start = dt.date(2023, 1, 1)
        received = start + dt.timedelta(days=rng.randint(0, 4 * 365))
        if rng.random() < 0.08:
            received = dt.date(rng.choice([2024, 2025, 2026]), 3, rng.randint(1, 15))
        case: dict[str, Any] = {
            "id": case_id, "received": received.isoformat(), "industry": industry,
            "channel": _weighted(rng, CHANNEL_WEIGHTS), "category": _weighted(rng, CATEGORIES[industry]),
        }
        if jurisdiction != "CN" or rng.random() < 0.3:
            case["jurisdiction"] = jurisdiction
        if rng.random() < 0.7:
            case["product"] = rng.choice(PRODUCTS[industry])
        amount = None
        if rng.random() < 0.75:
            amount = round(10 ** rng.uniform(2, 6.3), rng.choice([0, 0, 2]))
            case["amount_in_dispute"] = amount
            if rng.random() < 0.4:
                case["entitlement_amount"] = round(amount * rng.choice([0.2, 0.5, 0.8, 1.0, 1.0]), 2)
        if rng.random() < 0.8:
            demand: dict[str, Any] = {"type": _weighted(rng, {"full_refund": 30, "compensation": 30, "apology": 10,
                                                              "explanation": 15, "correction": 8, "other": 7})}
            if amount is not None and rng.random() < 0.7:
                demand["amount"] = round(amount * rng.choice([0.5, 1.0, 1.0, 1.5, 2.0, 3.0, 10.0]), 2)
            case["demand"] = demand
        if rng.random() < 0.6:
            case["arbitration_agreement"] = rng.random() < 0.3
        if rng.random() < 0.12:
            case["group_size"] = rng.choice([2, 3, 5, 8, 12, 30, 50, 120, 500])
        complainant: dict[str, Any] = {}
        if rng.random() < 0.7:
            complainant["age"] = rng.choice([rng.randint(18, 64)] * 3 + [rng.randint(65, 95)])
        if rng.random() < 0.2:
            complainant["vulnerable"] = rng.sample(list(allowed_values("complainant.vulnerable")), k=rng.randint(1, 2))
        if rng.random() < 0.7:
            complainant["emotion"] = _weighted(rng, {"calm": 35, "anxious": 30, "agitated": 25, "hostile": 10})
        if rng.random() < 0.6:
            complainant["represented_by"] = _weighted(rng, {"self": 70, "relative": 15, "lawyer": 5,
                                                            "third_party_agent": 7, "unknown": 3})
        if rng.random() < 0.3:
            complainant["occupation"] = rng.choice(OCCUPATIONS)
        if complainant:
            case["complainant"] = complainant
        history: dict[str, Any] = {}
        for name, low, high, p in (("prior_complaints", 0, 6, 0.6), ("contacts_last_7_days", 0, 15, 0.5),
                                   ("days_open", 0, 400, 0.7), ("offers_rejected", 0, 4, 0.4),
                                   ("complaints_against_seller_30d", 0, 12, 0.15 if industry != "ecommerce" else 0.6)):
            if rng.random() < p:
                history[name] = int(low + (high - low) * rng.random() ** 2.5)
        if history:
            case["history"] = history
        declared: list[str] = []
        for dim, ids in self.by_dimension.items():
            if rng.random() < 0.35 * _DIM_WEIGHT.get(dim, 1.0):
                declared.extend(rng.sample(ids, k=min(len(ids), rng.choice([1, 1, 2]))))
        if rng.random() < 0.15 and self.agent_groups:
            groups = rng.sample(list(self.agent_groups), k=min(len(self.agent_groups), rng.randint(1, 3)))
            for g in groups:
                declared.extend(rng.sample(self.agent_groups[g], k=min(len(self.agent_groups[g]), rng.randint(1, 2))))
        declared = sorted(set(declared))
        if declared:
            case["signals"] = declared
        if rng.random() < 0.75:
            lang = "zh" if jurisdiction == "CN" else "en"
            if rng.random() < 0.1:
                lang = "en" if lang == "zh" else "zh"
            told = rng.sample(list(self.k.signals), k=rng.randint(0, 3))
            told += [s for s in declared if rng.random() < 0.3]
            case["narrative"] = self.narrative(told, lang)
        return case

    # targeted cases
    def targeted(self, case_id: str, rule) -> dict[str, Any]:
        case = self.ordinary(case_id)
        self._satisfy(rule.when, case, True, depth=0)
        return case

    def _satisfy(self, cond: Condition, case: dict, want: bool, depth: int) -> None:
        """Change ``case`` so that ``cond`` holds (``want``) or does not: one ``visit_`` method per node type."""
        cond.accept(self, case, want, depth)

    def visit_all(self, cond: AllCondition, case: dict, want: bool, depth: int) -> None:
        if want:
            for c in cond.all:
                self._satisfy(c, case, True, depth)
        else:
            self._satisfy(self.rng.choice(cond.all), case, False, depth)

    def visit_any(self, cond: AnyCondition, case: dict, want: bool, depth: int) -> None:
        if want:
            self._satisfy(self.rng.choice(cond.any), case, True, depth)
        else:
            for c in cond.any:
                self._satisfy(c, case, False, depth)

    def visit_not(self, cond: NotCondition, case: dict, want: bool, depth: int) -> None:
        self._satisfy(cond.not_, case, not want, depth)

    def visit_signal(self, cond: SignalCondition, case: dict, want: bool, depth: int) -> None:
        self._signal(case, cond.signal, want)

    def visit_signals(self, cond: SignalsCondition, case: dict, want: bool, depth: int) -> None:
        if want:
            for s in self.rng.sample(list(cond.signals), k=cond.min):
                self._signal(case, s, True)
        else:
            for s in cond.signals:
                self._signal(case, s, False)

    def visit_finding(self, cond: FindingCondition, case: dict, want: bool, depth: int) -> None:
        if want and depth < 6 and self.asserters.get(cond.finding):
            self._satisfy(self.rng.choice(self.asserters[cond.finding]).when, case, True, depth + 1)

    def visit_field(self, cond: FieldCondition, case: dict, want: bool, depth: int) -> None:
        self._field(case, cond, want)

    def _signal(self, case: dict, sid: str, present: bool) -> None:
        signals = [s for s in case.get("signals", []) if s != sid]
        if present:
            signals.append(sid)
        else:
            case.pop("narrative", None)   # it might mention the signal
        case["signals"] = sorted(set(signals))

    def _field(self, case: dict, cond: FieldCondition, want: bool) -> None:
        rng = self.rng
        path, op, v = cond.field, cond.op, cond.value
        if path in ("id", "received"):
            return   # the case's identity and clock stay as drawn (ids must stay unique)
        if path.startswith("derived."):
            self._derived(case, path, op, v, want)
            return
        kind = kind_of(path)
        if op == "exists":
            if (v and want) or (not v and not want):
                _set(case, path, self._any_value(path))
            else:
                _unset(case, path)
            return
        if op == "matches":
            if want:
                text = sample_pattern(cond.pattern.pattern, rng) or ""
                _set(case, path, (lookup(case, path) or "") + text)
            else:
                _unset(case, path)
            return
        if not want:
            value = self._failing_value(path, op, v)
            if value is None:
                _unset(case, path)
            else:
                _set(case, path, value)
            return
        if op == "eq":
            _set(case, path, v)
        elif op == "ne":
            options = [x for x in (allowed_values(path) or ()) if x != v]
            _set(case, path, rng.choice(options) if options else self._number_near(path, v, 1))
        elif op == "in":
            _set(case, path, rng.choice(list(v)))
        elif op == "not_in":
            options = [x for x in (allowed_values(path) or ()) if x not in v]
            if options:
                _set(case, path, rng.choice(options))
        elif op in ("gt", "ge", "lt", "le"):
            _set(case, path, self._number_satisfying(path, op, v))
        elif op in ("contains", "contains_any"):
            item = rng.choice(list(v)) if op == "contains_any" else v
            if kind == "list":
                current = list(lookup(case, path) or [])
                if item not in current:
                    current.append(item)
                _set(case, path, current)
            else:
                _set(case, path, f"{lookup(case, path) or ''}{item}")

    def _number_satisfying(self, path: str, op: str, v: float) -> float:
        rng = self.rng
        integer = FIELD_TYPES.get(path) is int
        step = rng.choice([0, 1, 2, 5, 10, 30]) if integer else rng.choice([0.0, 0.5, 1.0, 10.0, 1000.0])
        if op == "ge":
            value = v + step
        elif op == "gt":
            value = v + (step or 1)
        elif op == "le":
            value = max(0, v - step)
        else:
            value = max(0, v - (step or 1))
            if value >= v:   # lt 0 or lt 1 on a whole number: cannot hold for valid cases
                value = 0
        if path == "group_size":
            value = max(1, value)
        return int(value) if integer else float(value)

    def _number_near(self, path: str, v: Any, delta: int) -> Any:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return v + delta
        return None

    def _failing_value(self, path: str, op: str, v: Any) -> Any:
        rng = self.rng
        if op == "eq":
            options = [x for x in (allowed_values(path) or ()) if x != v]
            if isinstance(v, bool):
                return not v
            return rng.choice(options) if options else None
        if op == "ne":
            return v
        if op == "in":
            options = [x for x in (allowed_values(path) or ()) if x not in v]
            return rng.choice(options) if options else None
        if op == "not_in":
            return rng.choice(list(v))
        if op in ("gt", "ge", "lt", "le"):
            flip = {"gt": "le", "ge": "lt", "lt": "ge", "le": "gt"}[op]
            return self._number_satisfying(path, flip, v)
        return None

    def _any_value(self, path: str) -> Any:
        rng = self.rng
        options = allowed_values(path)
        kind = kind_of(path)
        if kind == "list":
            return [rng.choice(list(options))] if options else ["x"]
        if options:
            return rng.choice(list(options))
        if kind == "bool":
            return rng.random() < 0.5
        if kind == "number":
            return rng.randint(1, 50) if FIELD_TYPES[path] is int else round(rng.uniform(100, 50000), 2)
        if kind == "date":
            return "2025-05-06"
        return "x"

    def _derived(self, case: dict, path: str, op: str, v: Any, want: bool) -> None:
        rng = self.rng
        from riskengine.language.tree import OPERATORS

        def holds(value) -> bool:
            if op == "exists":
                return (value is not None) == v
            return value is not None and bool(OPERATORS[op][0](value, v))

        name = path.split(".", 1)[1]
        if name == "is_financial":
            target = [i for i in INDUSTRY_WEIGHTS if holds(i in ("insurance", "banking", "securities")) == want]
            if target:
                case["industry"] = rng.choice(target)
                case["category"] = _weighted(rng, CATEGORIES[case["industry"]])
        elif name == "vulnerable":
            make = holds(True) == want
            comp = dict(case.get("complainant") or {})
            if make:
                comp["age"] = rng.randint(65, 92)
            else:
                comp["age"] = rng.randint(20, 64)
                comp.pop("vulnerable", None)
            case["complainant"] = comp
        elif name in ("demand_over_dispute", "demand_over_entitlement"):
            base_field = "amount_in_dispute" if name == "demand_over_dispute" else "entitlement_amount"
            for _ in range(20):
                ratio = rng.choice([0.3, 0.8, 1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 5.0, 10.0])
                if isinstance(v, (int, float)) and rng.random() < 0.5:
                    ratio = round(v * rng.choice([0.5, 0.99, 1.0, 1.01, 1.5, 2.0]), 4)
                if holds(ratio) == want:
                    base = float(case.get(base_field) or round(10 ** rng.uniform(3, 5.5)))
                    case[base_field] = base
                    demand = dict(case.get("demand") or {"type": "compensation"})
                    demand["amount"] = round(base * ratio, 2)
                    case["demand"] = demand
                    return
        elif name == "sensitive_period":
            for _ in range(20):
                day = dt.date(rng.choice([2024, 2025, 2026]), rng.choice([3, 3, 4, 6, 11]), rng.randint(1, 28))
                if holds(day.month == 3 and day.day <= 15) == want:
                    case["received"] = day.isoformat()
                    return
        elif name in ("statutory_entitlement", "legal_entitlement"):
            if holds(1.0) == want or (op == "exists" and want == v):
                case["jurisdiction"] = "CN"
                case["price"] = float(rng.choice([20, 80, 150, 600, 2500]))
                case[rng.choice(["fraud_by_seller", "food_below_standard"])] = True
                case.pop("goods_tampered", None)
            else:
                case.pop("price", None)
        elif name == "policy_years":
            for _ in range(20):
                years = rng.choice([0.5, 1.0, 1.9, 2.0, 2.5, 5.0])
                if holds(years) == want:
                    received = dt.date.fromisoformat(str(case["received"]))
                    events = dict(case.get("events") or {})
                    events.pop("loss_on", None)
                    events["contract_sold_on"] = (received - dt.timedelta(days=int(years * 365.25) + 1)).isoformat()
                    case["events"] = events
                    return
        elif name == "years_since_loss":
            for _ in range(20):
                years = rng.choice([0.2, 1.0, 2.4, 2.5, 2.6, 3.0, 4.0])
                if holds(years) == want:
                    received = dt.date.fromisoformat(str(case["received"]))
                    events = dict(case.get("events") or {})
                    events["loss_on"] = (received - dt.timedelta(days=int(years * 365.25) + 1)).isoformat()
                    case["events"] = events
                    return
        elif name == "received_yyyymmdd":
            for _ in range(30):
                day = dt.date(rng.choice([2005, 2010, 2012, 2016, 2020, 2024, 2025]), rng.randint(1, 12), rng.randint(1, 28))
                if holds(day.year * 10000 + day.month * 100 + day.day) == want:
                    case["received"] = day.isoformat()
                    return
        elif name == "answer_days_past":
            # Every answer clock is between 7 working days and 8 weeks: 160 days open is past each of them by
            # 100 or more, 0 days open leaves 7 or more. A case with no clock (UK/US non-financial) stays None.
            for days_open, past in ((160, 100), (0, -7)):
                if holds(past) == want:
                    history = dict(case.get("history") or {})
                    history["days_open"] = days_open
                    case["history"] = history
                    return
        elif name == "received_weekday":
            for _ in range(30):
                day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 700))
                if holds(day.isoweekday()) == want:
                    case["received"] = day.isoformat()
                    return


def _set(case: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    node = case
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {"type": "compensation"} if part == "demand" else {}
        child = dict(child)
        node[part] = child
        node = child
    if value is None:
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = value


def _unset(case: dict, path: str) -> None:
    if path == "demand.type":
        case.pop("demand", None)
        return
    if path in ("id", "received", "industry", "channel", "category"):
        return   # required: cannot be unknown
    _set(case, path, None)


def generate_cases(n: int, seed: int = 0, knowledge=None, *, targeted_share: float = 0.3,
                   cover: bool = True) -> list[dict]:
    """``n`` valid cases (dicts in the case-file format), the same for the same seed and ruleset.

    ``knowledge``: an :class:`~riskengine.engine.Engine` or a :class:`~riskengine.contracts.ruleset.Ruleset`
    (default: the shipped rules and knowledge). ``targeted_share`` of the cases are aimed at one rule
    each, round robin; with ``cover`` every rule of the ruleset is aimed at until it fires (when the
    rule can fire at all in ``n`` cases), so together the cases fire every rule.
    """
    gen = CaseGenerator(knowledge, seed)
    engine = gen.engine
    rules = list(engine.plan.rules)
    cases: list[dict] = []
    fired: set[str] = set()

    def valid(case: dict) -> tuple[bool, set[str]]:
        try:
            parsed = engine.parse_case(case)
        except Exception:
            return False, set()
        state, _hits = engine.state(parsed)
        return True, {f.rule.id for f in engine.fast.evaluate(state).firings}

    def make(i: int, rule=None) -> dict:
        for attempt in range(25):
            case = gen.targeted(f"G{seed}-{i:06d}", rule) if rule is not None else gen.ordinary(f"G{seed}-{i:06d}")
            ok, ids = valid(case)
            if not ok:
                continue
            if rule is not None and cover and rule.id not in ids and attempt < 24:
                continue
            fired.update(ids)
            return case
        return gen.ordinary(f"G{seed}-{i:06d}")

    turn = 0
    aimed: dict[str, int] = {}
    for i in range(n):
        rule = None
        if gen.rng.random() < targeted_share and rules:
            pending = [r for r in rules if r.id not in fired and aimed.get(r.id, 0) < 4] if cover else []
            rule = pending[0] if pending else rules[turn % len(rules)]
            aimed[rule.id] = aimed.get(rule.id, 0) + 1
            turn += 1
        cases.append(make(i, rule))
    return cases


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - thin wrapper
    import argparse
    import json
    import sys

    parser = argparse.ArgumentParser(description="Write generated cases as JSON Lines to stdout.")
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rules", default=None)
    parser.add_argument("--knowledge", default=None)
    args = parser.parse_args(argv)
    from riskengine.engine import load_engine
    engine = load_engine(args.rules, args.knowledge, engine="compiled")
    for case in generate_cases(args.n, args.seed, engine):
        sys.stdout.write(json.dumps(case, ensure_ascii=False) + "\n")


if __name__ == "__main__":  # pragma: no cover
    main()
