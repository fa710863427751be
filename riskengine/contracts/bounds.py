"""Ceilings for every field of the case contract and the knowledge and rule files.

Each model's own ``Field(...)`` bounds say what a value means (an age is 0..130); these say what no
input may ever be, whatever the field, so that a new field is bounded from the day it is added:

- a number is a number: ``true`` is not 1, and Infinity, NaN and 1e400 are not numbers at all;
- no number beyond ``max_number`` in size, no text longer than ``max_text`` characters, no list of
  more than ``max_items`` items (checked before the items are validated one by one, so a list of a
  million bad items costs one error, not a million);
- a date lies between ``DATE_MIN`` and ``DATE_MAX``, so no clock runs into the year 9999.

A model base applies them with the validators :func:`bounds_validators` makes (a before-validator on
every field and, for models with dates, an after-validator): one definition for the case, knowledge and
rule contracts. The limits are documented in docs/case-format.md and docs/knowledge.md.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import types
import typing
from dataclasses import dataclass
from typing import Any, get_args, get_origin

from pydantic import field_validator
from pydantic_core import PydanticCustomError

DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2199, 12, 31)


@dataclass(frozen=True)
class Limits:
    max_number: float
    max_text: int
    max_items: int


CASE_LIMITS = Limits(max_number=1e13, max_text=100_000, max_items=500)
KNOWLEDGE_LIMITS = Limits(max_number=1_000_000, max_text=20_000, max_items=5_000)


def _scalar_types(ann: Any) -> set:
    """The plain types an annotation admits (through Optional, Annotated and unions)."""
    origin = get_origin(ann)
    if origin is typing.Annotated:
        return _scalar_types(get_args(ann)[0])
    if origin in (typing.Union, types.UnionType):
        out: set = set()
        for arg in get_args(ann):
            out |= _scalar_types(arg)
        return out
    return {origin or ann}


@functools.lru_cache(maxsize=1024)
def _numeric(annotation: Any) -> bool:
    kinds = _scalar_types(annotation)
    return bool(kinds & {int, float}) and bool not in kinds


@functools.lru_cache(maxsize=1024)
def _numeric_items(annotation: Any) -> bool:
    """Whether the items (or dict values) of a list/dict field are numbers."""
    for arg in get_args(annotation):
        if arg is Ellipsis:
            continue
        if _numeric(arg) or _numeric_items(arg):
            return True
    return False


_PLAIN_ITEMS = frozenset({str, int, dict, list, tuple, type(None)})   # exact types: neither float nor bool


def _check_items(items, annotation: Any) -> None:
    numbers = None
    plain = _PLAIN_ITEMS
    for item in items:
        if type(item) in plain:
            continue
        if isinstance(item, float) and not math.isfinite(item):
            raise PydanticCustomError("finite_number", "holds a value that is not a finite number")
        if isinstance(item, bool):
            if numbers is None:
                try:
                    numbers = _numeric_items(annotation)
                except TypeError:
                    numbers = False
            if numbers:
                raise PydanticCustomError("bool_not_number", "holds true/false where a number belongs")


def check_raw(value: Any, annotation: Any, limits: Limits) -> Any:
    """Refuse ``value`` for a field of ``annotation`` if it breaks a ceiling; else return it unchanged."""
    if value is None or (isinstance(value, str) and len(value) <= limits.max_text and type(value) is str):
        return value
    try:
        numeric = _numeric(annotation)
    except TypeError:   # an unhashable annotation
        numeric = False
    if isinstance(value, bool):
        if numeric:
            raise PydanticCustomError("bool_not_number", "true/false is not a number; write the number itself")
        return value
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError("finite_number", "must be a finite number (not Infinity, NaN or 1e400)")
    if isinstance(value, (int, float)) and numeric and abs(value) > limits.max_number:
        raise PydanticCustomError("number_too_large", f"must be at most {limits.max_number:,.0f} in size")
    if isinstance(value, str) and len(value) > limits.max_text:
        raise PydanticCustomError("text_too_long", f"text is {len(value):,} characters; the limit is {limits.max_text:,}")
    if isinstance(value, (list, tuple, dict, set)):
        if len(value) > limits.max_items:
            raise PydanticCustomError("too_many_items", f"has {len(value):,} items; the limit is {limits.max_items:,}")
        _check_items(value.values() if isinstance(value, dict) else value, annotation)
    return value


_PLAIN_AFTER = frozenset({str, tuple, bool, type(None)})   # exact types no ceiling of check_after concerns


def check_after(value: Any, limits: Limits) -> Any:
    """After conversion (a number may have come as text, "1e300" or "inf"): finite, bounded, dates in range."""
    if type(value) in _PLAIN_AFTER:
        return value
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError("finite_number", "must be a finite number (not Infinity, NaN or 1e400)")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > limits.max_number:
        raise PydanticCustomError("number_too_large", f"must be at most {limits.max_number:,.0f} in size")
    return check_date(value)


def check_date(value: Any) -> Any:
    if isinstance(value, dt.date) and not DATE_MIN <= (value.date() if isinstance(value, dt.datetime) else value) \
            <= DATE_MAX:
        raise PydanticCustomError("date_out_of_range",
                                  f"date must lie between {DATE_MIN.isoformat()} and {DATE_MAX.isoformat()}")
    return value


def bounds_validators(limits: Limits, *, dates: bool = True) -> tuple:
    """The validators that put ``limits`` on every field of a model base, present and future, for its
    class body: ``_within_bounds, _dates_in_range = bounds_validators(CASE_LIMITS)``, or with
    ``dates=False`` only the first (``_within_bounds, = ...``).

    ``_within_bounds`` (before each field's own validation, so a hostile value costs one check, not a
    conversion) is :func:`check_raw` with the field's annotation; ``_dates_in_range`` (after it) is
    :func:`check_after`. Short text and missing values, most of any input, return at once."""
    max_text = limits.max_text

    def _within_bounds(cls, value, info):
        if value is None or (type(value) is str and len(value) <= max_text):
            return value
        return check_raw(value, cls.__pydantic_fields__[info.field_name].annotation, limits)

    def _dates_in_range(cls, value):
        return check_after(value, limits)

    before = field_validator("*", mode="before")(classmethod(_within_bounds))
    if not dates:
        return (before,)
    return before, field_validator("*", mode="after")(classmethod(_dates_in_range))
