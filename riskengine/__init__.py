"""riskengine: a rule-based expert system for the risk of customer complaints.

Library use::

    from riskengine import load_engine, Case
    engine = load_engine()                 # shipped rules and knowledge
    result = engine.assess({"id": "C-1", ...})
    print(result.risk.level, result.strategy.id)
"""
from .assessment import Assessment
from .case import Case
from .engine import Engine, load_engine
from .errors import CaseError, Problem, RiskEngineError, RulesetError
from .loader import load_ruleset
from .ruleset import Ruleset

__all__ = ["Assessment", "Case", "CaseError", "Engine", "Problem", "RiskEngineError", "Ruleset", "RulesetError",
           "load_engine", "load_ruleset"]
