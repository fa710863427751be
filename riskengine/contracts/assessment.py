"""The assessment output contract. Every recommendation names the rules (and so the facts) behind it.

Texts are carried in both languages (``Text``); renderers pick one. Lists are ordered by documented
policy, never by dict order, so the same case and ruleset give byte-identical JSON.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from riskengine.contracts.knowledge import Text


class _Out(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")


class RulesetInfo(_Out):
    version: str
    rules: int


class Dimensions(_Out):
    time: int
    space: int
    emotion: int
    interest: int
    communication: int


class Risk(_Out):
    score: int
    level: Literal["low", "medium", "high", "critical"]
    dimensions: Dimensions
    level_floor_by: list[str] = []   # rules that raised the level above what the score gives


class AgentSignHit(_Out):
    id: str
    name: Text
    group: str
    weight: int
    source: str


class Agent(_Out):
    score: int
    suspected: bool
    signs: list[str]
    sign_details: list[AgentSignHit]
    reasons: list[str]               # rules that added agent points or asserted suspected_agent


class StrategyRef(_Out):
    id: str
    name: Text
    rules: list[str]
    key_steps: list[Text] = []       # this strategy's key steps, merged into the leader's plan


class Strategy(_Out):
    id: str
    name: Text
    steps: list[Text]
    rules: list[str]                 # rules that recommended the winner (steps: its own, then the merged)
    step_from: list[str] = []        # per step: the strategy it comes from (leader first, then by precedence)
    also: list[StrategyRef] = []     # to apply beside the winner (e.g. vulnerable-customer care)
    outranked: list[StrategyRef] = []  # recommended, but lower precedence


class DeadlineOut(_Out):
    id: str
    name: Text
    days: int
    day_type: str
    legal_basis: str | None
    exact: bool


class Action(_Out):
    """A dated legal duty (issue 14 §3): each runs from its own start event."""
    id: str
    name: Text
    kind: Literal["answer", "duty"]
    start_event: str                  # the case field the clock runs from
    start: dt.date | None             # None: the start event has not happened or is not recorded
    due: dt.date | None
    status: Literal["due", "overdue", "done", "not_started"]
    overdue_days: int                 # days past due as of the assessment date (0 unless overdue)
    legal_basis: str | None
    step: Text | None                 # what the rules require now that it is overdue
    exact: bool = True


class Escalation(_Out):
    level: int
    name: Text
    owner: Text
    within_hours: int
    respond_by: dt.date | None
    deadline: DeadlineOut | None
    rules: list[str]                 # rules that set this level; empty when the risk level alone did
    from_risk_level: bool
    immediate: bool = False           # a crisis: take over within minutes, not hours
    within_minutes: int | None = None  # set when immediate; then it, not within_hours, is the take-over time
    days_open: int | None = None       # as_of minus received (reconciled with history.days_open)
    days_open_note: Text | None = None  # set when history.days_open disagrees with the dates
    overdue_days: int = 0              # respond_by passed by this many days as of the assessment date
    actions: list[Action] = []         # every clock, dated: the answer clock and each legal duty


class ChannelOut(_Out):
    id: str
    name: Text
    reason: Text
    rules: list[str]


class ExcludedChannel(_Out):
    id: str
    name: Text
    reason: Text
    rules: list[str]


class TabooOut(_Out):
    id: str
    name: Text
    severity: str
    why: Text
    say_instead: Text | None
    legal_bases: list[str]
    rules: list[str]


class LegalBasisOut(_Out):
    id: str
    law: Text
    article: str
    summary: Text
    verified: bool
    rules: list[str]
    effective: dt.date | None = None


class LegalBasisSkipped(_Out):
    id: str
    reason: Literal["not_yet_in_force", "no_longer_in_force", "other_sector"]
    rules: list[str]


class NarrativeSignal(_Out):
    signal: str
    text: str
    start: int
    end: int
    sentence: int = 0                 # 1-based sentence where the span starts
    concepts: list[str] = []          # the concepts a reading matched (empty: a pattern matched)
    actor: str = ""                   # complainant | third_party | firm
    modality: str = ""                # asserted | past | future | conditional (negated/hoped/feared never count by default)


class Signals(_Out):
    declared: list[str]
    from_narrative: list[NarrativeSignal]


class Step(_Out):
    """One fired rule, in firing order."""
    order: int
    rule: str
    description: Text
    matched: dict[str, Any]
    effect: dict[str, Any]


class ProfileValue(_Out):
    id: str
    name: Text
    guidance: list[Text]
    rules: list[str]


class ExpectationGap(_Out):
    demand_amount: float
    entitlement_amount: float
    gap: float                        # asked minus entitled
    ratio: float | None
    above_entitlement: bool


class Profile(_Out):
    nature: ProfileValue | None
    motive: ProfileValue | None
    priority: ProfileValue | None
    styles: list[ProfileValue]
    expectation_gap: ExpectationGap | None


class ScriptLine(_Out):
    situation: str
    id: str
    text: Text
    rules: list[str]


class AvoidLine(_Out):
    taboo: str
    text: Text


class Script(_Out):
    say: list[ScriptLine]
    avoid: list[AvoidLine]


class MissingFact(_Out):
    fact: str                         # a case field path or "signal:<id>"
    question: Text
    would_change: list[str]           # e.g. ["risk.level: medium → high", "strategy"]
    rules: list[str]                  # rules that would then fire
    impact: int


class KeyFigures(_Out):
    """The decisions that ``diff``, ``replay`` and the what-if questions compare, in one spelling. Shown
    to users by the dotted names of the assessment's JSON (:data:`KEY_NAMES`)."""
    risk_level: Literal["low", "medium", "high", "critical"]
    risk_score: int
    agent_suspected: bool
    strategy: str | None
    escalation_level: int
    channels: list[str]
    taboos: list[str]

    @classmethod
    def from_output(cls, output: dict[str, Any]) -> "KeyFigures":
        """From an assessment as JSON data (a decision record's ``output``)."""
        strategy = output.get("strategy") or {}
        return cls(risk_level=output["risk"]["level"], risk_score=output["risk"]["score"],
                   agent_suspected=output["agent"]["suspected"], strategy=strategy.get("id"),
                   escalation_level=output["escalation"]["level"],
                   channels=[c["id"] for c in output.get("channels", [])],
                   taboos=[t["id"] for t in output.get("taboos", [])])

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "KeyFigures":
        """From a compact decision row (riskengine.contracts.decision_row, docs/decision-row.md)."""
        return cls(risk_level=row["risk_level"], risk_score=row["risk_score"], agent_suspected=row["agent_suspected"],
                   strategy=row["strategy"], escalation_level=row["escalation_level"], channels=row["channels"],
                   taboos=row["taboos"])

    @classmethod
    def from_summary(cls, figures: dict[str, Any]) -> "KeyFigures":
        """From :func:`riskengine.decide.policy.key_figures` (the figures computed without an Assessment)."""
        return cls(risk_level=figures["risk.level"], risk_score=figures["risk.score"],
                   agent_suspected=figures["agent.suspected"], strategy=figures["strategy.id"],
                   escalation_level=figures["escalation.level"], channels=figures["channels"],
                   taboos=figures["taboos"])

    def named(self) -> dict[str, Any]:
        return {KEY_NAMES[k]: v for k, v in self.__dict__.items()}

    def changes(self, after: "KeyFigures") -> dict[str, tuple[Any, Any]]:
        """{dotted name: (before, after)} for every figure that differs."""
        return {KEY_NAMES[k]: (v, getattr(after, k)) for k, v in self.__dict__.items() if getattr(after, k) != v}


