"""The API's contract as pydantic models: they make /openapi.json and /docs, and the responses fit them.

The case is the library's :class:`~riskengine.contracts.case.Case` and the assessment its
:class:`~riskengine.contracts.assessment.Assessment`; this module adds only what the service itself says.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from riskengine.contracts.assessment import Assessment, MissingFact


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorItem(_Model):
    pointer: str | None = Field(description="JSON pointer (RFC 6901) into the request body; null for a parameter "
                                            "or a ruleset file")
    parameter: str | None = Field(default=None, description="the query or path parameter at fault")
    code: str = Field(description="riskengine error code (docs/errors.md), as the CLI prints it")
    name: str = Field(description="the code's short name")
    message: str
    hint: str = Field(description="the fix, or a did-you-mean; empty when there is none")


class ProblemDetails(_Model):
    """RFC 9457 problem details (media type application/problem+json)."""
    type: str
    title: str
    status: int
    detail: str
    instance: str = Field(description="urn:uuid of the request (also in the X-Request-ID header)")
    errors: list[ErrorItem] = []


class TraceNode(_Model):
    rule: str
    matched: dict[str, Any]
    via: list["TraceNode"] = []


class RecommendationTrace(_Model):
    recommendation: str
    because: list[TraceNode]


class AssessResponse(Assessment):
    """The assessment (the JSON of ``riskengine assess --format json``) and what the service adds."""
    decision_id: str = Field(description="unique id of this decision (also in the decision log)")
    version: str = Field(description="the ruleset version that produced this answer")
    summary: str = Field(description="one line in the language asked for (lang)")
    traces: list[RecommendationTrace] | None = Field(
        default=None, description="with explain=full: each recommendation traced back to its rules and facts")


class Unmet(_Model):
    text: str
    condition: str
    actual: Any = None
    because: list["WhyNot"] = []


class WhyNot(_Model):
    rule: str
    fired: bool
    unmet: list[Unmet] = []


class ExplainResponse(_Model):
    version: str
    case_id: str
    why: list[RecommendationTrace] | None = Field(default=None, description="without why_not: every recommendation")
    why_not: WhyNot | None = Field(default=None, description="with why_not=RULE_ID: its first unmet condition")
    text: list[str] = Field(description="the same explanation as `riskengine explain` prints")


class MissingFactsResponse(_Model):
    version: str
    case_id: str
    missing_facts: list[MissingFact]


class ValidateRequest(_Model):
    files: dict[str, str] = Field(
        description="path → text of each YAML file, paths starting rules/ or knowledge/ (without knowledge/ "
                    "files, the served knowledge is used)", max_length=2000)


class RulesetProblem(_Model):
    file: str
    line: int
    column: int
    code: str
    name: str
    severity: Literal["error", "warning"]
    message: str
    hint: str
    text: str = Field(description="the line `riskengine validate` prints")


class ValidateResponse(_Model):
    ok: bool
    version: str | None
    errors: int
    warnings: int
    problems: list[RulesetProblem]
    counts: dict[str, int] | None


class ReloadOutcome(_Model):
    result: Literal["success", "failure", "pending"]
    at: str | None
    trigger: str
    version: str | None = Field(description="the version a successful reload swapped in")
    step: str | None = Field(description="the step that refused the ruleset: load, validate, compile or test")
    error: str | None
    reasons: list[str]
    errors: list[ErrorItem] = Field(default=[], description="the reasons as problem items (codes and hints of "
                                                             "`riskengine validate` where there are some)")


class StatusResponse(_Model):
    ready: bool
    version: str | None
    loaded_at: str | None
    source: str | None = Field(description="files (the rule folders) or snapshot (the last good copy)")
    rules: int | None
    knowledge: dict[str, int] | None
    tests_passed: int | None
    last_reload: ReloadOutcome
    service_version: str
    decision_log: dict[str, Any] | None
    auth: bool


class KnowledgeEntry(_Model):
    kind: str
    id: str
    version: str
    source: str | None = Field(description="file:line where it is written")
    entry: dict[str, Any]


class KnowledgeList(_Model):
    kind: str
    version: str
    entries: list[KnowledgeEntry]


class Health(_Model):
    status: Literal["ok", "ready"]
    version: str | None = None
