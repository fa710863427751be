"""Rule tests: a case plus a partial ``expect:`` block, checked against a fresh assessment.

A test file (YAML) holds one test::

    name: 代理退保 with template letter
    source: domain.md §7 (Lianjiang)            # optional: where the facts come from
    case: {id: ..., received: ..., ...}
    expect:
      risk.level: high                          # a dotted path: compared exactly
      risk.level: {in: [high, critical]}        # or one of several values
      risk.score: {ge: 50}                      # or a bound (ge, gt, le, lt)
      agent.suspected: true
      strategy.id: suspected_agent_protocol
      channels: {contains: [regulator], excludes: [arbitration]}   # lists compare by id
      taboos: {exactly: [a, b]}
      fired: {contains: [AGENT-TEMPLATE-LETTER]} # rules that fired
      script.say: {excludes: [closing_written_summary]}  # phrases, by id

Only the fields named are checked.
"""
from __future__ import annotations

import math
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riskengine.contracts.assessment import Assessment
from riskengine.io.casefile import read_case_file
from riskengine.errors import CaseError, RiskEngineError, did_you_mean, one_line, shown

LIST_PATHS = {"channels", "channels_excluded", "taboos", "legal_bases", "findings", "fired", "agent.signs",
              "escalation.actions", "legal_bases_skipped", "script.say", "script.avoid", "strategy.step_from",
              "strategy.also", "strategy.outranked", "signals.from_narrative", "missing_facts"}
LIST_CHECKS = {"contains", "excludes", "exactly"}
VALUE_CHECKS = {"in", "ge", "gt", "le", "lt", "eq"}


@dataclass
class TestResult:
    file: str
    name: str
    failures: list[str] = field(default_factory=list)
    fired: list[str] = field(default_factory=list)
    error: str | None = None
    assessment: Assessment | None = None

    @property
    def passed(self) -> bool:
        return not self.failures and self.error is None


def actual_value(a: Assessment, path: str) -> Any:
    if path == "fired":
        return [s.rule for s in a.explanation]
    if path in LIST_PATHS:
        value: Any = a
        for part in path.split("."):
            value = getattr(value, part) if value is not None else None
        items = value or []
        return [getattr(i, "id", None) or getattr(i, "signal", None) or getattr(i, "fact", None)
                or getattr(i, "taboo", None) or i for i in items]
    data: Any = a.model_dump(mode="json")
    for part in path.split("."):
        if not isinstance(data, dict) or part not in data:
            raise KeyError(path)
        data = data[part]
    return data


def check(a: Assessment, expect: dict[str, Any]) -> list[str]:
    failures = []
    for path, want in expect.items():
        try:
            got = actual_value(a, path)
        except KeyError:
            failures.append(f"{path}: no such field in the assessment")
            continue
        if isinstance(want, dict) and set(want) <= LIST_CHECKS and path in LIST_PATHS:
            failures.extend(_check_list(path, got, want))
        elif isinstance(want, dict) and set(want) <= VALUE_CHECKS:
            failures.extend(_check_value(path, got, want))
        elif got != want:
            failures.append(f"{path}: expected {shown(repr(want))}, got {shown(repr(got))}")
    return failures


def _check_list(path: str, got: list, want: dict) -> list[str]:
    out = []
    if "exactly" in want and sorted(map(str, got)) != sorted(map(str, want["exactly"])):
        out.append(f"{path}: expected exactly {sorted(map(str, want['exactly']))}, got {sorted(map(str, got))}")
    missing = [x for x in want.get("contains", []) if x not in got]
    if missing:
        out.append(f"{path}: expected to contain {missing}, got {got}")
    present = [x for x in want.get("excludes", []) if x in got]
    if present:
        out.append(f"{path}: expected not to contain {present}, got {got}")
    return out


def _check_value(path: str, got: Any, want: dict) -> list[str]:
    out = []
    for op, v in want.items():
        try:
            ok = {"in": lambda: got in v, "eq": lambda: got == v,
                  "ge": lambda: got is not None and got >= v, "gt": lambda: got is not None and got > v,
                  "le": lambda: got is not None and got <= v, "lt": lambda: got is not None and got < v}[op]()
        except TypeError:   # a number compared with text: the expectation cannot hold
            ok = False
        if not ok:
            out.append(f"{path}: expected {op} {shown(repr(v))}, got {shown(repr(got))}")
    return out


def load_test(path: Path) -> tuple[str, dict, dict]:
    name, case, expect, _as_of = load_test_as_of(path)
    return name, case, expect


def load_test_as_of(path: Path) -> tuple[str, dict, dict, dt.date | None]:
    """A rule test; ``as_of:`` (optional) fixes the date clocks are judged on, so the output is
    reproducible (default: received + history.days_open, else received)."""
    data = read_case_file(path)
    unknown = set(data) - {"name", "source", "case", "expect", "note", "as_of"}
    if unknown or "case" not in data or "expect" not in data:
        raise CaseError("a rule test needs `case:` and `expect:` (and optionally name, source, note); "
                        f"unexpected: {sorted(unknown)}" if unknown else "a rule test needs `case:` and `expect:`",
                        str(path), "RE203")
    if not isinstance(data["expect"], dict):
        raise CaseError("`expect:` must be a mapping of assessment paths to expected values", str(path), "RE205")
    for key, want in data["expect"].items():
        problem = expect_problem(key, want)
        if problem:
            raise CaseError(f"expect: {problem}", str(path), "RE205")
    as_of = data.get("as_of")
    if as_of is not None and not isinstance(as_of, dt.date):
        try:
            as_of = dt.date.fromisoformat(str(as_of))
        except ValueError:
            raise CaseError(f"as_of: not a date (YYYY-MM-DD): {shown(as_of)}", str(path), "RE203") from None
    return shown(str(data.get("name") or path.stem), 200), data["case"], data["expect"], as_of


