"""Emergency numbers by jurisdiction, for the safety-crisis steps (``{emergency}`` in strategies.yaml)."""
from __future__ import annotations

from types import MappingProxyType

# jurisdiction -> (zh, en)
EMERGENCY_NUMBERS = MappingProxyType({
    "CN": ("110（报警）、120（急救）", "110 (police) and 120 (ambulance)"),
    "UK": ("999", "999"),
    "US": ("911", "911"),
})


def emergency_numbers(jurisdiction: str) -> tuple[str, str]:
    """(zh, en) wording of the emergency numbers to call in this jurisdiction."""
    return EMERGENCY_NUMBERS.get(jurisdiction, EMERGENCY_NUMBERS["CN"])
