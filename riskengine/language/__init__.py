"""The rule language: the condition tree and its one traversal, operators, case field paths, analysis."""
