"""The rule language: the condition tree and its one traversal, operators, case field paths, analysis.

The names of :mod:`riskengine.language.tree` (the language proper) are also reachable from here, as
they were from the one module this package replaced."""


def __getattr__(name: str):
    from riskengine.language import tree
    try:
        return getattr(tree, name)
    except AttributeError:
        raise AttributeError(f"module 'riskengine.language' has no attribute {name!r}") from None
