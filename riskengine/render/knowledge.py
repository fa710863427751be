"""Browse the knowledge base and rules: one line per entry, or one entry in full."""
from __future__ import annotations

import yaml

from riskengine.contracts.ruleset import Ruleset


def _catalog(rs: Ruleset, kind: str) -> dict:
    if kind == "rules":
        return rs.rules_by_id
    return getattr(rs.knowledge, kind)


def _label(entry) -> tuple[str, str]:
    text = getattr(entry, "name", None) or getattr(entry, "description", None) or getattr(entry, "law", None)
    return (text.zh, text.en) if text is not None else ("", "")


def list_lines(rs: Ruleset, kinds: list[str]) -> list[str]:
    lines = []
    for kind in kinds:
        catalog = _catalog(rs, kind)
        lines.append(f"# {kind} ({len(catalog)})")
        for key in sorted(catalog, key=str):
            entry = catalog[key]
            zh, en = _label(entry)
            extra = f" {entry.article}" if kind == "legal_bases" else ""
            lines.append(f"{key}\t{zh}{extra}\t{en}{extra}")
    return lines


def show_entry(rs: Ruleset, kind: str, entry_id: str) -> str:
    catalog = _catalog(rs, kind)
    key = int(entry_id) if kind == "escalation" and entry_id.isdigit() else entry_id
    if key not in catalog:
        from riskengine.errors import did_you_mean
        hint = did_you_mean(entry_id, map(str, catalog))
        raise KeyError(f"no {kind} entry '{entry_id}'" + (f"; {hint}" if hint else ""))
    data = catalog[key].model_dump(mode="json", by_alias=True, exclude_defaults=True)
    where = rs.sources.get(entry_id if kind == "rules" else f"{kind}:{key}")
    header = f"# {where}\n" if where else ""
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
