"""The validated ruleset: all knowledge catalogs and rules, with where each came from and its version."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

from riskengine.contracts.knowledge import (AgentSign, Channel, Concept, Deadline, EscalationLevel, Indicator, LegalBasis, Phrase,
                        ProfileEntry, Question, Scoring, Strategy, Taboo)
from riskengine.contracts.rule import Rule


@dataclass(frozen=True)
class Source:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class Knowledge:
    taboos: dict[str, Taboo] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    agent_signs: dict[str, AgentSign] = field(default_factory=dict)
    legal_bases: dict[str, LegalBasis] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    strategies: dict[str, Strategy] = field(default_factory=dict)
    escalation: dict[int, EscalationLevel] = field(default_factory=dict)
    deadlines: dict[str, Deadline] = field(default_factory=dict)
    profiles: dict[str, ProfileEntry] = field(default_factory=dict)
    phrases: dict[str, Phrase] = field(default_factory=dict)
    questions: dict[str, Question] = field(default_factory=dict)
    scoring: Scoring | None = None
    concepts: dict[str, Concept] = field(default_factory=dict)

    @property
    def signals(self) -> dict[str, Indicator | AgentSign]:
        return {**self.indicators, **self.agent_signs}


@dataclass
class Ruleset:
    knowledge: Knowledge
    rules: list[Rule]
    sources: dict[str, Source]              # rule id or "kind:id" -> where it was written
    file_digests: dict[str, str]            # relative path -> sha256 of its bytes
    problems: list = field(default_factory=list)    # warnings (and errors when loaded with strict=False)
    located: dict = field(default_factory=dict, repr=False)  # id -> (Located, path) for precise messages
    # Narrative pattern -> its required literals (narrative.literal_table), when the loader has them.
    pattern_literals: dict = field(default_factory=dict, repr=False)
    # The narrative reader's concept lexicons as plain data (narrative.lexicon_tables), when the loader has them.
    lexicon_tables: dict = field(default_factory=dict, repr=False)

    @cached_property
    def version(self) -> str:
        """Content hash over every rule and knowledge file: path + bytes, in sorted path order."""
        h = hashlib.sha256()
        for path in sorted(self.file_digests):
            h.update(path.encode("utf-8") + b"\0" + self.file_digests[path].encode("ascii") + b"\n")
        return h.hexdigest()[:16]

    @cached_property
    def rules_by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    @cached_property
    def policy_conditions(self):
        """The policy's conditions compiled (riskengine/decide/policy_conditions.py), on first use."""
        from riskengine.decide.policy_conditions import PolicyConditions
        return PolicyConditions(self.knowledge)

    def __getstate__(self) -> dict:
        # The compiled tests are closures, which do not pickle (a ruleset goes to spawned workers):
        # a copy compiles its own on first use.
        state = dict(self.__dict__)
        state.pop("policy_conditions", None)
        return state

    def counts(self) -> dict[str, int]:
        k = self.knowledge
        return {"rules": len(self.rules), "taboos": len(k.taboos), "indicators": len(k.indicators),
                "agent_signs": len(k.agent_signs), "legal_bases": len(k.legal_bases),
                "channels": len(k.channels), "strategies": len(k.strategies),
                "escalation_levels": len(k.escalation), "deadlines": len(k.deadlines),
                "profiles": len(k.profiles), "phrases": len(k.phrases)}
