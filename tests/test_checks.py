"""Validation runs as named, ordered stages; each stage checks every entry it is about (not only the last
one a loop happened to leave behind)."""
from __future__ import annotations

import shutil

from riskengine.load.checks import STAGES
from riskengine.load.cached_loader import load_ruleset

from conftest import MINI


def test_stages_are_named_in_the_order_they_run():
    assert [name for name, _ in STAGES] == [
        "catalog shape", "rules", "knowledge conditions", "legal references", "patterns", "concepts",
        "findings used", "reachability", "strategy conflicts", "channel ties", "strata"]


def test_an_unknown_legal_basis_on_any_clock_is_reported_at_that_clock(tmp_path):
    shutil.copytree(MINI, tmp_path / "mini")
    deadlines = tmp_path / "mini" / "knowledge" / "deadlines.yaml"
    lines = deadlines.read_text(encoding="utf-8").splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip().startswith("- id:"))
    lines.insert(first + 1, "    legal_basis: NO-SUCH-LAW")   # on the first clock, not the last
    deadlines.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rs = load_ruleset(tmp_path / "mini" / "rules", tmp_path / "mini" / "knowledge", strict=False)
    found = [p for p in rs.problems if p.code == "RE103" and "NO-SUCH-LAW" in p.message]
    assert len(found) == 1 and found[0].file.endswith("deadlines.yaml") and found[0].line == first + 2