KEY_NAMES = {"risk_level": "risk.level", "risk_score": "risk.score", "agent_suspected": "agent.suspected",
             "strategy": "strategy", "escalation_level": "escalation.level", "channels": "channels",
             "taboos": "taboos"}


class Assessment(_Out):
    case_id: str
    ruleset: RulesetInfo
    engine: str
    risk: Risk
    agent: Agent
    strategy: Strategy | None
    escalation: Escalation
    channels: list[ChannelOut]
    channels_excluded: list[ExcludedChannel]
    taboos: list[TabooOut]
    legal_bases: list[LegalBasisOut]
    legal_bases_skipped: list[LegalBasisSkipped] = []   # cited by a rule but not in force / not for the sector
    as_of: dt.date | None = None                        # the date clocks and overdue are judged on
    profile: Profile
    script: Script
    findings: list[str]
    signals: Signals
    explanation: list[Step]
    missing_facts: list[MissingFact] = []

    def key_figures(self) -> "KeyFigures":
        return KeyFigures(risk_level=self.risk.level, risk_score=self.risk.score, agent_suspected=self.agent.suspected,
                          strategy=self.strategy.id if self.strategy else None,
                          escalation_level=self.escalation.level, channels=[c.id for c in self.channels],
                          taboos=[t.id for t in self.taboos])

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"
