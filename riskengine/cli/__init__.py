"""The command line: one module per command or command group; ``main`` (the click group) and ``run``
(the console entry point) live in :mod:`riskengine.cli.group`."""


def run() -> None:   # the console entry point of the flat layout (`riskengine.cli:run`)
    from riskengine.cli.group import run as _run
    _run()


def __getattr__(name: str):
    if name == "main":
        from riskengine.cli.group import main
        return main
    raise AttributeError(f"module 'riskengine.cli' has no attribute {name!r}")
