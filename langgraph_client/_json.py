"""JSON encoding and decoding, inline with orjson (no thread-pool hop)."""

from __future__ import annotations

from typing import Any

import orjson

__all__ = ["dumps", "loads"]

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def _default(obj: Any) -> Any:
    """Types orjson does not know natively: pydantic models, sets, and objects that say how."""
    if isinstance(obj, (set, frozenset)):
        return list(obj)
    model_dump = getattr(obj, "model_dump", None)
    if callable(model_dump):  # pydantic v2
        return model_dump(mode="json")
    as_dict = getattr(obj, "dict", None)
    if callable(as_dict) and hasattr(obj, "__fields__"):  # pydantic v1
        return as_dict()
    if hasattr(obj, "to_json") and callable(obj.to_json):  # e.g. langchain Serializable
        return obj.to_json()
    raise TypeError(type(obj).__qualname__)


def dumps(obj: Any) -> bytes:
    """Encode to JSON bytes; an unsupported type is a `TypeError` naming it."""
    try:
        return orjson.dumps(obj, default=_default, option=_OPTIONS)
    except orjson.JSONEncodeError as exc:
        cause = exc.__cause__ or exc.__context__
        name = str(cause) if isinstance(cause, TypeError) and str(cause) else str(exc)
        raise TypeError(f"cannot serialize to JSON: {name}") from None


loads = orjson.loads
