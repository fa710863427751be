"""The contract of one rule in rules/*.yaml.

A rule only ever adds: points, findings, recommendations, citations. It never retracts or changes a
fact, so the final assessment does not depend on the order in which rules fire.
"""
from __future__ import annotations

from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from riskengine.contracts.bounds import KNOWLEDGE_LIMITS, bounds_validators
from riskengine.contracts.knowledge import ID_PATTERN, Dimension, Severity, Text
from riskengine.language.tree import Condition, parse_condition


class _Model(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    # ceilings on every field (riskengine/contracts/bounds.py)
    _within_bounds, = bounds_validators(KNOWLEDGE_LIMITS, dates=False)


class ChannelPick(_Model):
    id: str = Field(pattern=ID_PATTERN)
    reason: Text
    rank: int = Field(default=50, ge=-10_000, le=10_000, description="lower ranks come first; ties fall back to the channel's order")


class Effects(_Model):
    points: dict[Dimension, int] = Field(default_factory=dict)
    agent_points: int = Field(default=0, ge=0, le=100)
    findings: tuple[str, ...] = ()
    strategy: str | None = None
    also_strategies: tuple[str, ...] = Field(
        default=(), description="strategies reported beside the winner (never instead of it)")
    escalation: int | None = Field(default=None, ge=1, le=4)
    min_level: Severity | None = Field(default=None, description="risk level floor")
    channels: tuple[ChannelPick, ...] = ()
    taboos: tuple[str, ...] = ()
    legal_bases: tuple[str, ...] = ()
    profile: tuple[str, ...] = Field(default=(), description="profile entry ids: nature, motive, style, priority")
    phrases: tuple[str, ...] = Field(default=(), description="phrase ids for the handler's script")

    @field_validator("points")
    @classmethod
    def _points_in_range(cls, v: dict) -> dict:
        for dim, pts in v.items():
            if not -100 <= pts <= 100:
                raise ValueError(f"points for {dim} must be between -100 and 100, got {pts}")
        return v

    def is_empty(self) -> bool:
        return self == Effects()

    @cached_property
    def as_data(self) -> dict[str, Any]:
        """The effects as plain data, as the explanation shows them. Computed once per rule and kept on
        the rule itself, so the cache goes when its ruleset goes (a process may reload rules many times)."""
        return self.model_dump(mode="json", exclude_defaults=True)


class Rule(_Model):
    id: str = Field(pattern=ID_PATTERN)
    description: Text
    salience: int = Field(default=0, ge=-1000, le=1000)
    when: Condition
    then: Effects

    @field_validator("when", mode="before")
    @classmethod
    def _parse_when(cls, raw: Any) -> Condition:
        return parse_condition(raw)
