"""``riskengine init DIR``: start a ruleset folder set up for an editor (docs/authoring.md).

Registered on the main group in :mod:`riskengine.cli`. ``--refresh`` brings an existing folder (such as this
repository) up to date instead: its schemas regenerated from its own ruleset, the modeline on every file.
"""
from __future__ import annotations

from pathlib import Path

import click

from riskengine.cli.options import knowledge_option, rules_option


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--refresh", is_flag=True,
              help="Update an existing folder: regenerate DIR/schemas and write the modeline of every YAML file.")
@rules_option
@knowledge_option
def init(directory: str, refresh: bool, rules: str | None, knowledge: str | None) -> None:
    """Start a new ruleset folder: rules, knowledge and example cases with their schemas and modelines."""
    from riskengine.authoring import scaffold

    root = Path(directory)
    if refresh:
        if not (root / "rules").is_dir() or not (root / "knowledge").is_dir():
            click.echo(f"error: {root} has no rules/ and knowledge/ folders to refresh", err=True)
            raise SystemExit(1)
        written, stamped = scaffold.refresh(root)
        click.echo(f"{len(written)} schema file(s) written, {len(stamped)} file(s) given their modeline")
        return
    try:
        files = scaffold.init(root, Path(rules) if rules else None, Path(knowledge) if knowledge else None)
    except (FileExistsError, OSError) as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    click.echo(f"created {root} ({len(files)} files): edit rules/ and knowledge/ in an editor with the YAML "
               "extension; check with `riskengine validate --rules "
               f"{root / 'rules'} --knowledge {root / 'knowledge'}`")
