"""The "v2" stream-part conversion, as a pure function: namespace, interrupts, `end`."""

from __future__ import annotations

from typing import Any

import pytest

from langgraph_client._v2 import to_v2

from .conftest import MockFactory

pytestmark = pytest.mark.both_clients


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

    pytest.importorskip("langgraph_sdk", reason="langgraph-sdk (a dev dependency) is absent")
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


# Wired into the stream path


def _v2_stream(request: Any) -> Any:
    from .conftest import sse, sse_response

    return sse_response(
        sse("metadata", {"run_id": "R", "attempt": 1}, id="1-0"),
        sse("values", {"a": 1, "__interrupt__": [{"value": "q", "id": "i"}]}, id="2-0"),
        sse("updates|inner:7", {"inner_step": {"a": 2}}, id="3-0"),
        sse("end", None),
        headers={"content-location": "/threads/T/runs/R"},
    )


async def test_runs_stream_v2_yields_dicts(mock: MockFactory) -> None:
    client, _ = mock(_v2_stream)
    async with client.runs.stream("T", "agent", version="v2") as stream:
        parts = [part async for part in stream]
    assert parts == [
        {"type": "metadata", "ns": [], "data": {"run_id": "R", "attempt": 1}, "interrupts": []},
        {"type": "values", "ns": [], "data": {"a": 1}, "interrupts": [{"value": "q", "id": "i"}]},
        {"type": "updates", "ns": ["inner:7"], "data": {"inner_step": {"a": 2}}, "interrupts": []},
    ]
    # The stream's own bookkeeping still works on v2 streams.
    assert (stream.run_id, stream.thread_id, stream.last_event_id) == ("R", "T", "3-0")


async def test_join_stream_v2_yields_dicts(mock: MockFactory) -> None:
    client, requests = mock(_v2_stream)
    async with client.runs.join_stream("T", "R", last_event_id="-1", version="v2") as stream:
        types = [part["type"] async for part in stream]
    assert types == ["metadata", "values", "updates"]
    assert requests[0].url.path == "/threads/T/runs/R/stream"


async def test_v1_is_the_default(mock: MockFactory) -> None:
    client, _ = mock(_v2_stream)
    async with client.runs.stream("T", "agent") as stream:
        parts = [part async for part in stream]
    assert [p.event for p in parts] == ["metadata", "values", "updates|inner:7", "end"]
    assert parts[1].data["__interrupt__"] == [{"value": "q", "id": "i"}]


async def test_v2_error_event_still_raises_with_raise_error(mock: MockFactory) -> None:
    from langgraph_client import RunFailedError

    from .conftest import sse, sse_response

    def failing(request: Any) -> Any:
        return sse_response(
            sse("metadata", {"run_id": "R"}), sse("error", {"error": "ValueError", "message": "b"})
        )

    client, _ = mock(failing)
    seen = []
    with pytest.raises(RunFailedError, match="ValueError: b"):
        async with client.runs.stream(None, "agent", version="v2", raise_error=True) as stream:
            async for part in stream:
                seen.append(part["type"])
    assert seen == ["metadata"]
    async with client.runs.stream(None, "agent", version="v2") as stream:
        last = [part async for part in stream][-1]
    assert last == {
        "type": "error",
        "ns": [],
        "data": {"error": "ValueError", "message": "b"},
        "interrupts": [],
    }


@pytest.mark.parametrize("version", ["v3", "V2", ""])
async def test_unknown_version_is_a_value_error_at_the_call(
    mock: MockFactory, version: str
) -> None:
    client, requests = mock(_v2_stream)
    with pytest.raises(ValueError, match="version"):
        client.runs.stream(None, "agent", version=version)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="version"):
        client.runs.join_stream("T", "R", version=version)  # type: ignore[call-overload]
    assert requests == []
