"""Hostile inputs for every command that reads untrusted data (issue 15), generated, not stored.

Each :class:`Hostile` is files to write into a fresh folder, the command line to run there, the exit
code it must end with and the words its one-line error must contain (the file, and the field or the
line). ``{d}`` in an argument is the folder. Big inputs are generated here; nothing large is kept in
the repository. Classes: dates, numbers, sizes, nesting, text and echo, types, JSON, YAML, patterns
(catastrophic backtracking), knowledge ranges, rule tests, decision logs, batches, output paths.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOOD = {"id": "H-1", "received": "2025-03-20", "industry": "insurance", "channel": "online",
        "category": "claim_denial", "amount_in_dispute": 1000, "signals": []}


@dataclass
class Hostile:
    name: str
    kind: str
    args: list[str]
    files: dict[str, str | bytes] = field(default_factory=dict)
    exit: int = 1
    where: tuple[str, ...] = ()          # every one must appear in one line of the error output
    lines: int | None = None             # the error output must have exactly this many lines
    good_ids: tuple[str, ...] = ()       # batch: ids that must be in the output, once each
    bad_lines: tuple[int, ...] = ()      # batch: line numbers that must be in the errors file
    knowledge: dict[str, str] = field(default_factory=dict)   # knowledge file -> (old, new) edits
    rules: dict[str, str] = field(default_factory=dict)       # extra rule files


def yaml_case(**over) -> str:
    lines = []
    for k, v in {**GOOD, **over}.items():
        if v is _DROP:
            continue
        lines.append(f"{k}: {v if isinstance(v, str) and v.startswith('!raw ') is False else v}")
    return "\n".join(_yaml_line(k, v) for k, v in {**GOOD, **over}.items() if v is not _DROP) + "\n"


_DROP = object()


def _yaml_line(k: str, v) -> str:
    if isinstance(v, Raw):
        return f"{k}: {v.text}"
    return f"{k}: {json.dumps(v, ensure_ascii=False)}"


class Raw:
    """A value written into YAML as it is (dates, .inf, huge integers...)."""

    def __init__(self, text: str):
        self.text = text


def json_case(**over) -> str:
    return json.dumps({k: v for k, v in {**GOOD, **over}.items() if v is not _DROP}, ensure_ascii=False)


def assess(name: str, kind: str, text: str | bytes, where: tuple[str, ...], suffix: str = ".yaml",
           exit: int = 1) -> Hostile:
    fname = f"case{suffix}"
    return Hostile(name, kind, ["assess", "{d}/" + fname, "--format", "json", "--engine", "compiled"],
                   {fname: text}, exit, (fname,) + where)


def case_inputs() -> list[Hostile]:
    out: list[Hostile] = []
    # -- dates
    for i, d in enumerate(["2024-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "2024-01-32"]):
        out.append(assess(f"impossible-date-{i}", "dates", yaml_case(received=Raw(d)), (":2:",)))
        out.append(assess(f"impossible-date-json-{i}", "dates", json_case(received=d), ("received",), ".json"))
    for i, d in enumerate(["9999-12-31", "9999-12-30", "0001-01-01", "1000-01-01", "2999-01-01"]):
        out.append(assess(f"far-date-{i}", "dates", yaml_case(received=Raw(d)), ("received",)))
    out.append(assess("date-as-text", "dates", yaml_case(received="yesterday"), ("received",)))
    out.append(assess("date-as-number", "dates", yaml_case(received=20240101), ("received",)))
    out.append(assess("date-with-time-overflow", "dates", yaml_case(received=Raw("9999-12-31 23:59:59")), ("received",)))
    # -- numbers
    for i, v in enumerate([".inf", "-.inf", ".nan", ".NaN", "1.0e+400", "-1.0e+400"]):
        out.append(assess(f"non-finite-yaml-{i}", "numbers", yaml_case(amount_in_dispute=Raw(v)), ("amount_in_dispute",)))
    for i, v in enumerate(["Infinity", "-Infinity", "NaN", "1e400", "-1e400"]):
        text = json_case(amount_in_dispute=0).replace('"amount_in_dispute": 0', f'"amount_in_dispute": {v}')
        out.append(assess(f"non-finite-json-{i}", "numbers", text, ("case.json",), ".json"))
    for fld in ("amount_in_dispute", "entitlement_amount", "group_size"):
        out.append(assess(f"bool-as-number-{fld}", "numbers", yaml_case(**{fld: Raw("true")}), (fld,)))
        out.append(assess(f"bool-as-number-json-{fld}", "numbers", json_case(**{fld: False}), (fld,), ".json"))
    out.append(assess("bool-as-demand-amount", "numbers",
                      yaml_case(demand=Raw("{type: compensation, amount: true}")), ("demand.amount",)))
    out.append(assess("bool-as-age", "numbers", yaml_case(complainant=Raw("{age: true}")), ("complainant.age",)))
    out.append(assess("huge-int-yaml", "numbers", yaml_case(group_size=Raw("9" * 5000)), (":8:",)))
    out.append(assess("huge-int-json", "numbers", json_case(group_size=0).replace('"group_size": 0',
                                                                                  '"group_size": ' + "9" * 5000),
                      ("digits",), ".json"))
    out.append(assess("big-int-beyond-range", "numbers", yaml_case(group_size=10 ** 30), ("group_size",)))
    out.append(assess("negative-amount", "numbers", yaml_case(amount_in_dispute=-5), ("amount_in_dispute",)))
    out.append(assess("huge-amount", "numbers", yaml_case(amount_in_dispute=1e300), ("amount_in_dispute",)))
    out.append(assess("huge-days-open", "numbers", yaml_case(history={"days_open": 10 ** 12}), ("history.days_open",)))
    out.append(assess("negative-prior", "numbers", yaml_case(history={"prior_complaints": -1}),
                      ("history.prior_complaints",)))
    out.append(assess("age-200", "numbers", yaml_case(complainant={"age": 200}), ("complainant.age",)))
    out.append(assess("fractional-group", "numbers", yaml_case(group_size=2.5), ("group_size",)))
    # -- sizes
    out.append(assess("million-signals-yaml", "sizes", "signals: [" + ",".join(["a"] * 1_200_000) + "]\n",
                      ("more than",)))
    out.append(assess("million-signals-json", "sizes", json_case(signals=["a"] * 900_000),
                      ("signals", "limit"), ".json"))
    out.append(assess("long-signal-list", "sizes", yaml_case(signals=["claim_denied"] * 501), ("signals",)))
    out.append(assess("long-vulnerable-list", "sizes",
                      yaml_case(complainant={"vulnerable": ["elderly"] * 600}), ("complainant.vulnerable",)))
    out.append(assess("narrative-too-long", "sizes", yaml_case(narrative="投诉" * 60_000), ("narrative",)))
    out.append(assess("id-100k", "sizes", yaml_case(id="x" * 100_000), ("id",)))
    out.append(assess("product-too-long", "sizes", yaml_case(product="p" * 1000), ("product",)))
    out.append(assess("file-over-limit", "sizes", "narrative: '" + "x" * 5_100_000 + "'\n", ("larger than",)))
    out.append(assess("json-file-over-limit", "sizes", '{"narrative": "' + "x" * 5_100_000 + '"}', ("larger than",),
                      ".json"))
    # -- nesting
    out.append(assess("deep-yaml", "nesting", "id: " + "[" * 5000 + "]" * 5000 + "\n", ("nesting",)))
    out.append(assess("deep-yaml-block", "nesting",
                      "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "v: 1\n", ("nested",)))
    out.append(assess("deep-json", "nesting", '{"id": ' + "[" * 100_000 + "]" * 100_000 + "}", ("nesting",), ".json"))
    out.append(assess("deep-json-moderate", "nesting", json_case(product=0).replace(
        '"product": 0', '"product": ' + "[" * 500 + "]" * 500), ("nested",), ".json"))
    # -- text and echo (one line, escaped, bounded)
    forged = "claim_denied\nerror: everything is fine"
    out.append(assess("newline-in-signal", "echo", yaml_case(signals=[forged]), ("signals[0]", "\\n")))
    out.append(assess("bidi-in-signal", "echo", yaml_case(signals=["abc\u202edcba"]), ("\\u202e",)))
    out.append(assess("zero-width-in-signal", "echo", yaml_case(signals=["claim\u200b_denied"]), ("\\u200b",)))
    out.append(assess("huge-unknown-signal", "echo", yaml_case(signals=["z" * 100_000]), ("signals[0]", "chars)")))
    out.append(assess("newline-in-unknown-key", "echo", json_case(**{"bad\nkey": 1}), ("bad\\nkey",), ".json"))
    out.append(assess("bidi-in-unknown-key", "echo", json_case(**{"x\u202ey": 1}), ("x\\u202ey",), ".json"))
    out.append(assess("huge-unknown-key", "echo", json_case(**{"k" * 100_000: 1}), ("chars)",), ".json"))
    out.append(assess("control-chars-in-enum", "echo", yaml_case(industry="insur\x1bance"), ("industry", "\\x1b")))
    out.append(assess("misspelt-enum", "echo", yaml_case(industry="insurence"), ("industry", "did you mean")))
    out.append(assess("misspelt-field", "echo", yaml_case(narative="x"), ("narative", "did you mean")))
    out.append(assess("nul-bytes", "echo", yaml_case(id="a\x00b").replace("\\u0000", "\x00"), ("case.yaml",)))
    # -- types
    for i, (k, v) in enumerate([("signals", "claim_denied"), ("complainant", "old"), ("demand", [1, 2]),
                                ("history", 5), ("id", ["a"]), ("industry", 7), ("narrative", {"a": 1}),
                                ("arbitration_agreement", "perhaps"), ("signals", [1, 2]), ("jurisdiction", "FR")]):
        out.append(assess(f"wrong-type-{i}-{k}", "types", yaml_case(**{k: v}), (k,)))
    out.append(assess("missing-id", "types", yaml_case(id=_DROP), ("id",)))
    out.append(assess("200k-unknown-keys", "sizes", json.dumps({f"k{i}": 0 for i in range(200_000)}), ("200,000 fields",),
                      ".json"))
    out.append(assess("100k-keys-in-block", "sizes", json_case(complainant={f"k{i}": 0 for i in range(100_000)}),
                      ("complainant",), ".json"))
    out.append(assess("top-level-list", "types", "- a\n- b\n", ("mapping",)))
    out.append(assess("top-level-scalar", "types", "just text\n", ("mapping",)))
    out.append(assess("empty-file", "types", "", ("mapping",)))
    out.append(assess("json-list", "types", "[1, 2]", ("mapping",), ".json"))
    out.append(assess("json-null", "types", "null", ("mapping",), ".json"))
    # -- raw bytes and syntax
    out.append(assess("binary", "syntax", bytes(range(256)) * 4, ("case.yaml",)))
    out.append(assess("invalid-utf8", "syntax", b"id: \xff\xfe\n", ("case.yaml",)))
    out.append(assess("yaml-tab-indent", "syntax", "id: a\n\tbad: 1\n", (":2:",)))
    out.append(assess("yaml-anchor-bomb", "syntax",
                      "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\n", ("anchors",)))
    out.append(assess("yaml-python-tag", "syntax", "id: !!python/object/apply:os.system ['echo hi']\n",
                      ("case.yaml",)))
    out.append(assess("yaml-duplicate-key", "syntax", yaml_case() + "id: again\n", ("twice",)))
    out.append(assess("yaml-unclosed-quote", "syntax", "id: 'abc\n", ("case.yaml",)))
    out.append(assess("json-truncated", "syntax", json_case()[:-10], ("case.json:1",), ".json"))
    out.append(assess("json-trailing-comma", "syntax", '{"id": "a",}', ("case.json:1",), ".json"))
    out.append(assess("json-bom-garbage", "syntax", b"\xef\xbb\xbf\xef\xbb\xbf{}", ("case.json",), ".json"))
    out.append(Hostile("missing-file", "syntax", ["assess", "{d}/nope.yaml", "--engine", "compiled"], {}, 1,
                       ("nope.yaml",)))
    out.append(Hostile("folder-as-case", "syntax", ["assess", "{d}", "--engine", "compiled"], {}, 2, ()))
    # -- other commands on bad cases
    bad = yaml_case(received=Raw("2024-02-30"))
    out.append(Hostile("explain-impossible-date", "commands", ["explain", "{d}/c.yaml"], {"c.yaml": bad}, 1,
                       ("c.yaml:2",)))
    out.append(Hostile("explain-why-not-unknown-rule", "commands",
                       ["explain", "{d}/c.yaml", "--why-not", "NO-SUCH\nRULE"], {"c.yaml": yaml_case()}, 1,
                       ("NO-SUCH",), lines=1))
    out.append(Hostile("explain-infinite", "commands", ["explain", "{d}/c.yaml"],
                       {"c.yaml": yaml_case(amount_in_dispute=Raw(".inf"))}, 1, ("amount_in_dispute",)))
    out.append(Hostile("interview-start-bad", "commands", ["interview", "--start", "{d}/c.yaml"],
                       {"c.yaml": bad}, 1, ("c.yaml:2",)))
    out.append(Hostile("interview-start-huge-int", "commands", ["interview", "--start", "{d}/c.yaml"],
                       {"c.yaml": yaml_case(group_size=Raw("9" * 6000))}, 1, ("c.yaml:8",)))
    out.append(Hostile("assess-log-missing-folder", "outputs",
                       ["assess", "{d}/c.yaml", "--engine", "compiled", "--log", "{d}/no/such/dir/log.jsonl"],
                       {"c.yaml": yaml_case()}, 1, ("log.jsonl", "RE206")))
    out.append(Hostile("assess-log-is-folder", "outputs",
                       ["assess", "{d}/c.yaml", "--engine", "compiled", "--log", "{d}/sub"],
                       {"c.yaml": yaml_case(), "sub/x": ""}, 2, ()))
    for i, line in enumerate(["", "\n"]):
        pass
    return out


def rule_test_inputs() -> list[Hostile]:
    out = []
    good = "name: ok\ncase:\n" + "".join("  " + ln + "\n" for ln in yaml_case().splitlines()) + \
        "expect:\n  risk.level: {in: [low, medium, high, critical]}\n"
    bad_expects = {
        "expect-list": "expect: [1, 2]\n",
        "expect-scalar": "expect: high\n",
        "expect-ge-text": "expect:\n  risk.score: {ge: lots}\n",
        "expect-ge-inf": "expect:\n  risk.score: {ge: .inf}\n",
        "expect-in-scalar": "expect:\n  risk.level: {in: 5}\n",
        "expect-contains-scalar": "expect:\n  channels: {contains: 5}\n",
        "expect-exactly-null": "expect:\n  taboos: {exactly: null}\n",
        "expect-unknown-check": "expect:\n  risk.level: {gte: 5}\n",
        "expect-int-key": "expect:\n  5: high\n",
        "expect-null-key": "expect:\n  ~: high\n",
        "expect-nested-garbage": "expect:\n  channels: {contains: [a], exactly: {x: 1}}\n",
    }
    for name, expect in bad_expects.items():
        text = "name: t\ncase:\n" + "".join("  " + ln + "\n" for ln in yaml_case().splitlines()) + expect
        out.append(Hostile(f"ruletest-{name}", "rule-tests",
                           ["test", "{d}/a_good.yaml", "{d}/b_bad.yaml", "{d}/c_good.yaml"],
                           {"a_good.yaml": good, "b_bad.yaml": text, "c_good.yaml": good}, 1, ("b_bad.yaml",)))
    for name, text in {
        "case-impossible-date": "name: t\ncase:\n  received: 2024-02-30\nexpect: {risk.level: low}\n",
        "case-not-mapping": "name: t\ncase: [1]\nexpect: {risk.level: low}\n",
        "case-huge-int": "name: t\ncase: {group_size: " + "9" * 5000 + "}\nexpect: {risk.level: low}\n",
        "no-expect": "name: t\ncase: {}\n",
        "not-yaml": "name: [\n",
        "binary": "\x00\x01\x02",
        "name-newline": "name: \"a\\nFAIL forged\"\ncase: {}\nexpect: {}\n",
    }.items():
        out.append(Hostile(f"ruletest-{name}", "rule-tests",
                           ["test", "{d}/a_good.yaml", "{d}/b_bad.yaml", "{d}/c_good.yaml"],
                           {"a_good.yaml": good, "b_bad.yaml": text, "c_good.yaml": good}, 1, ("b_bad.yaml",)))
    out.append(Hostile("ruletest-junit-missing-folder", "outputs",
                       ["test", "{d}/a_good.yaml", "--junit", "{d}/no/such/dir/junit.xml"],
                       {"a_good.yaml": good}, 1, ("junit.xml", "RE206")))
    return out


def knowledge_inputs() -> list[Hostile]:
    """Edits of one shipped knowledge or rule file; ``validate`` must refuse each at its line."""
    edits = [
        ("deadline-million-days", "deadlines.yaml", "    days: 15\n", "    days: 5000000\n", "days"),
        ("deadline-days-3651", "deadlines.yaml", "    days: 15\n", "    days: 3651\n", "days"),
        ("deadline-days-bool", "deadlines.yaml", "    days: 15\n", "    days: true\n", "days"),
        ("deadline-days-inf", "deadlines.yaml", "    days: 15\n", "    days: .inf\n", "days"),
        ("deadline-days-huge-int", "deadlines.yaml", "    days: 15\n", "    days: " + "9" * 5000 + "\n", "digits"),
        ("deadline-days-zero", "deadlines.yaml", "    days: 15\n", "    days: 0\n", "days"),
        ("escalation-hours-huge", "escalation.yaml", "    within_hours: 48\n", "    within_hours: 99999999\n", "within_hours"),
        ("scoring-threshold-huge", "scoring.yaml", "    medium: 25\n", "    medium: 25000\n", "level_thresholds"),
        ("scoring-threshold-bool", "scoring.yaml", "    medium: 25\n", "    medium: true\n", "level_thresholds"),
        ("scoring-escalation-9", "scoring.yaml", "    low: 1 ", "    low: 9 ", "level_escalation"),
        ("scoring-agent-nan", "scoring.yaml", "agent_suspected_at: 50", "agent_suspected_at: .nan",
         "agent_suspected_at"),
        ("legal-date-impossible", "legal_bases.yaml", "    effective: 2024-07-01\n", "    effective: 2024-02-30\n", "not a valid date"),
        ("legal-date-9999", "legal_bases.yaml", "    effective: 2024-07-01\n", "    effective: 9999-12-31\n", "effective"),
        ("backref-pattern", "indicators.yaml", "['多次投诉', '反复投诉', '再次投诉'", "['(a)\\1'", "back-references"),
        ("lookahead-in-middle", "indicators.yaml", "['多次投诉', '反复投诉', '再次投诉'", "['a(?=b)c'", "look-around"),
        ("lookbehind-variable", "indicators.yaml", "['多次投诉', '反复投诉', '再次投诉'", "['(?<!a+)b'", "pattern"),
        ("atomic-group", "indicators.yaml", "['多次投诉', '反复投诉', '再次投诉'", "['(?>ab)c'", "atomic"),
        ("invalid-regex", "indicators.yaml", "['多次投诉', '反复投诉', '再次投诉'", "['(unclosed'", "pattern"),
        ("pattern-too-long", "indicators.yaml", "['多次投诉', '反复投诉', '再次投诉'", "['" + "a" * 600 + "'", "limit"),
        ("points-bool", "indicators.yaml", "    points: 10\n", "    points: true\n", "points"),
        ("huge-text", "taboos.yaml", "      zh: 无视客户情绪\n", "      zh: " + "长" * 30_000 + "\n", "characters"),
        ("knowledge-deep", "channels.yaml", "    eligible_when:\n", "    eligible_when: " + "{not: " * 100 + "{signal: x}" + "}" * 100 + "\n    x_eligible_when:\n", "nested"),
        ("knowledge-dup-key", "deadlines.yaml", "    days: 15\n", "    days: 15\n    days: 16\n", "twice"),
    ]
    out = []
    # Patterns that backtrack catastrophically in Python's re: accepted (RE2 runs them in linear time),
    # and an assessment of a narrative built to trip them still answers at once.
    for i, pattern in enumerate(["(a|a)*b", "((a+))+b", ".*.*.*.*.*.*.*=", "(x+x+)+y", "(\\w|\\d)*!"]):
        case = yaml_case(narrative="a" * 19_000 + "x" * 1000)
        h = Hostile(f"knowledge-backtracking-pattern-{i}", "patterns",
                    ["assess", "{d}/c.yaml", "--engine", "compiled", "--knowledge", "{d}/knowledge", "--rules",
                     "{d}/rules", "--format", "json"], {"c.yaml": case}, 0, ())
        h.knowledge = {"indicators.yaml": ("['多次投诉', '反复投诉', '再次投诉'", f"['{pattern}'")}
        out.append(h)
    for command in (["version"], ["knowledge", "list", "deadlines"], ["knowledge", "show", "deadlines", "x"]):
        for name, file, old, new, word in edits[:2] + edits[10:12]:
            h = Hostile(f"{'-'.join(command[:2])}-{name}", "knowledge",
                        command + ["--knowledge", "{d}/knowledge", "--rules", "{d}/rules"], {}, 1,
                        (file,) + ((word,) if word else ()))
            h.knowledge = {file: (old, new)}
            out.append(h)
    for name, file, old, new, word in edits:
        h = Hostile(f"knowledge-{name}", "knowledge", ["validate", "--knowledge", "{d}/knowledge", "--rules",
                                                        "{d}/rules"], {}, 1, (file,) + ((word,) if word else ()))
        h.knowledge = {file: (old, new)}
        out.append(h)
    return out


def rule_inputs() -> list[Hostile]:
    head = "rules:\n  - id: HOSTILE-1\n    description: {zh: 测试, en: test}\n    when:\n"
    tail = "    then: {findings: [hostile_x]}\n"

    def nested(depth: int, key: str) -> str:
        body = ""
        for i in range(depth):
            body += "  " * (i + 3) + (f"{key}:\n" if key == "not" else f"{key}:\n" + "  " * (i + 3) + "-\n")
        return body
    deep_not = head + "      " + "{not: " * 300 + "{signal: claim_denied}" + "}" * 300 + "\n" + tail
    deep_all = head + "      " + "{all: [" * 300 + "{signal: claim_denied}" + "]}" * 300 + "\n" + tail
    deep_40 = head + "      " + "{not: " * 40 + "{signal: claim_denied}" + "}" * 40 + "\n" + tail
    cases = {
        "rule-nested-300-not": (deep_not, "nested"),
        "rule-nested-300-all": (deep_all, "nested"),
        "rule-nested-40": (deep_40, "nested"),
        "rule-matches-lookbehind": (head + "      {field: narrative, matches: '(?<!x)a'}\n" + tail, "look-around"),
        "rule-matches-backref": (head + "      {field: narrative, matches: '(a)\\\\1'}\n" + tail, "back-references"),
        "rule-gt-inf": (head + "      {field: amount_in_dispute, gt: .inf}\n" + tail, "finite"),
        "rule-gt-nan": (head + "      {field: amount_in_dispute, gt: .nan}\n" + tail, "finite"),
        "rule-gt-bool": (head + "      {field: amount_in_dispute, gt: true}\n" + tail, "not a number"),
        "rule-huge-int": (head + "      {field: amount_in_dispute, gt: " + "9" * 5000 + "}\n" + tail, "digits"),
        "rule-impossible-date": (head + "      {field: received, eq: 2024-02-30}\n" + tail, "not a valid date"),
        "rule-salience-huge": (head + "      {signal: claim_denied}\n    salience: 99999999\n" + tail, "salience"),
        "rule-points-bool": (head + "      {signal: claim_denied}\n    then: {points: {time: true}}\n", "points"),
        "rule-points-inf": (head + "      {signal: claim_denied}\n    then: {points: {time: .inf}}\n", "points"),
        "rule-id-newline": (head.replace("HOSTILE-1", '"A\\nB"') + "      {signal: claim_denied}\n" + tail, "id"),
        "rule-signal-huge": (head + "      {signal: " + "s" * 50_000 + "}\n" + tail, "unknown"),
        "rule-not-yaml": ("rules: [\n", "hostile.yaml:"),
    }
    out = []
    for i, pattern in enumerate(["(a|a)*b", "(a+)+$", "(.*)*(.*)*[bc]"]):
        out.append(Hostile(f"rule-backtracking-matches-{i}", "patterns",
                           ["assess", "{d}/c.yaml", "--engine", "compiled", "--knowledge", "{d}/knowledge",
                            "--rules", "{d}/rules", "--format", "json"],
                           {"c.yaml": yaml_case(narrative="a" * 50_000 + "!")}, 0, (),
                           rules={"hostile.yaml": head + f"      {{field: narrative, matches: '{pattern}'}}\n" + tail}))
    for name, (text, word) in cases.items():
        out.append(Hostile(name, "rules", ["validate", "--knowledge", "{d}/knowledge", "--rules", "{d}/rules"],
                           {}, 1, ("hostile.yaml",) + ((word,) if word else ()), rules={"hostile.yaml": text}))
    return out


def log_inputs() -> list[Hostile]:
    """Decision logs with truncated or tampered lines between good ones: every line is reported."""
    out = []
    tampered = {
        "empty-object": "{}",
        "list": "[1, 2]",
        "null": "null",
        "null-risk": None,
        "string-output": None,
        "channel-without-id": None,
        "truncated": None,
        "fired-not-list": None,
        "input-string": None,
        "nan": None,
        "huge-int": None,
        "deep": "[" * 100_000 + "]" * 100_000,
        "case-id-newline": None,
    }
    for name, text in tampered.items():
        h = Hostile(f"replay-{name}", "logs", ["replay", "{d}/log.jsonl", "--rules", str(ROOT / "rules"),
                                               "--knowledge", str(ROOT / "knowledge")], {}, 1, ("log.jsonl:2",))
        h.files = {"tamper": name if text is None else text}
        out.append(h)
    return out


def batch_inputs() -> list[Hostile]:
    """A batch of good records with bad ones among them, on one and on two workers."""
    bad_records = [
        json_case(id="B-date", received="2024-02-30"),
        json_case(id="B-inf").replace('"amount_in_dispute": 1000', '"amount_in_dispute": Infinity'),
        json_case(id="B-1e400").replace('"amount_in_dispute": 1000', '"amount_in_dispute": 1e400'),
        json_case(id="B-bool", group_size=True),
        json_case(id="B-far", received="9999-12-31"),
        json_case(id="B-huge").replace('"amount_in_dispute": 1000', '"amount_in_dispute": ' + "9" * 5000),
        json_case(id="B-signals", signals=["claim_denied"] * 100_000),
        json_case(id="B-newline\nid", signals=["x\ny"]),
        "[1, 2, 3]",
        "null",
        '{"id": "B-trunc", "rece',
        "[" * 50_000 + "]" * 50_000,
        json_case(id="B-deep", product=0).replace('"product": 0', '"product": ' + "[" * 900 + "]" * 900),
    ]
    out = []
    for workers in (1, 2):
        lines, good, bad = [], [], []
        for i, rec in enumerate(bad_records):
            lines.append(json_case(id=f"G-{i}-a"))
            good.append(f"G-{i}-a")
            lines.append(rec)
            bad.append(len(lines))
        lines.append(json_case(id="G-last"))
        good.append("G-last")
        out.append(Hostile(f"batch-mixed-{workers}w", "batch",
                           ["batch", "{d}/in.jsonl", "--out", "{d}/out.jsonl", "--workers", str(workers)],
                           {"in.jsonl": "\n".join(lines) + "\n"}, 0, (), good_ids=tuple(good), bad_lines=tuple(bad)))
    csv_text = ("id,received,industry,channel,category,amount_in_dispute\n"
                "\"=cmd|' /C calc'!A0\",2025-03-20,insurance,online,claim_denial,100\n"
                "+SUM(A1),2025-03-20,insurance,online,claim_denial,100\n"
                "@evil,2025-03-20,insurance,online,claim_denial,100\n"
                "-2+3,2025-03-20,insurance,online,claim_denial,100\n"
                "ok-1,2024-02-30,insurance,online,claim_denial,100\n"
                "ok-2,2025-03-20,insurance,online,claim_denial,Infinity\n"
                "ok-3,2025-03-20,insurance,online,claim_denial,100\n")
    for workers in (1, 2):
        out.append(Hostile(f"batch-csv-injection-{workers}w", "batch",
                           ["batch", "{d}/in.csv", "--out", "{d}/out.csv", "--workers", str(workers)],
                           {"in.csv": csv_text}, 0, (), good_ids=("=cmd|' /C calc'!A0", "+SUM(A1)", "@evil", "-2+3",
                                                                 "ok-3"), bad_lines=(6, 7)))
    out.append(Hostile("batch-out-missing-folder", "outputs",
                       ["batch", "{d}/in.jsonl", "--out", "{d}/no/such/out.jsonl"],
                       {"in.jsonl": json_case() + "\n"}, 1, ("out.jsonl",)))
    out.append(Hostile("batch-unknown-csv-column", "batch", ["batch", "{d}/in.csv", "--out", "{d}/o.jsonl"],
                       {"in.csv": "id,recieved\nx,2025-01-01\n"}, 1, ("in.csv:1", "did you mean")))
    out.append(Hostile("diff-bad-cases", "commands",
                       ["diff", "{d}/cases", "--base", str(ROOT), "--engine", "compiled"],
                       {"cases/a.yaml": yaml_case(), "cases/b.yaml": yaml_case(received=Raw("2024-13-01")),
                        "cases/c.json": json_case().replace("1000", "NaN"), "cases/d.yaml": yaml_case(id="D")},
                       0, ("b.yaml:2",)))
    return out


def all_inputs() -> list[Hostile]:
    return case_inputs() + rule_test_inputs() + knowledge_inputs() + rule_inputs() + log_inputs() + batch_inputs()
