"""The contracts between layers: the case, the knowledge catalogs, a rule, the ruleset, the assessment."""
