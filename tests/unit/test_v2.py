"""The "v2" stream-part conversion, as a pure function: namespace, interrupts, `end`."""

from __future__ import annotations

from typing import Any

import pytest

from langgraph_client._v2 import to_v2


def test_root_event_has_an_empty_namespace() -> None:
    assert to_v2("updates", {"prepare": {"count": 1}}) == {
        "type": "updates",
        "ns": [],
        "data": {"prepare": {"count": 1}},
        "interrupts": [],
    }


def test_namespace_is_split_out_of_the_event_name() -> None:
    part = to_v2("custom|outer:1|inner:2", {"x": 1})
    assert part is not None
    assert (part["type"], part["ns"]) == ("custom", ["outer:1", "inner:2"])


def test_message_events_keep_their_slash_type() -> None:
    part = to_v2("messages/partial|inner:9", [{"content": "a"}])
    assert part is not None
    assert (part["type"], part["ns"], part["data"]) == (
        "messages/partial",
        ["inner:9"],
        [{"content": "a"}],
    )


def test_values_interrupts_move_out_of_the_state_without_changing_it() -> None:
    interrupts = [{"value": {"question": "approve?"}, "id": "i1"}]
    state: dict[str, Any] = {"messages": [], "__interrupt__": interrupts}
    part = to_v2("values", state)
    assert part == {"type": "values", "ns": [], "data": {"messages": []}, "interrupts": interrupts}
    assert "__interrupt__" in state  # the caller's object is left alone


def test_interrupts_stay_in_updates_data() -> None:
    data = {"__interrupt__": [{"value": 1, "id": "i"}]}
    part = to_v2("updates", data)
    assert part is not None
    assert part["data"] == data and part["interrupts"] == []


def test_end_is_dropped() -> None:
    assert to_v2("end", None) is None


@pytest.mark.parametrize(
    ("event", "data"),
    [
        ("metadata", {"run_id": "r", "attempt": 1}),
        ("error", {"error": "ValueError", "message": "boom"}),
        ("brand_new_mode|ns:1", [1, 2]),
        ("values", ["not", "a", "dict"]),
        ("values", None),
    ],
)
def test_every_other_event_keeps_its_data(event: str, data: Any) -> None:
    kind, _, rest = event.partition("|")
    assert to_v2(event, data) == {
        "type": kind,
        "ns": rest.split("|") if rest else [],
        "data": data,
        "interrupts": [],
    }


def test_matches_the_official_sdk_on_the_real_capture() -> None:
    # The official SDK's converter is the reference for the shape; it is installed in the dev
    # venv as a point of comparison only.
    import json

    from langgraph_sdk._shared.utilities import _sse_to_v2_dict  # type: ignore[import-untyped]

    from langgraph_client._sse import SSEDecoder

    from .conftest import capture_bytes

    decoder = SSEDecoder(10**8)
    events = decoder.feed(capture_bytes()) + decoder.flush()
    assert len(events) > 50
    names = set()
    for name, raw, _id, _retry in events:
        ours = to_v2(name, json.loads(raw) if raw else None)
        theirs = _sse_to_v2_dict(name, json.loads(raw) if raw else None)
        assert ours == theirs
        names.add(name.split("|")[0])
    assert {"metadata", "debug"} <= names
