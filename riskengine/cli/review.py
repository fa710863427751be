"""``riskengine review --base OLD NEW``: one report to sign a ruleset change off (see :mod:`riskengine.authoring.review`).

Registered on the main group in :mod:`riskengine.cli`. Writes a Markdown and an HTML report and exits 1
when anything blocks the change (the new ruleset is invalid, a rule test fails, coverage is below
``--min-coverage``, a case or log record cannot be read); 0 when it is ready for sign-off.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click

from riskengine.cli.options import engine_option, workers_option


@click.command("review")
@click.argument("new", type=click.Path(file_okay=False, exists=True))
@click.option("--base", "base", required=True, type=click.Path(file_okay=False, exists=True),
              help="Folder of the current (approved) ruleset, holding rules/ and knowledge/.")
@click.option("--cases", "cases", multiple=True, type=click.Path(exists=True),
              help="Cases to measure the change on (JSONL, case files or folders); repeatable.")
@click.option("--log", "log", type=click.Path(dir_okay=False, exists=True), default=None,
              help="A decision log (from `assess --log`) to replay with the new rules.")
@click.option("--tests", "tests", multiple=True, type=click.Path(exists=True),
              help="Rule tests to run (default: NEW/tests/cases when it exists); repeatable.")
@click.option("--min-coverage", type=click.FloatRange(0, 100), default=None, metavar="P",
              help="Block the change when fewer than P percent of the rules are fired by some test.")
@click.option("--by", "reviewer", default=None, help="Who prepares the report (default: $USER).")
@click.option("--out", "out", default=None, metavar="PREFIX",
              help="Write PREFIX.md and PREFIX.html (default: review-OLDVERSION-NEWVERSION in this folder).")
@engine_option("compiled")
@workers_option
def review(new: str, base: str, cases: tuple[str, ...], log: str | None, tests: tuple[str, ...],
           min_coverage: float | None, reviewer: str | None, out: str | None, engine_name: str,
           workers: int) -> None:
    """Validate NEW, run its rule tests, measure the change on cases and a decision log, list every rule
    and knowledge entry changed since --base, and write one report to sign (Markdown and HTML)."""
    from riskengine.authoring.review import run_review
    from riskengine.authoring.review_report import render_html, render_markdown

    who = reviewer or os.environ.get("USER") or os.environ.get("USERNAME") or _login()
    result = run_review(Path(base), Path(new), cases=[Path(c) for c in cases], log=Path(log) if log else None,
                        tests=[Path(t) for t in tests] if tests else None, reviewer=who,
                        when=dt.datetime.now(dt.timezone.utc), min_coverage=min_coverage, workers=workers,
                        engine_name=engine_name)
    prefix = Path(out) if out else Path(f"review-{result.old_version}-{result.new_version}")
    md, page = prefix.with_name(prefix.name + ".md"), prefix.with_name(prefix.name + ".html")
    try:
        md.write_text(render_markdown(result), encoding="utf-8")
        page.write_text(render_html(result), encoding="utf-8")
    except OSError as exc:
        click.echo(f"error: cannot write the report: {exc.strerror or exc} ({exc.filename})", err=True)
        raise SystemExit(1) from None
    changed = len(result.impact.changed) if result.impact is not None else 0
    click.echo(f"ruleset {result.old_version} → {result.new_version}: {len(result.entry_changes)} entries changed"
               + (f", {changed} case(s) change" if result.impact is not None else "")
               + (f", {len(result.replay)} of {result.replayed} logged decisions differ" if result.replayed else ""))
    click.echo(f"wrote {md} and {page}")
    if result.blocked:
        for b in result.blockers:
            click.echo(f"blocked: {b}", err=True)
        raise SystemExit(1)
    click.echo("ready for sign-off")


def _login() -> str:
    """The login name when $USER is not set (as in some CI and service accounts)."""
    import getpass
    try:
        return getpass.getuser()
    except Exception:       # no name for this uid: the report still says it is unknown
        return "?"
