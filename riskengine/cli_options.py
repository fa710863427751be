"""Command-line options shared by several commands (one definition, one help text)."""
from __future__ import annotations

import click

rules_option = click.option("--rules", "rules", type=click.Path(file_okay=False), default=None,
                            help="Folder of rule files (default: the shipped rules).")
knowledge_option = click.option("--knowledge", "knowledge", type=click.Path(file_okay=False), default=None,
                                help="Folder of knowledge files (default: the shipped knowledge).")
lang_option = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                           help="Language of text output.")
workers_option = click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
                              help="Processes; each builds one engine and reuses it. Output stays in input order.")


def engine_option(default: str):
    """``--engine``: the reference engine for single cases, the proven-equal fast path for many."""
    return click.option("--engine", "engine_name", type=click.Choice(["compiled", "experta"]), default=default,
                        show_default=True,
                        help="compiled: the fast path (same results, tested); experta: the reference engine.")
