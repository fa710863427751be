"""``riskengine schema``: JSON Schema (draft-07) of the files staff write, with the loaded ruleset's ids.

Registered on the main group in :mod:`riskengine.cli`. Without ``--out`` one schema is printed; with it the
files are written under DIR (``DIR/rules.schema.json``, ``DIR/knowledge/<kind>.schema.json`` ...).
``--check`` writes nothing and exits 1 when a file under DIR is not what would be written.
"""
from __future__ import annotations

from pathlib import Path

import click

from riskengine.cli.options import knowledge_option, rules_option
from riskengine.errors import RulesetError

WHAT = ("case", "ruletest", "assessment", "rules", "knowledge", "all")


@click.command("schema")
@click.argument("what", type=click.Choice(WHAT))
@click.argument("kind", required=False)
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="Write the schema file(s) under this folder (e.g. schemas).")
@click.option("--check", is_flag=True, help="With --out: write nothing; exit 1 if any file there is out of date.")
@rules_option
@knowledge_option
def schema(what: str, kind: str | None, out: str | None, check: bool, rules: str | None,
           knowledge: str | None) -> None:
    """Print or write the JSON Schema of case, ruletest, assessment, rules or knowledge [KIND] files (or all)."""
    from riskengine.errors import did_you_mean
    from riskengine.load.cached_loader import load_ruleset
    from riskengine.authoring.schema import KNOWLEDGE_KINDS, dumps, select

    if kind is not None and (what != "knowledge" or kind not in KNOWLEDGE_KINDS):
        hint = did_you_mean(kind, KNOWLEDGE_KINDS) if what == "knowledge" else "KIND only follows `knowledge`"
        click.echo(f"error: unknown knowledge kind '{kind}' ({hint or 'one of ' + ', '.join(KNOWLEDGE_KINDS)})",
                   err=True)
        raise SystemExit(2)
    try:
        rs = load_ruleset(rules, knowledge, strict=False)
    except RulesetError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    files = select(rs, what, kind)
    if out is None:
        if len(files) != 1:
            click.echo(f"error: `{what}` is {len(files)} schemas; give --out DIR to write them", err=True)
            raise SystemExit(2)
        click.echo(dumps(next(iter(files.values()))), nl=False)
        return
    stale = []
    for rel, doc in files.items():
        path = Path(out) / rel
        text = dumps(doc)
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path)
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if check:
        for path in stale:
            click.echo(f"{path}: out of date (run `riskengine schema {what} --out {out}`)")
        if stale:
            raise SystemExit(1)
        click.echo(f"ok: {len(files)} schema file(s) up to date for ruleset {rs.version}")
        return
    click.echo(f"wrote {len(stale)} of {len(files)} schema file(s) under {out} (ruleset {rs.version})")
