"""riskengine: a rule-based expert system for the risk of customer complaints.

Library use::

    from riskengine import load_engine, Case
    engine = load_engine()                 # shipped rules and knowledge
    result = engine.assess({"id": "C-1", ...})
    print(result.risk.level, result.strategy.id)

The names below are imported on first use, so that ``import riskengine.cli`` (or any one submodule)
does not pay for the whole package: the command line needs that to start quickly.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_EXPORTS = {"Assessment": "contracts.assessment", "KeyFigures": "contracts.assessment", "Case": "contracts.case", "Engine": "engine",
            "load_engine": "engine", "CaseError": "errors", "Problem": "errors", "RiskEngineError": "errors",
            "RulesetError": "errors", "load_ruleset": "load.cached_loader", "Ruleset": "contracts.ruleset"}

if TYPE_CHECKING:   # what type checkers and editors see; at run time each name is imported on first use
    from .contracts.assessment import Assessment, KeyFigures
    from .contracts.case import Case
    from .engine import Engine, load_engine
    from .errors import CaseError, Problem, RiskEngineError, RulesetError
    from .load.cached_loader import load_ruleset
    from .contracts.ruleset import Ruleset

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'riskengine' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
