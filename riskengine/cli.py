"""The command line: ``riskengine assess | validate | knowledge | version``.

Every expected failure (bad case, bad rules) ends in a one-line message with its location and a
non-zero exit code, never a traceback: 1 for invalid rules or cases, 2 for usage errors.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .cli_options import (engine_option, knowledge_option, lang_option, pause_gc, resume_gc, rules_option,
                          workers_option)
from .errors import CaseError, RiskEngineError, RulesetError

FORMATS = ("text", "json", "markdown", "html")


def _engine(rules: str | None, knowledge: str | None, build: str | None = None):
    """Load the engine (and build the ``build`` evaluator now): the end of start-up (see ``pause_gc``)."""
    from .engine import load_engine
    try:
        engine = load_engine(rules, knowledge)
    except RulesetError as exc:
        _print_problems(exc.problems)
        raise SystemExit(1) from None
    if build:
        engine.evaluator(build)
    resume_gc()
    return engine


def _print_problems(problems) -> None:
    for p in problems:
        click.echo(str(p), err=True)
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    click.echo(f"{errors} error(s), {warnings} warning(s)", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="riskengine")
@click.pass_context
def main(ctx: click.Context) -> None:
    """riskengine — assess the risk of a customer complaint and say what to do about it."""
    pause_gc(ctx)


@main.command()
@click.argument("case_file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format (default: text on a terminal, json otherwise).")
@rules_option
@knowledge_option
@lang_option
@engine_option("experta")
@click.option("--log", "log", type=click.Path(dir_okay=False), default=None,
              help="Append a decision record (JSON line, personal data masked) to this file.")
@click.option("--detail", is_flag=True, help="Text: after the first screen, everything else (plan, taboos, law, "
              "profile, reasoning, missing facts).")
@click.option("--ids", is_flag=True, help="Text: show rule and knowledge ids beside what they produced.")
def assess(case_file: str, fmt: str | None, rules: str | None, knowledge: str | None, lang: str,
           engine_name: str, log: str | None, detail: bool = False, ids: bool = False) -> None:
    """Assess one case from a YAML or JSON file."""
    from .casefile import read_case_file

    engine = _engine(rules, knowledge, build=engine_name)
    try:
        raw = read_case_file(case_file)
        if "case" in raw and "expect" in raw:  # a rule-test file: assess the case it holds
            raw = raw["case"]
        result = engine.assess(engine.parse_case(raw, case_file), engine=engine_name)
    except CaseError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    if log:
        from .records import append_record, decision_record
        append_record(log, decision_record(raw, result))
    fmt = fmt or ("text" if sys.stdout.isatty() else "json")
    if fmt == "text":
        from .render_screen import screen_for_terminal
        click.echo(screen_for_terminal(result, lang, detail=detail, ids=ids, engine=engine), nl=False)
        return
    click.echo(render(result, fmt, lang), nl=False)


def render(result, fmt: str, lang: str) -> str:
    if fmt == "json":
        return result.to_json()
    if fmt == "text":
        from .render_screen import render_screen
        return render_screen(result, lang)
    from .render_report import render_html, render_markdown
    return (render_html if fmt == "html" else render_markdown)(result, lang)


@main.command()
@click.argument("case_file", type=click.Path(dir_okay=False))
@click.option("--why-not", "why_not_rule", metavar="RULE_ID", default=None,
              help="Explain why this rule did not fire: its first unmet condition, with the case's value.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@rules_option
@knowledge_option
def explain(case_file: str, why_not_rule: str | None, fmt: str, rules: str | None, knowledge: str | None) -> None:
    """Trace every recommendation back to its rules and facts, or say why a rule did not fire."""
    import dataclasses
    import json

    from .casefile import read_case_file
    from .explain import recommendation_traces, render_trace, render_why_not, why_not
    from .policy import decide

    engine = _engine(rules, knowledge)
    try:
        case = engine.parse_case(read_case_file(case_file), case_file)
        if why_not_rule:
            result = why_not(engine, case, why_not_rule)
            if fmt == "json":
                click.echo(json.dumps(dataclasses.asdict(result), ensure_ascii=False, indent=2, default=str))
            else:
                click.echo("\n".join(render_why_not(result)))
            return
    except CaseError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    state, hits, ev = engine.evaluate(case)
    a = decide(engine.ruleset, state, ev, list(case.signals), hits, engine.evaluator().name)
    traces = recommendation_traces(a, ev)
    if fmt == "json":
        click.echo(json.dumps([{"recommendation": label, "because": [dataclasses.asdict(n) for n in nodes]}
                               for label, nodes in traces], ensure_ascii=False, indent=2, default=str))
        return
    for label, nodes in traces:
        click.echo(f"{label}:")
        for node in nodes:
            click.echo("\n".join(render_trace(node, "  ")))


@main.command()
@click.option("--start", "start", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Begin from this (partial) case file instead of an empty case.")
@click.option("--out", "out", type=click.Path(dir_okay=False), default="case.yaml", show_default=True,
              help="Where to write the case file built from the answers.")
@rules_option
@knowledge_option
@lang_option
def interview(start: str | None, out: str, rules: str | None, knowledge: str | None, lang: str) -> None:
    """Interactive consultation: asks the questions that matter most, in order of impact."""
    from .casefile import dump_case_yaml, read_case_file
    from .interview import run_interview

    engine = _engine(rules, knowledge)
    try:
        data = read_case_file(start) if start else {}
    except CaseError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    try:
        data, result = run_interview(engine, data, ask=lambda q: click.prompt(q, default="", show_default=False),
                                     say=click.echo, lang=lang)
    except CaseError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    except click.Abort:
        click.echo("\ninterrupted; nothing written", err=True)
        raise SystemExit(130) from None
    Path(out).write_text(dump_case_yaml(data), encoding="utf-8")
    click.echo(f"wrote {out}")


@main.command()
@rules_option
@knowledge_option
def validate(rules: str | None, knowledge: str | None) -> None:
    """Check rule and knowledge files; list every problem with file:line:column."""
    from .loader import load_ruleset
    try:
        rs = load_ruleset(rules, knowledge, strict=False)
    except RulesetError as exc:
        _print_problems(exc.problems)
        raise SystemExit(1) from None
    if rs.problems:
        _print_problems(rs.problems)
    if any(p.severity == "error" for p in rs.problems):
        raise SystemExit(1)
    counts = rs.counts()
    click.echo(f"ok: ruleset {rs.version} — " + ", ".join(f"{v} {k}" for k, v in counts.items()))


@main.command()
@rules_option
@knowledge_option
def version(rules: str | None, knowledge: str | None) -> None:
    """Print the ruleset version (content hash) and what it holds."""
    engine = _engine(rules, knowledge)
    rs = engine.ruleset
    click.echo(rs.version)
    for k, v in rs.counts().items():
        click.echo(f"  {k}: {v}")


@main.command("test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@rules_option
@knowledge_option
@click.option("-q", "--quiet", is_flag=True, help="Only print failures and the summary.")
@click.option("--coverage", "show_coverage", is_flag=True,
              help="Report, per rule file, the rules no test fires, and the knowledge ids no rule uses.")
@click.option("--min-coverage", type=click.FloatRange(0, 100), default=None, metavar="P",
              help="Fail when fewer than P percent of the rules are fired by some test.")
@click.option("--junit", "junit", type=click.Path(dir_okay=False), default=None, help="Write JUnit XML here.")
def test_command(paths: tuple[str, ...], rules: str | None, knowledge: str | None, quiet: bool,
                 show_coverage: bool, min_coverage: float | None, junit: str | None) -> None:
    """Run rule tests (a case plus a partial `expect:` block); exit 1 if any fails."""
    import time

    from .ruletest import collect, coverage, junit_xml, run_test

    engine = _engine(rules, knowledge)
    files = collect([Path(p) for p in paths] or [Path("tests/cases")])
    started = time.perf_counter()
    results = []
    for path in files:
        result = run_test(engine, path)
        results.append(result)
        if result.passed:
            if not quiet:
                click.echo(f"PASS {result.file}  {result.name}")
            continue
        click.echo(f"FAIL {result.file}  {result.name}")
        for line in ([result.error] if result.error else result.failures):
            click.echo(f"     {line}")
        if result.fired:
            click.echo(f"     fired: {', '.join(result.fired)}")
    passed = sum(1 for r in results if r.passed)
    failed = len(results) - passed
    if junit:
        Path(junit).write_text(junit_xml(results, time.perf_counter() - started), encoding="utf-8")
    below = False
    if show_coverage or min_coverage is not None:
        cov = coverage(engine.ruleset, results)
        click.echo(f"coverage: {cov.fired}/{cov.total} rules fired by some test ({cov.percent:.1f}%)")
        for file, ids in sorted(cov.unfired_by_file.items()):
            click.echo(f"  {file}: not fired: {', '.join(ids)}")
        for kind, ids in sorted(cov.unused_knowledge.items()):
            click.echo(f"  knowledge {kind} used by no rule: {', '.join(ids)}")
        if min_coverage is not None and cov.percent < min_coverage:
            click.echo(f"coverage {cov.percent:.1f}% is below the minimum {min_coverage:g}%")
            below = True
    click.echo(f"{passed} passed, {failed} failed")
    if failed or below or not files:
        raise SystemExit(1)


@main.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--base", "base", required=True, type=click.Path(file_okay=False, exists=True),
              help="Folder of the old ruleset, holding rules/ and knowledge/ (e.g. an older checkout).")
@rules_option
@knowledge_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@engine_option("compiled")
@workers_option
def diff(cases: tuple[str, ...], base: str, rules: str | None, knowledge: str | None, fmt: str, engine_name: str,
         workers: int) -> None:
    """Change impact: assess CASES with the base and the new ruleset and report what changed."""
    import json

    from .impact import compare

    old = _engine(str(Path(base) / "rules"), str(Path(base) / "knowledge"))
    new = _engine(rules, knowledge)
    report = compare(old, new, [Path(c) for c in cases], workers=workers, engine=engine_name)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    failed = [c for c in report.cases if c.error]
    click.echo(f"ruleset {report.base_version} → {report.new_version}: {len(report.changed)} of "
               f"{len(report.cases) - len(failed)} cases changed"
               + (f"; {len(failed)} could not be assessed (listed on stderr)" if failed else ""))
    for c in report.changed:
        click.echo(f"  {c.case_id}: " + "; ".join(f"{k} {_show(v[0])} → {_show(v[1])}" for k, v in c.changes.items()))
    for field, table in report.transitions().items():
        click.echo(f"{field}:")
        for transition, n in sorted(table.items(), key=lambda t: (-t[1], t[0])):
            click.echo(f"  {transition}: {n} cases")
    for c in failed:
        click.echo(f"error: {c.error}", err=True)


def _show(v) -> str:
    return ",".join(v) or "-" if isinstance(v, list) else str(v)


@main.command()
@click.argument("log_file", type=click.Path(dir_okay=False, exists=True))
@rules_option
@knowledge_option
@engine_option("compiled")
@workers_option
def replay(log_file: str, rules: str | None, knowledge: str | None, engine_name: str, workers: int) -> None:
    """Re-run logged decisions against the current ruleset; report those that now differ (exit 1 if any)."""
    from .records import replay as run_replay

    engine = _engine(rules, knowledge)
    total = differ = 0
    for r in run_replay(engine, log_file, workers=workers, engine_name=engine_name):
        total += 1
        if not r.changed:
            continue
        differ += 1
        if r.error:
            click.echo(f"line {r.line} {r.case_id}: error: {r.error}")
            continue
        parts = [f"{k} {_show(a)} → {_show(b)}" for k, (a, b) in r.changes.items()]
        if r.fired_added:
            parts.append("now fires " + ", ".join(r.fired_added))
        if r.fired_removed:
            parts.append("no longer fires " + ", ".join(r.fired_removed))
        click.echo(f"line {r.line} {r.case_id} (logged with {r.logged_version}): " + "; ".join(parts))
    click.echo(f"{total} decisions replayed with ruleset {engine.version}: {differ} differ")
    if differ:
        raise SystemExit(1)


KNOWLEDGE_KINDS = ("taboos", "indicators", "agent_signs", "legal_bases", "channels", "strategies", "escalation",
                   "deadlines", "rules")


@main.group("knowledge")
def knowledge_group() -> None:
    """Browse the knowledge base."""


@knowledge_group.command("list")
@click.argument("kind", type=click.Choice(KNOWLEDGE_KINDS), required=False)
@rules_option
@knowledge_option
def knowledge_list(kind: str | None, rules: str | None, knowledge: str | None) -> None:
    """List entries (all kinds when KIND is omitted), in Chinese and English."""
    from .browse import list_lines
    engine = _engine(rules, knowledge)
    for line in list_lines(engine.ruleset, [kind] if kind else list(KNOWLEDGE_KINDS)):
        click.echo(line)


@knowledge_group.command("show")
@click.argument("kind", type=click.Choice(KNOWLEDGE_KINDS))
@click.argument("entry_id")
@rules_option
@knowledge_option
def knowledge_show(kind: str, entry_id: str, rules: str | None, knowledge: str | None) -> None:
    """Show one entry in full (as YAML)."""
    from .browse import show_entry
    engine = _engine(rules, knowledge)
    try:
        click.echo(show_entry(engine.ruleset, kind, entry_id), nl=False)
    except KeyError as exc:
        click.echo(f"error: {exc.args[0]}", err=True)
        raise SystemExit(1) from None


from .cli_batch import batch  # noqa: E402  (the batch command lives in its own module)

main.add_command(batch)
main.add_command(__import__("riskengine.cli_serve").cli_serve.serve)   # riskengine serve: the HTTP service


def run() -> None:  # pragma: no cover - console entry wrapper
    try:
        main()
    except RiskEngineError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None


if __name__ == "__main__":  # pragma: no cover
    main()

