"""The root-cause report over a batch of decision rows (``riskengine report``).

The complaint lifecycle ends with analysis: where complaints cluster, what recurs, which clocks are
missed. :func:`analyse` reads decision rows (docs/decision-row.md) and returns plain data, every list
ordered by count then name, so the same rows give the same report byte for byte;
``riskengine.render.rootcause`` turns it into Markdown or HTML (tables and inline SVG charts).

Definitions (docs/scale.md, "riskengine report"):

- period: the month of ``received`` (YYYY-MM);
- signals of a case: the declared ones and those the narrative raised, each counted once per case;
- overdue: the case has a ``respond_by`` and is known to be open past it: ``received + days_open``
  (or, for rows without ``days_open``, the ``--as-of`` date when one is given) is later than
  ``respond_by``. The overdue share is over the cases where this can be told;
- over a regulatory clock: the same, per deadline id.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any, Iterable

LEVELS = ("low", "medium", "high", "critical")
GROUPINGS = ("month", "product", "category", "channel", "signal")
TOP = 10


def _signals(row: dict) -> list[str]:
    return sorted(set(row.get("signals") or ()) | set(row.get("narrative_signals") or ()))


def _groups(row: dict, by: str) -> list[str]:
    if by == "month":
        return [str(row.get("received") or "")[:7] or "(none)"]
    if by == "product":
        return [row.get("product") or "(none)"]
    if by == "category":
        return [row.get("category") or "(none)"]
    if by == "channel":
        return [row.get("intake_channel") or "(none)"]
    return _signals(row) or ["(no signal)"]


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def overdue(row: dict, as_of: dt.date | None = None) -> bool | None:
    """True/False when it can be told whether the case is open past its respond_by, else None."""
    due = _date(row.get("respond_by"))
    if due is None:
        return None
    days = row.get("days_open")
    if days is not None:
        received = _date(row.get("received"))
        return received is not None and received + dt.timedelta(days=int(days)) > due
    if as_of is not None:
        return as_of > due
    return None


def _ranked(counter: Counter, top: int | None = TOP) -> list[list]:
    items = sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))
    return [[k, n] for k, n in (items if top is None else items[:top])]


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


class _Tally:
    """Counts for one group of cases."""
    __slots__ = ("cases", "levels", "escalation", "agent", "overdue", "known_overdue", "signals", "findings",
                 "strategies")

    def __init__(self):
        self.cases = 0
        self.levels: Counter = Counter()
        self.escalation: Counter = Counter()
        self.agent = 0
        self.overdue = 0
        self.known_overdue = 0
        self.signals: Counter = Counter()
        self.findings: Counter = Counter()
        self.strategies: Counter = Counter()

    def add(self, row: dict, late: bool | None) -> None:
        self.cases += 1
        self.levels[row["risk_level"]] += 1
        self.escalation[int(row["escalation_level"])] += 1
        self.agent += bool(row.get("agent_suspected"))
        if late is not None:
            self.known_overdue += 1
            self.overdue += late
        self.signals.update(_signals(row))
        self.findings.update(set(row.get("findings") or ()))
        if row.get("strategy"):
            self.strategies[row["strategy"]] += 1

    def summary(self, top: int = 3) -> dict:
        return {"cases": self.cases, "high_or_critical": self.levels["high"] + self.levels["critical"],
                "agent_suspected": self.agent, "agent_suspected_share": _share(self.agent, self.cases),
                "overdue": self.overdue, "overdue_share": _share(self.overdue, self.known_overdue),
                "top_signals": _ranked(self.signals, top), "top_findings": _ranked(self.findings, top)}


def analyse(rows: Iterable[dict], by: str = "month", as_of: dt.date | None = None) -> dict:
    """The report's numbers (see the module docstring). ``by``: the grouping of the main table."""
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}")
    total = _Tally()
    by_month: dict[str, _Tally] = defaultdict(_Tally)
    by_group: dict[str, _Tally] = defaultdict(_Tally)
    by_product: dict[str, _Tally] = defaultdict(_Tally)
    by_channel: dict[str, _Tally] = defaultdict(_Tally)
    categories: Counter = Counter()
    month_category: dict[str, Counter] = defaultdict(Counter)
    also: Counter = Counter()
    clocks: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])   # cases, told, overdue
    versions: Counter = Counter()
    first = last = None
    for row in rows:
        late = overdue(row, as_of)
        month = _groups(row, "month")[0]
        total.add(row, late)
        by_month[month].add(row, late)
        for g in _groups(row, by):
            by_group[g].add(row, late)
        by_product[_groups(row, "product")[0]].add(row, late)
        by_channel[_groups(row, "channel")[0]].add(row, late)
        categories[row.get("category") or "(none)"] += 1
        month_category[month][row.get("category") or "(none)"] += 1
        also.update(row.get("also_strategies") or ())
        versions[row.get("ruleset_version") or "?"] += 1
        if row.get("deadline"):
            c = clocks[row["deadline"]]
            c[0] += 1
            if late is not None:
                c[1] += 1
                c[2] += late
        received = str(row.get("received") or "")
        if received:
            first = received if first is None or received < first else first
            last = received if last is None or received > last else last
    months = sorted(by_month)
    return {
        "cases": total.cases,
        "received_from": first, "received_to": last,
        "ruleset_versions": _ranked(versions, None),
        "as_of": as_of.isoformat() if as_of else None,
        "by": by,
        # months read in order of time (a trend); other groupings by volume, the largest first
        "groups": [{"group": g, **by_group[g].summary()}
                   for g in (sorted(by_group) if by == "month" else
                             [g for g, _n in _ranked(Counter({g: t.cases for g, t in by_group.items()}), None)])],
        "volume_by_month": [[m, by_month[m].cases] for m in months],
        "categories": _ranked(categories, None),
        "category_by_month": [{"month": m, "categories": _ranked(month_category[m], None)} for m in months],
        "risk_levels": [[lv, total.levels[lv]] for lv in LEVELS],
        "escalation_levels": [[lv, n] for lv, n in sorted(total.escalation.items())],
        "top_signals": _ranked(total.signals),
        "top_findings": _ranked(total.findings),
        "signals_by_product": [{"product": p, "cases": by_product[p].cases, "top_signals": _ranked(by_product[p].signals, 3),
                                "top_findings": _ranked(by_product[p].findings, 3)}
                               for p, _n in _ranked(Counter({p: t.cases for p, t in by_product.items()}))],
        "signals_by_channel": [{"channel": c, "cases": by_channel[c].cases, "top_signals": _ranked(by_channel[c].signals, 3),
                                "top_findings": _ranked(by_channel[c].findings, 3)}
                               for c, _n in _ranked(Counter({c: t.cases for c, t in by_channel.items()}), None)],
        "agent_suspected": total.agent, "agent_suspected_share": _share(total.agent, total.cases),
        "agent_trend": [[m, by_month[m].agent, _share(by_month[m].agent, by_month[m].cases)] for m in months],
        "overdue": total.overdue, "overdue_known": total.known_overdue,
        "overdue_share": _share(total.overdue, total.known_overdue),
        "top_strategies": _ranked(total.strategies),
        "top_also_strategies": _ranked(also),
        "clocks": [{"deadline": d, "cases": c[0], "told": c[1], "overdue": c[2], "overdue_share": _share(c[2], c[1])}
                   for d, c in sorted(clocks.items(), key=lambda kv: (-kv[1][2], -kv[1][0], kv[0]))],
    }