def _finite_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def expect_problem(key: Any, want: Any) -> str | None:
    """What is wrong with one line of an ``expect:`` block, or None."""
    if not isinstance(key, str) or not key:
        return f"{shown(key)}: keys are assessment paths such as risk.level"
    if not isinstance(want, dict):
        return None   # compared exactly
    ops = set(map(str, want))
    if key in LIST_PATHS and ops <= LIST_CHECKS:
        for op in ops:
            if not isinstance(want[op], list):
                return f"{shown(key)}.{op} takes a list of ids, e.g. [a, b]"
        return None
    if ops <= VALUE_CHECKS and ops:
        for op, v in want.items():
            if op in ("ge", "gt", "le", "lt") and not _finite_number(v):
                return f"{shown(key)}.{op} takes a number, not {shown(v)}"
            if op == "in" and not isinstance(v, list):
                return f"{shown(key)}.in takes a list of values, e.g. [high, critical]"
        return None
    allowed = sorted(LIST_CHECKS | VALUE_CHECKS) if key in LIST_PATHS else sorted(VALUE_CHECKS)
    bad = sorted(ops - set(allowed)) or sorted(ops)
    hint = did_you_mean(bad[0], allowed) if bad else ""
    return (f"{shown(key)}: unknown check {shown(', '.join(bad))}; use one of {', '.join(allowed)}"
            + (f" ({hint})" if hint else ""))


def run_test(engine, path: Path, *, narrative_only: bool = False) -> TestResult:
    """One test's result; never raises, so the tests after a broken one still run. ``narrative_only``:
    the case without its ticked ``signals`` (what the advice is when a handler only writes the narrative)."""
    try:
        name, case, expect, as_of = load_test_as_of(path)
        if narrative_only and isinstance(case, dict):
            case = {k: v for k, v in case.items() if k != "signals"}
    except RiskEngineError as exc:
        return TestResult(str(path), shown(path.stem, 200), error=str(exc))
    except Exception as exc:   # noqa: BLE001
        return TestResult(str(path), shown(path.stem, 200), error=_internal(path, exc))
    try:
        a = engine.assess(engine.parse_case(case, str(path)), as_of=as_of)
        failures = [one_line(f) for f in check(a, expect)]
    except RiskEngineError as exc:
        return TestResult(str(path), name, error=str(exc))
    except Exception as exc:   # noqa: BLE001
        return TestResult(str(path), name, error=_internal(path, exc))
    return TestResult(str(path), name, failures=failures, fired=[s.rule for s in a.explanation], assessment=a)


def _internal(path: Path, exc: Exception) -> str:
    return one_line(f"{path}: RE299 internal error ({type(exc).__name__}: {shown(str(exc), 200)}); please report it")


def collect(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(x for x in p.rglob("*") if x.suffix in (".yaml", ".yml", ".json")))
        else:
            files.append(p)
    return files


@dataclass
class Coverage:
    total: int
    fired: int
    unfired_by_file: dict[str, list[str]]
    unused_knowledge: dict[str, list[str]]

    @property
    def percent(self) -> float:
        return 100.0 * self.fired / self.total if self.total else 100.0


def coverage(ruleset, results: list[TestResult]) -> Coverage:
    """Which rules no test fires (per rule file) and which knowledge ids no rule uses."""
    fired = {r for res in results for r in res.fired}
    unfired: dict[str, list[str]] = {}
    for rule in ruleset.rules:
        if rule.id not in fired:
            unfired.setdefault(ruleset.sources[rule.id].file, []).append(rule.id)
    k = ruleset.knowledge
    used: dict[str, set] = {"strategies": set(), "channels": set(), "taboos": set(), "legal_bases": set(),
                            "profiles": set(), "phrases": set(), "escalation": set()}
    for rule in ruleset.rules:
        t = rule.then
        used["strategies"].update(([t.strategy] if t.strategy else []) + list(t.also_strategies))
        used["channels"].update(c.id for c in t.channels)
        used["taboos"].update(t.taboos)
        used["legal_bases"].update(t.legal_bases)
        used["profiles"].update(t.profile)
        used["phrases"].update(t.phrases)
        if t.escalation:
            used["escalation"].add(t.escalation)
    unused = {kind: sorted(map(str, set(getattr(k, kind)) - ids)) for kind, ids in used.items()}
    return Coverage(len(ruleset.rules), len({r.id for r in ruleset.rules} & fired), unfired,
                    {kind: ids for kind, ids in unused.items() if ids})


def junit_xml(results: list[TestResult], duration: float = 0.0) -> str:
    import xml.etree.ElementTree as ET

    failed = sum(1 for r in results if r.failures)
    errors = sum(1 for r in results if r.error)
    suite = ET.Element("testsuite", name="riskengine", tests=str(len(results)), failures=str(failed),
                       errors=str(errors), time=f"{duration:.3f}")
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=r.file, name=r.name)
        if r.error:
            ET.SubElement(case, "error", message=r.error.splitlines()[0][:200]).text = r.error
        elif r.failures:
            body = "\n".join(r.failures + [f"fired: {', '.join(r.fired)}"])
            ET.SubElement(case, "failure", message=r.failures[0][:200]).text = body
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
