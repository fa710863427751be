"""``riskengine report``: the root-cause report over a batch's decision rows (riskengine/rootcause.py).

Registered on the main group in :mod:`riskengine.cli` with ``main.add_command(report)``.
Exit codes: 0 on success; 1 when the input cannot be read or is not decision rows (one line naming
the file and line).
"""
from __future__ import annotations

import datetime as dt

import click


@click.command("report")
@click.argument("batch_output", metavar="BATCH_OUTPUT", type=click.Path(dir_okay=False))
@click.option("--by", "by", type=click.Choice(["month", "product", "category", "channel", "signal"]),
              default="month", show_default=True, help="How the main table groups the cases.")
@click.option("--format", "fmt", type=click.Choice(["html", "md", "json"]), default=None,
              help="Output format (default: from the --out suffix; md without --out).")
@click.option("--out", "out", type=click.Path(dir_okay=False), default=None, help="Write here instead of stdout.")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD",
              help="For rows without days_open: the date their overdue test uses.")
def report(batch_output: str, by: str, fmt: str | None, out: str | None, as_of: str | None) -> None:
    """Where complaints cluster: volumes, risk and escalation mix, recurring signals and findings,
    agent suspicion, overdue cases and clocks, over the decision rows of `riskengine batch`
    (.jsonl, .csv or .parquet)."""
    from riskengine.contracts.decision_row import read_rows
    from riskengine.errors import CaseError
    from riskengine.run.rootcause import analyse
    from riskengine.render.rootcause import to_html, to_json, to_markdown

    when = None
    if as_of:
        try:
            when = dt.date.fromisoformat(as_of)
        except ValueError:
            raise click.BadParameter(f"'{as_of}' is not a date (YYYY-MM-DD)", param_hint="--as-of") from None
    if fmt is None:
        suffix = (out or "").lower().rsplit(".", 1)[-1] if out and "." in out else ""
        fmt = {"html": "html", "htm": "html", "json": "json"}.get(suffix, "md")
    try:
        result = analyse(read_rows(batch_output), by=by, as_of=when)
    except CaseError as exc:
        click.echo(f"error: {exc.location}: {exc.code} {exc.message}", err=True)
        raise SystemExit(1) from None
    except (KeyError, TypeError, ValueError) as exc:
        click.echo(f"error: {batch_output}: RE203 not a decision row ({exc})", err=True)
        raise SystemExit(1) from None
    text = {"html": to_html, "md": to_markdown, "json": to_json}[fmt](result)
    if out:
        try:
            with open(out, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            click.echo(f"error: {out}: {exc.strerror or exc}", err=True)
            raise SystemExit(1) from None
        click.echo(f"report: {result['cases']:,} cases -> {out}", err=True)
    else:
        click.echo(text, nl=False)
