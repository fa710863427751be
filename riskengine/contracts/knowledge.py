"""Knowledge catalogs: the contracts of the YAML files in knowledge/.

Each file holds one top-level key (its kind, e.g. ``taboos:``) with a list of entries. The models are
strict (unknown keys are errors) so that a misspelt key in a file edited by hand is caught.
"""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from riskengine.contracts.bounds import KNOWLEDGE_LIMITS, bounds_validators
from riskengine.language.tree import Condition, parse_condition

Dimension = Literal["time", "space", "emotion", "interest", "communication"]
DIMENSIONS: tuple[str, ...] = ("time", "space", "emotion", "interest", "communication")
Severity = Literal["low", "medium", "high", "critical"]
RISK_LEVELS: tuple[str, ...] = ("low", "medium", "high", "critical")
ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_\-]*$"


class _Entry(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", frozen=True)

    # Ceilings on every field (riskengine/bounds.py): finite numbers of bounded size, no true/false as a
    # number, bounded text and lists, dates between 1900 and 2199.
    _within_bounds, _dates_in_range = bounds_validators(KNOWLEDGE_LIMITS)


class Text(_Entry):
    """A label in both working languages; Chinese is primary."""
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


class Patterns(_Entry):
    """Narrative patterns: plain keywords or safe regular expressions, per language. ``not_with``
    (concept ids) rejects a pattern hit when one of those concepts occurs in the hit's sentence, as a
    reading's ``not_with`` does (a term inside a longer term of another concept does not count):
    "bought 300 boxes ... for their office" is a business buying for its own use."""
    zh: tuple[str, ...] = ()
    en: tuple[str, ...] = ()
    not_with: tuple[str, ...] = Field(default=(), description="concepts that reject a pattern hit in the same sentence")


class _Conditional(_Entry):
    @field_validator("when", "eligible_when", "applies_when", "done_when", "immediate_when", mode="before",
                     check_fields=False)
    @classmethod
    def _parse(cls, raw: Any) -> Condition | None:
        return None if raw is None else parse_condition(raw)


class Taboo(_Entry):
    id: str = Field(pattern=ID_PATTERN)
    name: Text
    why: Text
    legal_bases: tuple[str, ...] = ()
    relevant_when: tuple[str, ...] = Field(default=(), description="case features that make it relevant, in words")
    severity: Severity
    say_instead: Text | None = None
    never_say: tuple[Text, ...] = Field(default=(), description="example sentences that break this taboo")


Actor = Literal["complainant", "third_party", "firm"]
ACTORS: tuple[str, ...] = ("complainant", "third_party", "firm")
Modality = Literal["asserted", "past", "future", "conditional", "negated", "hoped", "feared"]
MODALITIES: tuple[str, ...] = ("asserted", "past", "future", "conditional", "negated", "hoped", "feared")
# What a signal counts when it does not say: everything but a negation, a hope or a fear.
DEFAULT_MODALITIES: tuple[str, ...] = ("asserted", "past", "future", "conditional")


class Concept(_Entry):
    """A named, bilingual set of terms (knowledge/concepts.yaml) that narrative readings compose.

    Terms are plain text, never regular expressions (so reading stays linear in the text). English
    terms also match their inflected forms (threaten: threatens, threatened, threatening); a term
    written with a leading ``=`` matches only as written."""
    id: str = Field(pattern=ID_PATTERN)
    name: Text
    zh: tuple[str, ...] = ()
    en: tuple[str, ...] = ()
    include: tuple[str, ...] = Field(default=(), description="other concepts whose terms belong to this one")


class Refers(_Entry):
    """Whom a pronoun in a reading's span stands for ("客户已转给他三千元", "she had paid him £400"): the
    person named last before the span — in its sentence or up to ``back`` sentences before — must be one
    of ``to`` and not one of ``not_``. Only mentions of these concepts are considered."""
    to: tuple[str, ...] = Field(min_length=1, description="concepts naming the person meant (an agent, a companion)")
    not_: tuple[str, ...] = Field(default=(), alias="not", description="concepts naming someone else (a relative, the firm)")
    back: int = Field(default=2, ge=0, le=5, description="earlier sentences searched")


class Reading(_Entry):
    """One way a signal shows in text: concepts found together (``all``; at least one of ``any``)
    within one clause, one sentence or a number of characters (Chinese) or words (English), and
    none of ``not_with`` in that same stretch. ``actors`` / ``modalities`` narrow the signal's own."""
    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    within: Literal["clause", "sentence", "nearby"] | int = "clause"   # nearby: the sentence and its neighbours
    ordered: bool = Field(default=False, description="the `all` concepts appear in the order listed")
    not_with: tuple[str, ...] = ()
    not_within: Literal["clause", "sentence", "nearby"] | None = Field(
        default=None, description="where `not_with` looks: the clause(s), sentence or nearby sentences of the span "
                                  "(default: the stretch of `within`; a clause reading looks at the whole sentence)")
    actors: tuple[Actor, ...] | None = None
    modalities: tuple[Modality, ...] | None = None
    refers: Refers | None = Field(default=None, description="whom a pronoun in the span stands for (across sentences)")

    @field_validator("within")
    @classmethod
    def _within(cls, value: Any) -> Any:
        if isinstance(value, int) and not 1 <= value <= 200:
            raise ValueError("within: a distance from 1 to 200 (characters in Chinese, words in English)")
        return value

    @model_validator(mode="after")
    def _something(self) -> "Reading":
        if not self.all and not self.any:
            raise ValueError("a reading needs concepts in `all` or `any`")
        return self


class Salience(_Entry):
    """For a signal that means the complaint is ABOUT something (its main grievance: "disputes a
    fee"), not that the thing is mentioned in passing: a hit counts only when the ``topic`` is
    salient in the narrative — mentioned in its first ``lead`` sentences, or ``mentions`` times or
    more, or in a sentence with a ``demand`` word (what the complainant asks for) — and no ``rivals``
    topic is mentioned (twice or more, and) more than ``rival_ratio`` times as often (the complaint is
    about that instead). The hit itself is one mention. A narrative shorter than ``short`` characters
    (a handler's note, a short post) is read whole: it has no passing mentions."""
    topic: tuple[str, ...] = Field(min_length=1, description="concepts whose mentions are the topic")
    lead: int = Field(default=2, ge=0, le=50, description="sentences at the start where one mention suffices")
    mentions: int = Field(default=3, ge=1, le=100, description="mentions anywhere that suffice")
    demand: tuple[str, ...] = Field(default=(), description="concepts of the complainant's request")
    rivals: tuple[str, ...] = Field(default=(), description="concepts of topics that make this one a side issue")
    rival_ratio: float = Field(default=1.0, gt=0, le=100)
    short: int = Field(default=400, ge=0, le=100_000, description="characters below which every mention is salient")


YIELDS_TO = ("signals whose narrative hit in the same sentence takes the place of this one's: the same words "
             "read as the more specific sign (an agent's fee is agent_fee_share, not fee_dispute)")


class _Signal(_Entry):
    """What indicators and agent signs share: each declares ``yields_to`` last, after its own fields."""

    @model_validator(mode="after")
    def _yields_not_to_itself(self) -> "_Signal":
        if self.id in self.yields_to:
            raise ValueError(f"yields_to: '{self.id}' cannot yield to itself")
        return self


class Indicator(_Signal):
    """A risk indicator: observable in a case (declared as a signal or found in the narrative)."""
    id: str = Field(pattern=ID_PATTERN)
    dimension: Dimension
    points: int = Field(ge=0, le=100)
    name: Text
    question: Text | None = Field(default=None, description="how a handler asks whether it is present")
    patterns: Patterns = Patterns()
    read: tuple[Reading, ...] = Field(default=(), description="concept readings (knowledge/concepts.yaml)")
    actors: tuple[Actor, ...] | None = Field(default=None, description="who must be doing it; None: anyone")
    modalities: tuple[Modality, ...] | None = Field(default=None, description="None: DEFAULT_MODALITIES")
    salience: Salience | None = Field(default=None, description="raise it only when the narrative is about it")
    yields_to: tuple[str, ...] = Field(default=(), description=YIELDS_TO)


AgentGroup = Literal["content", "behaviour", "money", "acquisition", "batch", "coercion", "ecommerce"]


class AgentSign(_Signal):
    id: str = Field(pattern=ID_PATTERN)
    group: AgentGroup
    weight: int = Field(ge=0, le=100)
    name: Text
    question: Text | None = None
    patterns: Patterns = Patterns()
    read: tuple[Reading, ...] = ()
    actors: tuple[Actor, ...] | None = None
    modalities: tuple[Modality, ...] | None = None
    yields_to: tuple[str, ...] = Field(default=(), description=YIELDS_TO)


class LegalBasis(_Entry):
    id: str = Field(pattern=ID_PATTERN)
    law: Text
    article: str = Field(min_length=1)
    summary: Text
    jurisdiction: Literal["CN", "UK", "US"]
    effective: dt.date | None = Field(default=None, description="the day this version came into force")
    ends: dt.date | None = Field(default=None, description="the last day in force, where replaced or repealed")
    industries: tuple[Literal["insurance", "banking", "securities", "ecommerce", "services", "public", "other"], ...] = \
        Field(default=(), description="sectors it governs; empty: all")
    replaced_by: str | None = Field(default=None, description="the id of the version that replaced it")
    verified: bool


class Channel(_Conditional):
    id: str = Field(pattern=ID_PATTERN)
    name: Text
    kind: Literal["internal", "regulator", "mediation", "arbitration", "litigation", "petition",
                  "consumer_association", "police"]
    order: int = Field(ge=-10_000, le=10_000, description="default rank when rules do not say otherwise; lower comes first")
    eligible_when: Condition | None = Field(default=None, description="None: always eligible")
    ineligible_reason: Text | None = None
    clock: Text | None = None
    legal_bases: tuple[str, ...] = ()


class Strategy(_Entry):
    id: str = Field(pattern=ID_PATTERN)
    name: Text
    precedence: int = Field(ge=-10_000, le=10_000, description="conflict policy: the highest precedence among recommended strategies wins")
    steps: tuple[Text, ...] = Field(min_length=1)
    legal_bases: tuple[str, ...] = ()
    key_steps: tuple[int, ...] = Field(
        default=(), description="1-based numbers of the steps merged into the plan when another strategy leads")


class EscalationLevel(_Conditional):
    level: int = Field(ge=1, le=4)
    name: Text
    owner: Text
    within_hours: int = Field(ge=1, le=8760, description="how soon the owner must take the case")
    within_minutes: int | None = Field(
        default=None, ge=1, le=1440, description="the take-over time when `immediate_when` holds (a crisis: minutes)")
    immediate_when: Condition | None = None


class Deadline(_Conditional):
    """A regulatory clock. The earliest applicable deadline sets escalation.respond_by."""
    id: str = Field(pattern=ID_PATTERN)
    name: Text
    jurisdiction: Literal["CN", "UK", "US"]
    applies_when: Condition | None = None
    days: int = Field(ge=1, le=3650, description="at most ten years")
    day_type: Literal["calendar", "working"]
    legal_basis: str | None = None
    kind: Literal["answer", "duty"] = Field(
        default="answer", description="answer: a complaint-answer clock (the earliest sets respond_by); "
                                      "duty: a separate legal duty listed as a dated action")
    start_event: str = Field(default="received", description="the case date field the clock runs from")
    done_when: Condition | None = Field(default=None, description="the duty is met: no longer due or overdue")
    overdue_step: Text | None = Field(default=None, description="what the rules require once it is overdue")


class Scoring(_Entry):
    """Thresholds of the policy that turns points into levels (knowledge/scoring.yaml)."""
    level_thresholds: dict[Literal["medium", "high", "critical"], Annotated[int, Field(ge=0, le=100)]]
    agent_suspected_at: int = Field(ge=1, le=100)
    level_escalation: dict[Literal["low", "medium", "high", "critical"], Annotated[int, Field(ge=1, le=4)]]


ProfileKind = Literal["nature", "motive", "style", "priority"]


class ProfileEntry(_Entry):
    """One value of the complainant profile (knowledge/profiles.yaml).

    ``rank`` settles conflicts: when rules name several natures (or motives, or priorities), the one
    with the highest rank is reported; every style named is reported, by rank.
    """
    kind: ProfileKind
    id: str = Field(pattern=ID_PATTERN)
    name: Text
    description: Text
    rank: int = Field(ge=-10_000, le=10_000)
    guidance: tuple[Text, ...] = Field(default=(), description="how to talk (styles) or handle (natures)")


PhraseSituation = Literal["opening", "question", "anchor", "closing"]
SCRIPT_ORDER: tuple[str, ...] = ("opening", "question", "anchor", "closing")


class Phrase(_Conditional):
    """A thing to say or ask (knowledge/phrases.yaml). ``{placeholders}`` are filled from the case:
    {demand_amount} {entitlement_amount} {amount_in_dispute} {respond_by} {product}."""
    id: str = Field(pattern=ID_PATTERN)
    situation: PhraseSituation
    text: Text
    order: int = Field(default=50, ge=-10_000, le=10_000, description="lower comes first within its situation")
    when: Condition | None = Field(default=None, description="said only when this holds for the case "
                                                             "(channel, age, speaker, product, time)")
    in_crisis: bool = Field(default=False, description="may be said in a safety crisis (then nothing else is: "
                                                       "no merits, no dates, no money)")


class Question(_Conditional):
    """A fact that decides the case type (knowledge/questions.yaml, issue 14 §9): asked first when
    unknown and ``applies_when`` holds, ranked by ``weight`` (how much the answer changes the advice)."""
    id: str = Field(pattern=ID_PATTERN)
    fact: str = Field(description="the case field path the answer fills")
    applies_when: Condition | None = None
    weight: int = Field(ge=1, le=100)
    question: Text
    why: Text


KINDS: dict[str, type[_Entry]] = {
    "taboos": Taboo,
    "indicators": Indicator,
    "agent_signs": AgentSign,
    "legal_bases": LegalBasis,
    "channels": Channel,
    "strategies": Strategy,
    "escalation": EscalationLevel,
    "deadlines": Deadline,
    "profiles": ProfileEntry,
    "phrases": Phrase,
    "concepts": Concept,
    "questions": Question,
}
