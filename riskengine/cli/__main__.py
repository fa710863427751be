"""`python -m riskengine.cli`: the same as the `riskengine` command."""
from riskengine.cli.group import run

run()
