"""``riskengine eval CORPUS_DIR``: per-signal precision, recall, F1 and support of the narrative reader
on an annotated corpus (format: docs/narrative.md), with the misses and false hits and their spans.

Registered on the main group in :mod:`riskengine.cli.group` with ``main.add_command(eval_corpus)``.
Exit codes: 0 when the corpus was read and every floor given (--min-precision/--min-recall) is met;
1 when the corpus or the rules cannot be read, or a floor is missed.
"""
from __future__ import annotations

from pathlib import Path

import click

from riskengine.cli.options import knowledge_option, rules_option
from riskengine.errors import RulesetError


@click.command("eval")
@click.argument("corpus_dir", metavar="CORPUS_DIR", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--junit", "junit", type=click.Path(dir_okay=False), default=None,
              help="Also write a JUnit XML report here (one test case per signal).")
@click.option("--signal", "only", multiple=True, help="Score only these signal ids (repeatable).")
@click.option("--min-precision", type=click.FloatRange(0, 1), default=None,
              help="Fail (exit 1) when a signal's precision is below this.")
@click.option("--min-recall", type=click.FloatRange(0, 1), default=None,
              help="Fail (exit 1) when a signal's recall is below this.")
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True,
              help="Misses and false hits listed in the text report.")
@rules_option
@knowledge_option
def eval_corpus(corpus_dir: str, fmt: str, junit: str | None, only: tuple[str, ...], min_precision: float | None,
                min_recall: float | None, limit: int, rules: str | None, knowledge: str | None) -> None:
    """Measure narrative reading on CORPUS_DIR (annotated *.yaml items)."""
    from riskengine.engine import load_engine
    from riskengine.reading.corpus_eval import below_floors, evaluate, load_corpus, render_json, render_junit, render_text
    from riskengine.errors import did_you_mean

    if not Path(corpus_dir).is_dir():
        click.echo(f"error: {corpus_dir}: no such folder", err=True)
        raise SystemExit(1)
    try:
        engine = load_engine(rules, knowledge, engine="compiled")
    except RulesetError as exc:
        click.echo(f"error: invalid rules: {exc}", err=True)
        raise SystemExit(1) from None
    known = engine.ruleset.knowledge.signals
    for sid in only:
        if sid not in known:
            click.echo(f"error: --signal: unknown signal '{sid}' ({did_you_mean(sid, known)})", err=True)
            raise SystemExit(1)
    items, problems = load_corpus(corpus_dir, known)
    for p in problems:
        click.echo(str(p), err=True)
    if not items:
        click.echo(f"error: {corpus_dir}: no readable items", err=True)
        raise SystemExit(1)
    report = evaluate(engine.scanner, items, list(only) or None)
    click.echo(render_json(report) if fmt == "json" else render_text(report, limit))
    if junit:
        Path(junit).write_text(render_junit(report, min_precision, min_recall), encoding="utf-8")
    failed = below_floors(report, min_precision, min_recall)
    for line in failed:
        click.echo(f"below floor: {line}", err=True)
    if failed or problems:
        raise SystemExit(1)
