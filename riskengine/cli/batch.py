"""``riskengine batch``: assess a JSON Lines or CSV file of cases (see :mod:`riskengine.run.batch`).

Registered on the main group in :mod:`riskengine.cli.group` with ``main.add_command(batch)``.
Exit codes: 0 when the batch ran to the end (bad records are listed in the errors file and counted in
the summary), 1 when the input cannot be read or the rules are invalid, 130 when interrupted (rerun
with ``--resume`` to continue after the last complete record).
"""
from __future__ import annotations

import click

from riskengine.cli.options import engine_option, knowledge_option, rules_option, startup, workers_option
from riskengine.errors import shown


@click.command("batch")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False))
@click.option("--out", "output", required=True, type=click.Path(dir_okay=False), metavar="OUTPUT",
              help="Output file: one compact decision row per case (docs/decision-row.md) as JSON Lines "
                   "(.jsonl), CSV (.csv) or Parquet (.parquet).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default=None,
              help="Output format (default: from the OUTPUT suffix; .csv gives csv, .parquet parquet, "
                   "anything else jsonl).")
@click.option("--full", is_flag=True,
              help="Write whole assessments (texts, explanation, profile, script) instead of decision rows; "
                   "with a .csv OUTPUT, the older summary columns.")
@workers_option
@engine_option("compiled")
@rules_option
@knowledge_option
@click.option("--resume", is_flag=True,
              help="Continue after the last complete record of OUTPUT and the errors file.")
@click.option("--errors", "errors_path", type=click.Path(dir_okay=False), default=None,
              help="Where bad records go, one JSON line each with its line number "
                   "(default: OUTPUT.errors.jsonl).")
@click.option("--missing-facts", is_flag=True,
              help="Also compute missing facts (what-if questions); many times slower.")
def batch(input_path: str, output: str, fmt: str | None, workers: int, engine_name: str, rules: str | None,
          knowledge: str | None, resume: bool, errors_path: str | None, missing_facts: bool, full: bool) -> None:
    """Assess every case of INPUT (.jsonl, or .csv with dotted column names like complainant.age)."""
    from riskengine.run.batch import run_batch
    from riskengine.engine import load_engine

    with startup():   # ends before any worker process is forked
        engine = load_engine(rules, knowledge, engine="compiled")
    try:
        report = run_batch(input_path, output, fmt=fmt, workers=workers, engine=engine_name, engine_obj=engine,
                           resume=resume, errors=errors_path, missing_facts=missing_facts, full=full)
    except OSError as exc:
        click.echo(f"error: {shown(exc.filename or output, 300)}: RE206 {shown(exc.strerror or exc, 200)}", err=True)
        raise SystemExit(1) from None
    for line in report.lines():
        click.echo(line, err=True)
    if report.interrupted:
        click.echo("interrupted: every complete record is written; rerun with --resume to continue", err=True)
        raise SystemExit(130)
