"""Evaluating a ruleset on a case: the plan (strata), the experta backend and the compiled fast path."""
