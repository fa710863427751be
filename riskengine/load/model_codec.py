"""Validated rule and knowledge models as plain JSON data, and back without validating them again.

The ruleset cache stores what a full load *produced* (every model's fields, nested models, tuples,
dates, compiled staff patterns by their source), so a cache hit builds the same objects directly
instead of parsing conditions and running every validator (and building the validators: the models
defer that to first use). It is data, never code: a model is named by a tag from a fixed registry of
the contract classes, a pattern by the arguments it is compiled from, and anything else (a type this
module does not know) makes :func:`encode` raise, so that ruleset is not cached at all.

Encoding: str, int, float, bool, None as themselves; a tuple as a JSON array; a dict with string
keys as a JSON object; everything else as an object whose key ``"\\u0000"`` (a key no YAML mapping of
a valid ruleset has: :func:`encode` refuses one that does) names what it is: a model (with only the
fields that were set: defaults are filled in as ``model_construct`` does), a list, a date or datetime,
a pattern. :func:`same` checks that what :func:`decode` builds is what was encoded, types,
set fields and all (the store refuses anything else).
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from pydantic import BaseModel

from riskengine.contracts import knowledge as _knowledge, rule as _rule
from riskengine.language import tree as _tree
from riskengine.language.saferegex import LinearPattern

TAG = "\u0000"


def _plain_model(cls: type[BaseModel]) -> bool:
    """Models built field by field are exactly validated ones only without hidden state: no private
    attributes, no post-init hook, no extra fields, no root model."""
    return (not cls.__private_attributes__ and not cls.__pydantic_post_init__ and not cls.__pydantic_root_model__
            and cls.model_config.get("extra") != "allow")


_REQUIRED, _SAME_DEFAULT, _FRESH_DEFAULT = 0, 1, 2
_SCALARS = (str, int, float, bool, type(None))


def _plan(cls: type[BaseModel]) -> tuple:
    """(name, how its default is had, default) of each field, in declaration order: what
    ``model_construct`` does for a field not given, worked out once per class (a default of an
    immutable type is the object itself, as ``FieldInfo.get_default`` gives it; anything else is asked
    for each model)."""
    out = []
    for name, field in cls.__pydantic_fields__.items():
        if field.is_required():
            out.append((name, _REQUIRED, None))
        elif field.default_factory is None and (type(field.default) in _SCALARS or field.default == ()):
            out.append((name, _SAME_DEFAULT, field.default))
        else:
            out.append((name, _FRESH_DEFAULT, field))
    return tuple(out)


def _registry() -> dict[str, tuple[type[BaseModel], tuple]]:
    """Tag -> (class, plan) of every plain model of the rule and knowledge contracts and the rule language."""
    out: dict[str, tuple[type[BaseModel], tuple]] = {}
    for module, prefix in ((_knowledge, "k"), (_rule, "r"), (_tree, "t")):
        for name, obj in vars(module).items():
            if (isinstance(obj, type) and issubclass(obj, BaseModel) and obj.__module__ == module.__name__
                    and _plain_model(obj)):
                out[f"{prefix}.{name}"] = (obj, _plan(obj))
    return out


MODELS: dict[str, tuple[type[BaseModel], tuple]] = _registry()
_TAG_OF: dict[type, str] = {cls: tag for tag, (cls, _plan) in MODELS.items()}


# ------------------------------------------------------------------------------------------ encode
def encode(value: Any) -> Any:
    """JSON-ready data of ``value``; TypeError for anything :func:`decode` could not build back."""
    t = type(value)
    if t in _SCALARS:
        return value
    if t is tuple:
        return [encode(v) for v in value]
    if t is dict:
        out = {}
        for k, v in value.items():
            if type(k) is not str or k == TAG:
                raise TypeError(f"cannot store a mapping key {k!r}")
            out[k] = encode(v)
        return out
    if t is list:
        return {TAG: "list", "v": [encode(v) for v in value]}
    if t is dt.date or t is dt.datetime:
        return {TAG: t.__name__, "v": value.isoformat()}
    if t is LinearPattern:
        return {TAG: "pattern", "v": list(value._args)}
    tag = _TAG_OF.get(t)
    if tag is None:
        raise TypeError(f"cannot store a {t.__name__}")
    if value.__pydantic_extra__:
        raise TypeError(f"cannot store extra fields of {t.__name__}")
    fields = value.__dict__
    out = {TAG: tag}
    for name in value.__pydantic_fields_set__:
        out[name] = encode(fields[name])
    return out


# ------------------------------------------------------------------------------------------ decode
def _build_model(cls: type[BaseModel], plan: tuple, data: dict) -> BaseModel:
    """What ``model_construct`` does for these plain models (fields in declaration order, defaults for
    the fields not set), without its alias handling: the data holds field names."""
    values = {}
    fields_set = set()
    for name, how, default in plan:
        if name in data:
            values[name] = decode(data[name])
            fields_set.add(name)
        elif how == _SAME_DEFAULT:
            values[name] = default
        elif how == _FRESH_DEFAULT:
            values[name] = default.get_default(call_default_factory=True, validated_data=values)
        else:
            raise ValueError(f"{cls.__name__}: no value for the required field {name}")
    if len(fields_set) != len(data) - 1:
        raise ValueError(f"{cls.__name__}: unknown fields {sorted(set(data) - set(values) - {TAG})}")
    model = cls.__new__(cls)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", fields_set)
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


_set = object.__setattr__


def _pattern(args: list) -> LinearPattern:
    pattern, ignorecase, lookaround, word_end = args
    if (type(pattern) is not str or type(ignorecase) is not bool or type(lookaround) is not bool
            or not (word_end is None or type(word_end) is str)):
        raise ValueError("malformed pattern")
    return LinearPattern(pattern, ignorecase, lookaround, word_end)


_SPECIAL: dict[str, Callable[[Any], Any]] = {
    "list": lambda v: [decode(x) for x in v],
    "date": dt.date.fromisoformat,
    "datetime": dt.datetime.fromisoformat,
    "pattern": _pattern,
}


def decode(data: Any) -> Any:
    """The value :func:`encode` was given; ValueError (or TypeError, KeyError) for data it did not write."""
    t = type(data)
    if t is list:
        return tuple([decode(v) for v in data])
    if t is not dict:
        return data
    tag = data.get(TAG)
    if tag is None:
        return {k: decode(v) for k, v in data.items()}
    special = _SPECIAL.get(tag)
    if special is not None:
        if len(data) != 2:
            raise ValueError(f"malformed {tag}")
        return special(data["v"])
    known = MODELS.get(tag)
    if known is None:
        raise ValueError(f"unknown model {tag!r}")
    return _build_model(known[0], known[1], data)


# ------------------------------------------------------------------------------------------- check
def same(a: Any, b: Any) -> bool:
    """Equal, of the same types all the way down, with the same fields set on every model (what
    ``model_dump(exclude_unset=True)`` shows); patterns are the same when compiled from the same source."""
    t = type(a)
    if t is not type(b):
        return False
    if t is tuple or t is list:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if t is dict:
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if t is LinearPattern:
        return a._args == b._args
    if isinstance(a, BaseModel):
        return (a.__pydantic_fields_set__ == b.__pydantic_fields_set__ and a.__pydantic_extra__ == b.__pydantic_extra__
                and all(same(getattr(a, name), getattr(b, name)) for name in t.__pydantic_fields__))
    if t is dt.date or t is dt.datetime:
        return a == b and a.isoformat() == b.isoformat()
    return a == b
