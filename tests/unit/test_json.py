"""JSON encoding of request bodies (rich Python values, clear errors) and decoding of answers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import json
import uuid
from typing import Any, ClassVar

import pydantic
import pytest

from langgraph_client._json import dumps, loads


def roundtrip(value: Any) -> Any:
    encoded = dumps(value)
    assert isinstance(encoded, bytes)
    return json.loads(encoded)  # the standard library agrees it is JSON


def test_plain_values_are_compact_utf8() -> None:
    assert dumps({"a": [1, 2.5, None, True], "b": "é\u2028"}) == (
        '{"a":[1,2.5,null,true],"b":"é\u2028"}'.encode()
    )


@dataclasses.dataclass
class Inner:
    tags: set[str]


@dataclasses.dataclass
class Outer:
    name: str
    inner: Inner
    when: dt.datetime


class Model(pydantic.BaseModel):
    id: uuid.UUID
    when: dt.datetime
    amount: decimal.Decimal
    nested: list[Inner] = []


class V1Style:
    """What a pydantic v1 model looks like to the encoder: `.dict()` and `__fields__`."""

    __fields__: ClassVar[dict[str, Any]] = {"a": None}

    def dict(self) -> dict[str, Any]:
        return {"a": 1}


class Serializable:
    """Like langchain's `Serializable`: says how with `to_json()`."""

    def to_json(self) -> dict[str, Any]:
        return {"lc": 1, "type": "constructor", "id": ["x"]}


class Color(enum.Enum):
    RED = "red"


def test_rich_values() -> None:
    uid = uuid.uuid4()
    when = dt.datetime(2025, 5, 6, 7, 8, 9, 123000, tzinfo=dt.timezone.utc)
    got = roundtrip(
        {
            "dataclass": Outer("o", Inner({"x"}), when),
            "model": Model(id=uid, when=when, amount=decimal.Decimal("1.10")),
            "v1": V1Style(),
            "serializable": Serializable(),
            "uuid": uid,
            "date": dt.date(2025, 5, 6),
            "time": dt.time(7, 8),
            "set": {3, 1, 2},
            "frozenset": frozenset(["a"]),
            "tuple": (1, (2, 3)),
            "enum": Color.RED,
        }
    )
    assert got["dataclass"] == {
        "name": "o",
        "inner": {"tags": ["x"]},
        "when": "2025-05-06T07:08:09.123000+00:00",
    }
    assert got["model"] == {
        "id": str(uid),
        "when": "2025-05-06T07:08:09.123000Z",
        "amount": "1.10",
        "nested": [],
    }
    assert got["v1"] == {"a": 1}
    assert got["serializable"]["lc"] == 1
    assert got["uuid"] == str(uid)
    assert got["date"] == "2025-05-06"
    assert got["time"] == "07:08:00"
    assert sorted(got["set"]) == [1, 2, 3]
    assert got["frozenset"] == ["a"]
    assert got["tuple"] == [1, [2, 3]]
    assert got["enum"] == "red"


def test_non_string_keys() -> None:
    uid = uuid.UUID(int=5)
    assert roundtrip({1: "a", uid: "b", Color.RED: "c"}) == {"1": "a", str(uid): "b", "red": "c"}


class Opaque:
    pass


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (object(), "object"),
        (Opaque(), "Opaque"),
        ({"deep": [{"x": Opaque()}]}, "Opaque"),
        (decimal.Decimal("1"), "Decimal"),
        (b"raw bytes", "bytes"),
    ],
)
def test_unserializable_is_a_type_error_naming_the_type(value: Any, name: str) -> None:
    with pytest.raises(TypeError, match=name) as info:
        dumps(value)
    assert "serialize" in str(info.value)
    assert info.value.__suppress_context__  # orjson's internals are not chained in


def test_integer_out_of_range_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="serialize"):
        dumps({"n": 2**70})


def test_circular_reference_is_a_type_error_not_a_crash() -> None:
    loop: dict[str, Any] = {}
    loop["self"] = loop
    with pytest.raises(TypeError):
        dumps(loop)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"a": 1}', {"a": 1}),
        (b'\n\n\n {"a": 1}', {"a": 1}),  # the wait endpoint's heartbeat newlines
        ('"\u2028"'.encode(), "\u2028"),
        ("[1]", [1]),
    ],
)
def test_loads(raw: Any, expected: Any) -> None:
    assert loads(raw) == expected


@pytest.mark.parametrize("raw", [b"", b"{", b"nan", b"\xff", b'{"a": 1} trailing'])
def test_loads_errors_are_value_errors(raw: bytes) -> None:
    with pytest.raises(ValueError):
        loads(raw)
