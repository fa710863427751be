"""``riskengine table export|import``: knowledge and simple rules as spreadsheet tables (docs/authoring.md).

Registered on the main group in :mod:`riskengine.cli`. Import writes nothing unless every cell of every
file is valid and the resulting ruleset loads; each problem is one line ``FILE.xlsx!Sheet!D14: ...``.
"""
from __future__ import annotations

from pathlib import Path

import click

from riskengine.cli.options import knowledge_option, rules_option

EXPORT_KINDS = ("all", "scoring", "deadlines", "channels", "phrases", "taboos", "indicators", "agent_signs",
                "legal_bases", "strategies", "escalation", "profiles", "rules")


@click.group("table")
def table() -> None:
    """Knowledge and simple rules as spreadsheet tables (.xlsx or .csv), and back."""
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        click.echo('error: tables need openpyxl: pip install "riskengine[authoring]"', err=True)
        raise SystemExit(1) from None


@table.command("export")
@click.argument("kind", type=click.Choice(EXPORT_KINDS))
@click.argument("file", type=click.Path(dir_okay=False))
@rules_option
@knowledge_option
def export(kind: str, file: str, rules: str | None, knowledge: str | None) -> None:
    """Write the KIND table (or all of them, .xlsx only) to FILE.xlsx or FILE.csv."""
    from riskengine.load.loader import default_dir
    from riskengine.authoring.tablebook import write_csv, write_xlsx
    from riskengine.authoring.tablesync import TableError, export_tables

    path = Path(file)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        click.echo(f"error: {file}: write .xlsx or .csv", err=True)
        raise SystemExit(2)
    if suffix == ".csv" and kind == "all":
        click.echo("error: a .csv file holds one table; name the kind, or write .xlsx for all", err=True)
        raise SystemExit(2)
    kinds = [k for k in EXPORT_KINDS if k != "all"] if kind == "all" else [kind]
    try:
        tables, choices, version = export_tables(Path(rules) if rules else default_dir("rules"),
                                                 Path(knowledge) if knowledge else default_dir("knowledge"), kinds)
        if suffix == ".csv":
            write_csv(path, tables[0])
        else:
            write_xlsx(path, tables, choices, version)
    except TableError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    except OSError as exc:
        click.echo(f"error: {file}: {exc.strerror or exc}", err=True)
        raise SystemExit(1) from None
    for t in tables:
        kept = f"; {len(t.kept)} kept in YAML (listed in the README sheet)" if t.kept else ""
        click.echo(f"{t.kind}: {len(t.rows)} rows{kept}")
    click.echo(f"wrote {file} (ruleset {version})")


@table.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, exists=True))
@click.option("--into", "into", required=True, type=click.Path(file_okay=False, exists=True),
              help="The ruleset folder (holding rules/ and knowledge/) to write into.")
@click.option("--kind", "csv_kind", default=None, help="The table a .csv file holds (default: its file name).")
@click.option("--dry-run", is_flag=True, help="Check and list the changes; write nothing.")
def import_(files: tuple[str, ...], into: str, csv_kind: str | None, dry_run: bool) -> None:
    """Read FILES (.xlsx or .csv) and write the YAML of the ruleset in --into, only if all is valid."""
    from riskengine.authoring.tablesync import import_tables

    result = import_tables([Path(f) for f in files], Path(into), csv_kind, dry_run=dry_run)
    for line in result.errors:
        click.echo(line, err=True)
    if result.errors:
        click.echo(f"{len(result.errors)} error(s); nothing written", err=True)
        raise SystemExit(1)
    for line in result.changes:
        click.echo(line)
    for path in result.written:
        click.echo(f"wrote {path}")
    if dry_run:
        click.echo("dry run: nothing written")


