"""Regulatory clocks: add calendar or working days to the date a complaint was received.

Working days follow each jurisdiction's official calendar: ``chinese_calendar`` for China (it knows
the State Council's adjusted working weekends), ``holidays`` for the UK (England) and the US
(federal). Outside the years a calendar knows, weekends alone are skipped and the result says so.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

# chinese_calendar and holidays are imported on first use: holidays alone takes a few tenths of a
# second to import, which every command would otherwise pay at start-up (most cases never need it).


@lru_cache(maxsize=8)
def _western(jurisdiction: str, year: int):
    import holidays
    if jurisdiction == "UK":
        return holidays.country_holidays("GB", subdiv="ENG", years=year)
    return holidays.country_holidays("US", years=year)


def is_working_day(day: dt.date, jurisdiction: str) -> tuple[bool, bool]:
    """(working?, exact?) — exact is False when the official calendar does not cover that year."""
    if jurisdiction == "CN":
        import chinese_calendar
        try:
            return chinese_calendar.is_workday(day), True
        except NotImplementedError:
            return day.isoweekday() <= 5, False
    return day.isoweekday() <= 5 and day not in _western(jurisdiction, day.year), True


@lru_cache(maxsize=4096)  # pure function of its arguments; batches see the same received dates again and again
def add_days(start: dt.date, days: int, day_type: str, jurisdiction: str) -> tuple[dt.date, bool]:
    """The due date and whether it is exact. Working days count from the day after ``start``."""
    if day_type == "calendar":
        return start + dt.timedelta(days=days), True
    day, left, exact = start, days, True
    while left > 0:
        day += dt.timedelta(days=1)
        working, known = is_working_day(day, jurisdiction)
        exact = exact and known
        if working:
            left -= 1
    return day, exact


def answer_clock_days(answer_deadlines: dict, facts: dict, signals) -> int | None:
    """The days from ``received`` the case's own answer clock allows; None when no answer clock of its
    jurisdiction applies. The clock is the earliest answer deadline whose ``applies_when`` holds on the
    facts and signals alone: the rules have not run yet, so the extensions that need a finding (complex
    cases) do not count — an extension is the firm's to claim in writing before the base clock runs out.

    ``answer_deadlines`` is ``PolicyConditions.answer_deadlines`` (jurisdiction -> (deadline, test)):
    the same clocks ``escalation.respond_by`` is picked from, so a rule saying "overdue" and the dated
    answer action can never use two different limits (a UK case is not late on the Chinese 15 days)."""
    received = dt.date.fromisoformat(facts["received"])
    due = None
    for d, applies in answer_deadlines.get(facts["jurisdiction"], ()):
        if applies is not None and not applies(facts, signals, frozenset()):
            continue
        when, _exact = add_days(received, d.days, d.day_type, d.jurisdiction)
        due = when if due is None else min(due, when)
    return None if due is None else (due - received).days


def days_past_answer_clock(answer_deadlines: dict, facts: dict, signals) -> int | None:
    """Days the case has run past its own answer clock (:func:`answer_clock_days`; negative: days still
    left), by the recorded ``history.days_open``; None without that record or without a clock."""
    days_open = (facts.get("history") or {}).get("days_open")
    allowed = None if days_open is None else answer_clock_days(answer_deadlines, facts, signals)
    return None if allowed is None else days_open - allowed
