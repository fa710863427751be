"""Why and why not, missing facts, the interview."""
