"""From YAML files to a validated Ruleset: located YAML, the loader, the named checks, the cache."""
