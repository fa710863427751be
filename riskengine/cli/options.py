"""What several commands share: their common options (one definition, one help text) and the
garbage-collector pause around start-up."""
from __future__ import annotations

import gc
import os
from contextlib import contextmanager

import click

_GC_FROZEN = "riskengine.gc_frozen"


@contextmanager
def startup():
    """Around loading the engine: the cyclic garbage collector is off inside, then on again.

    Loading the engine creates hundreds of thousands of objects that live as long as the process
    (pydantic schemas, rules, the experta network). Collecting while they are made walks them again
    and again. When the block ends they are frozen (``gc.freeze``: later collections skip them) and
    collection is switched back on, before any assessment, batch work or worker process. Because the
    pause is a ``with`` block, no command can leave it on; the freeze is undone when the command ends,
    so a process that runs commands in turn (tests, the service) is left as it was.
    """
    if not gc.isenabled():   # nested, or the caller manages the collector itself
        yield
        return
    gc.disable()
    try:
        yield
        # Freeze before switching the collector on again: the first collection after ``enable``
        # would otherwise walk every object start-up made (~80 ms on the shipped ruleset).
        ctx = click.get_current_context(silent=True)
        if ctx is not None and not ctx.meta.get(_GC_FROZEN):
            gc.freeze()
            ctx.meta[_GC_FROZEN] = True
            ctx.call_on_close(gc.unfreeze)
    finally:
        gc.enable()


rules_option = click.option("--rules", "rules", type=click.Path(file_okay=False), default=None,
                            help="Folder of rule files (default: the shipped rules).")
knowledge_option = click.option("--knowledge", "knowledge", type=click.Path(file_okay=False), default=None,
                                help="Folder of knowledge files (default: the shipped knowledge).")
lang_option = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                           help="Language of text output.")

WORKERS_PER_CPU = 4


def _sensible_workers(ctx: click.Context, param: click.Parameter, value: int) -> int:
    """At most four processes per CPU: each holds a whole engine (~80 MiB), so a mistyped
    ``--workers 1000`` would exhaust memory and lose the run instead of speeding it up."""
    most = WORKERS_PER_CPU * (os.cpu_count() or 1)
    if value > most:
        click.echo(f"note: --workers {value} is more than {WORKERS_PER_CPU} per CPU here; using {most}", err=True)
        return most
    return value


workers_option = click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
                              callback=_sensible_workers,
                              help="Processes; each builds one engine and reuses it. Output stays in input order.")


def engine_option(default: str):
    """``--engine``: the reference engine for single cases, the proven-equal fast path for many."""
    return click.option("--engine", "engine_name", type=click.Choice(["compiled", "experta"]), default=default,
                        show_default=True,
                        help="compiled: the fast path (same results, tested); experta: the reference engine.")
