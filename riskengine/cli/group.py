"""The command line: ``riskengine assess | validate | knowledge | version``.

Every expected failure (bad case, bad rules) ends in a one-line message with its location and a
non-zero exit code, never a traceback: 1 for invalid rules or cases, 2 for usage errors.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from riskengine.cli.options import (engine_option, knowledge_option, lang_option, rules_option, startup,
                          workers_option)
from riskengine.errors import RiskEngineError, RulesetError, shown

FORMATS = ("text", "json", "markdown", "html")


def _engine(rules: str | None, knowledge: str | None, build: str | None = None):
    """Load the engine (and build the ``build`` evaluator now), with start-up's collector pause."""
    with startup():
        from riskengine.engine import load_engine
        engine = load_engine(rules, knowledge)
        if build:
            engine.evaluator(build)
    return engine


class _Commands(click.Group):
    """The one place every command runs through: a riskengine error it raises becomes its lines on
    stderr and the error's own exit code, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except RiskEngineError as exc:
            for line in exc.show():
                click.echo(line, err=True)
            raise SystemExit(exc.exit_code) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="riskengine")
def main() -> None:
    """riskengine — assess the risk of a customer complaint and say what to do about it."""


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
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Judge clocks and overdue duties as of this date (YYYY-MM-DD; default: today).")
@click.option("--detail", is_flag=True, help="Text: after the first screen, everything else (plan, taboos, law, "
              "profile, reasoning, missing facts).")
@click.option("--ids", is_flag=True, help="Text: show rule and knowledge ids beside what they produced.")
def assess(case_file: str, fmt: str | None, rules: str | None, knowledge: str | None, lang: str,
           engine_name: str, log: str | None, as_of=None, detail: bool = False, ids: bool = False) -> None:
    """Assess one case from a YAML or JSON file."""
    from riskengine.io.casefile import read_case_file

    engine = _engine(rules, knowledge, build=engine_name)
    raw = read_case_file(case_file)
    if "case" in raw and "expect" in raw:  # a rule-test file: assess the case it holds
        raw = raw["case"]
    day = as_of.date() if as_of else dt.date.today()
    result = engine.assess(raw, engine=engine_name, location=case_file, as_of=day)
    if log:
        from riskengine.io.decision_log import append_record, decision_record
        try:
            append_record(log, decision_record(raw, result))
        except (OSError, ValueError) as exc:
            click.echo(f"error: {shown(log, 300)}: RE206 cannot write the decision log: "
                       f"{shown(getattr(exc, 'strerror', None) or exc, 200)}", err=True)
            raise SystemExit(1) from None
    fmt = fmt or ("text" if sys.stdout.isatty() else "json")
    if fmt == "text":
        from riskengine.render.screen import screen_for_terminal
        click.echo(screen_for_terminal(result, lang, detail=detail, ids=ids, engine=engine), nl=False)
        return
    click.echo(render(result, fmt, lang), nl=False)


def render(result, fmt: str, lang: str) -> str:
    if fmt == "json":
        return result.to_json()
    if fmt == "text":
        from riskengine.render.screen import render_screen
        return render_screen(result, lang)
    from riskengine.render.report import render_html, render_markdown
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

    from riskengine.io.casefile import read_case_file
    from riskengine.explain.why import recommendation_traces, render_trace, render_why_not, why_not

    engine = _engine(rules, knowledge)
    case = engine.parse_case(read_case_file(case_file), case_file)
    if why_not_rule:
        result = why_not(engine, case, why_not_rule)
        if fmt == "json":
            click.echo(json.dumps(dataclasses.asdict(result), ensure_ascii=False, indent=2, default=str, allow_nan=False))
        else:
            click.echo("\n".join(render_why_not(result)))
        return
    a, ev = engine.trace(case, missing_facts=False)
    traces = recommendation_traces(a, ev)
    if fmt == "json":
        click.echo(json.dumps([{"recommendation": label, "because": [dataclasses.asdict(n) for n in nodes]}
                               for label, nodes in traces], ensure_ascii=False, indent=2, default=str,
                              allow_nan=False))
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
    from riskengine.io.casefile import dump_case_yaml, read_case_file
    from riskengine.explain.interview import run_interview

    engine = _engine(rules, knowledge)
    data = read_case_file(start) if start else {}
    try:
        data, result = run_interview(engine, data, ask=lambda q: click.prompt(q, default="", show_default=False),
                                     say=click.echo, lang=lang)
    except click.Abort:
        click.echo("\ninterrupted; nothing written", err=True)
        raise SystemExit(130) from None
    try:
        Path(out).write_text(dump_case_yaml(data), encoding="utf-8")
    except OSError as exc:
        click.echo(f"error: {shown(out, 300)}: RE206 cannot write the case: {shown(exc.strerror or exc, 200)}",
                   err=True)
        raise SystemExit(1) from None
    click.echo(f"wrote {out}")


@main.command()
@rules_option
@knowledge_option
def validate(rules: str | None, knowledge: str | None) -> None:
    """Check rule and knowledge files; list every problem with file:line:column."""
    from riskengine.load.cached_loader import load_ruleset
    rs = load_ruleset(rules, knowledge, strict=False)
    if rs.problems:
        for line in RulesetError(rs.problems).show():
            click.echo(line, err=True)
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
@click.option("--narrative-only", is_flag=True,
              help="Run each case without its ticked `signals:`: the advice when a handler only writes the narrative.")
def test_command(paths: tuple[str, ...], rules: str | None, knowledge: str | None, quiet: bool,
                 show_coverage: bool, min_coverage: float | None, junit: str | None, narrative_only: bool) -> None:
    """Run rule tests (a case plus a partial `expect:` block); exit 1 if any fails."""
    import time

    from riskengine.testing.ruletest import collect, coverage, junit_xml, run_test

    engine = _engine(rules, knowledge)
    files = collect([Path(p) for p in paths] or [Path("tests/cases")])
    started = time.perf_counter()
    results = []
    for path in files:
        result = run_test(engine, path, narrative_only=narrative_only)
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
        try:
            Path(junit).write_text(junit_xml(results, time.perf_counter() - started), encoding="utf-8")
        except OSError as exc:
            click.echo(f"error: {shown(junit, 300)}: RE206 cannot write the JUnit report: "
                       f"{shown(exc.strerror or exc, 200)}", err=True)
            raise SystemExit(1) from None
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
              help="The old ruleset: a checkout holding rules/ and knowledge/, or its rules folder.")
@rules_option
@knowledge_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@engine_option("compiled")
@workers_option
def diff(cases: tuple[str, ...], base: str, rules: str | None, knowledge: str | None, fmt: str, engine_name: str,
         workers: int) -> None:
    """Change impact: assess CASES with the base and the new ruleset and report what changed."""
    import json

    from riskengine.run.diff import compare, resolve_base

    base_rules, base_knowledge, taken = resolve_base(Path(base))
    click.echo(f"base: {taken}", err=True)
    old = _engine(str(base_rules), str(base_knowledge))
    new = _engine(rules, knowledge)
    report = compare(old, new, [Path(c) for c in cases], workers=workers, engine=engine_name)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, allow_nan=False))
        return
    failed = [c for c in report.cases if c.error]
    click.echo(f"ruleset {report.base_version} → {report.new_version}: {len(report.changed)} of "
               f"{len(report.cases) - len(failed)} cases changed"
               + (f"; {len(failed)} could not be assessed (listed on stderr)" if failed else ""))
    for c in report.changed:
        click.echo(f"  {c.case_id}: " + "; ".join(f"{k} {_show(v[0])} → {_show(v[1])}" for k, v in c.changes.items()))
    for field, counts in report.transitions().items():
        click.echo(f"{field}:")
        for transition, n in sorted(counts.items(), key=lambda t: (-t[1], t[0])):
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
    from riskengine.io.decision_log import replay as run_replay

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
    from riskengine.render.knowledge import list_lines
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
    from riskengine.render.knowledge import show_entry
    engine = _engine(rules, knowledge)
    try:
        click.echo(show_entry(engine.ruleset, kind, entry_id), nl=False)
    except KeyError as exc:
        click.echo(f"error: {shown(exc.args[0], 300)}", err=True)
        raise SystemExit(1) from None


from riskengine.cli.batch import batch  # noqa: E402
from riskengine.cli.eval import eval_corpus  # noqa: E402
from riskengine.cli.init import init  # noqa: E402
from riskengine.cli.report import report  # noqa: E402
from riskengine.cli.review import review  # noqa: E402
from riskengine.cli.schema import schema  # noqa: E402
from riskengine.cli.serve import serve  # noqa: E402
from riskengine.cli.table import table  # noqa: E402

# One module per command (riskengine/cli/*.py), registered here.
for _command in (batch, eval_corpus, schema, init, table, review, serve, report):
    main.add_command(_command)


def run() -> None:  # pragma: no cover - console entry wrapper
    import os
    try:
        main()   # riskengine's own errors are handled there, by the command group
    except MemoryError:
        click.echo("error: RE299 out of memory; the input is larger than this machine can hold", err=True)
        raise SystemExit(1) from None
    except Exception as exc:   # the last guard: one line, never a traceback (RISKENGINE_DEBUG=1 shows it)
        if os.environ.get("RISKENGINE_DEBUG"):
            raise
        click.echo(f"error: RE299 internal error ({type(exc).__name__}: {shown(str(exc), 200)}); "
                   "please report it (RISKENGINE_DEBUG=1 shows the traceback)", err=True)
        raise SystemExit(1) from None
    finally:
        # The process ends here: freeze what is alive, so the collections of interpreter shutdown do
        # not walk the whole engine once more (~0.1 G instructions) only to leave it to the OS.
        import gc
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    main()

