"""The complainant profile (投诉人画像) and the handler's script, from the rules that fired.

Profile: the complaint's nature, the likely motive and the handling priority are each the named
entry of highest ``rank`` (knowledge/profiles.yaml); every communication style named is kept, by
rank. The expectation gap compares what is asked with what the contract or the law gives.

Script: the phrases named by fired rules, in the order opening → questions → anchor → closing (at
most 1, 3, 1 and 1 of each), with ``{placeholders}`` filled from the case. A phrase whose placeholder
is unknown for this case is left out rather than shown half-filled. What must not be said comes from
the ``never_say`` examples of the taboos flagged for this case.
"""
from __future__ import annotations

import re
from collections import defaultdict

from riskengine.contracts import assessment as out
from riskengine.engines.state import Evaluation
from riskengine.contracts.knowledge import SCRIPT_ORDER, Text
from riskengine.contracts.ruleset import Ruleset

SCRIPT_LIMITS = {"opening": 1, "question": 3, "anchor": 1, "closing": 1}  # at most 6 lines to say
MAX_AVOID = 4
_PLACEHOLDER = re.compile(
    r"\{(demand_amount|entitlement_amount|amount_in_dispute|respond_by|product|legal_entitlement)\}")


def _named(rs: Ruleset, ev: Evaluation) -> dict[str, list[str]]:
    rules: dict[str, list[str]] = defaultdict(list)
    for f in ev.firings:
        for pid in f.rule.then.profile:
            rules[pid].append(f.rule.id)
    return rules


def decide_profile(rs: Ruleset, ev: Evaluation, facts: dict) -> out.Profile:
    entries = rs.knowledge.profiles
    named = _named(rs, ev)

    def pick(kind: str) -> out.ProfileValue | None:
        ids = [pid for pid in named if entries[pid].kind == kind]
        if not ids:
            return None
        best = max(ids, key=lambda p: (entries[p].rank, p))
        return _value(entries[best], named[best])

    styles = sorted((pid for pid in named if entries[pid].kind == "style"), key=lambda p: (-entries[p].rank, p))
    return out.Profile(nature=pick("nature"), motive=pick("motive"), priority=pick("priority"),
                       styles=[_value(entries[s], named[s]) for s in styles], expectation_gap=_gap(facts))


def _value(entry, rules: list[str]) -> out.ProfileValue:
    return out.ProfileValue(id=entry.id, name=entry.name, guidance=list(entry.guidance), rules=sorted(set(rules)))


def _gap(facts: dict) -> out.ExpectationGap | None:
    """Asked against what the contract or the law owes, statutory multiples included."""
    asked = (facts.get("demand") or {}).get("amount")
    entitled = (facts.get("derived") or {}).get("legal_entitlement")
    if entitled is None:
        entitled = facts.get("entitlement_amount")
    if asked is None or entitled is None:
        return None
    gap = round(asked - entitled, 2)
    ratio = round(asked / entitled, 2) if entitled else None
    return out.ExpectationGap(demand_amount=asked, entitlement_amount=entitled, gap=gap, ratio=ratio,
                              above_entitlement=gap > 0)


def build_script(rs: Ruleset, ev: Evaluation, facts: dict, respond_by: str | None,
                 taboos: list[out.TabooOut], signals: frozenset = frozenset()) -> out.Script:
    """A phrase is said only when its ``when`` holds for the case (channel, age, who is speaking,
    product, time): a phone call never promises to hand over a note, day 2 is not "dragged on"."""
    from riskengine.language.tree import evaluate

    phrases = rs.knowledge.phrases
    named: dict[str, list[str]] = defaultdict(list)
    crisis = "safety_crisis" in ev.findings   # only safety is discussed: no merits, dates or money
    for f in ev.firings:
        for pid in f.rule.then.phrases:
            if crisis and not phrases[pid].in_crisis:
                continue
            if phrases[pid].when is None or evaluate(phrases[pid].when, facts, signals, ev.findings):
                named[pid].append(f.rule.id)
    by_situation: dict[str, list[str]] = defaultdict(list)
    for pid in named:
        by_situation[phrases[pid].situation].append(pid)
    values = _placeholder_values(facts, respond_by)
    lines: list[out.ScriptLine] = []
    for situation in SCRIPT_ORDER:
        chosen = sorted(by_situation.get(situation, ()), key=lambda p: (phrases[p].order, p))
        taken = 0
        for pid in chosen:
            text = _fill(phrases[pid].text, values)
            if text is None:
                continue
            lines.append(out.ScriptLine(situation=situation, id=pid, text=text, rules=sorted(set(named[pid]))))
            taken += 1
            if taken == SCRIPT_LIMITS[situation]:
                break
    avoid = []
    taboo_entries = rs.knowledge.taboos
    for t in taboos:
        for example in taboo_entries[t.id].never_say[:1]:
            avoid.append(out.AvoidLine(taboo=t.id, text=example))
        if len(avoid) == MAX_AVOID:
            break
    return out.Script(say=lines, avoid=avoid)


def _placeholder_values(facts: dict, respond_by: str | None) -> dict[str, str | None]:
    def money(v):
        return None if v is None else f"{v:,.0f}" if float(v).is_integer() else f"{v:,.2f}"
    return {"demand_amount": money((facts.get("demand") or {}).get("amount")),
            "entitlement_amount": money(facts.get("entitlement_amount")),
            "amount_in_dispute": money(facts.get("amount_in_dispute")),
            "respond_by": respond_by, "product": facts.get("product"),
            "legal_entitlement": money((facts.get("derived") or {}).get("legal_entitlement"))}


def _fill(text: Text, values: dict[str, str | None]) -> Text | None:
    """Substitute the allowed placeholders only (no format-string evaluation); None if one is unknown."""
    if "{" not in text.zh and "{" not in text.en:
        return text
    filled = {}
    for lang in ("zh", "en"):
        missing = False

        def sub(m: re.Match) -> str:
            nonlocal missing
            value = values.get(m.group(1))
            if value is None:
                missing = True
                return ""
            return value
        filled[lang] = _PLACEHOLDER.sub(sub, getattr(text, lang))
        if missing:
            return None
    return Text(**filled)
