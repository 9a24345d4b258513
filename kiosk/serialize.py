"""Dataclasses to JSON-ready dicts and back, driven by their type hints.

Records are stored as JSON beside their indexed columns, so a new optional field needs no
migration of old rows.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar, cast, get_args, get_origin

T = TypeVar("T")


def to_data(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_data(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    return value


def _identity(data: Any) -> Any:
    return data


@cache
def _decoder(tp: Any) -> Callable[[Any], Any]:
    """A function that turns stored JSON data back into `tp`, built once per type: reading
    years of records calls it millions of times, and type hints are slow to evaluate."""
    origin = get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        (inner_tp,) = [a for a in get_args(tp) if a is not type(None)]
        inner = _decoder(inner_tp)
        return lambda data: None if data is None else inner(data)
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            if item is _identity:
                return tuple
            return lambda data: tuple(map(item, data))
        items = tuple(_decoder(a) for a in args)
        return lambda data: tuple(f(v) for f, v in zip(items, data, strict=True))
    if origin is dict:
        key_tp, value_tp = get_args(tp)
        key, value = _decoder(key_tp), _decoder(value_tp)
        return lambda data: {key(k): value(v) for k, v in data.items()}
    if isinstance(tp, type):
        if dataclasses.is_dataclass(tp):
            hints = typing.get_type_hints(tp)
            fields = {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(tp)}
            cls = tp
            return lambda data: cls(**{k: fields[k](v) for k, v in data.items() if k in fields})
        if issubclass(tp, Enum):
            return tp
        if tp is datetime:
            return datetime.fromisoformat
        if tp is date:
            return date.fromisoformat
    return _identity


def from_data(cls: type[T], data: dict[str, Any]) -> T:
    decode = _decoder(cast(Any, cls))  # a class is hashable; mypy cannot see it for type[T]
    result: T = decode(data)
    return result
