"""The rest of the official SDK's surface on the real server, side by side with `langgraph_sdk`
0.4.14 (installed in the dev venv as a point of comparison): `version="v2"` streams in every
mode, with subgraphs and an interrupt; `client.http.*`; `strict_resume`; the in-process call
from inside a graph (`get_client()` with no URL); raw responses.

Results are compared after `normalize`, which replaces what differs between any two runs (ids,
timestamps, the client's own user agent), never what a client could get wrong."""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from langgraph_client import Client, capture_responses
from tests.clients import open_client

# Every test runs on both clients (the sync one behind `tests.clients.AsyncView`), but the
# in-process call, which only the async client makes (as in the official SDK).
pytestmark = [pytest.mark.timeout(60), pytest.mark.both_clients]

_UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(\+00:00|Z)?")
_VOLATILE_KEYS = {
    "user-agent",
    "x-request-id",
    "langgraph_request_id",
    "__request_start_time_ms__",
}


def normalize(value: Any) -> Any:
    """`value` with ids and timestamps replaced by placeholders."""
    if isinstance(value, str):
        return _TIMESTAMP.sub("<ts>", _UUID.sub("<id>", value))
    if isinstance(value, dict):
        return {
            normalize(k): "<volatile>" if k in _VOLATILE_KEYS else normalize(v)
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [normalize(v) for v in value]
    return value


def differences(a: Any, b: Any, where: str = "") -> list[str]:
    """Where two JSON values differ (paths), for a readable failure."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{where}.{k}: only one side" for k in a.keys() ^ b.keys()]
        for k in a.keys() & b.keys():
            out += differences(a[k], b[k], f"{where}.{k}")
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        pairs = enumerate(zip(a, b, strict=True))
        return [d for i, (x, y) in pairs for d in differences(x, y, f"{where}[{i}]")]
    return [] if a == b else [f"{where}: {a!r} != {b!r}"[:300]]


def msg(text: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": text}]}


@pytest.fixture
async def ours(server_url: str, flavour: str) -> AsyncIterator[Client]:
    async with open_client(flavour, url=server_url, api_key=None) as client:
        yield client


@pytest.fixture
async def sdk(server_url: str) -> AsyncIterator[Any]:
    from langgraph_sdk import get_client as sdk_get_client

    client = sdk_get_client(url=server_url, api_key=None)
    try:
        yield client
    finally:
        await client.http.client.aclose()


async def _ours_v2(client: Client, *args: Any, **kwargs: Any) -> list[Any]:
    async with client.runs.stream(*args, version="v2", **kwargs) as stream:
        return [part async for part in stream]


async def _sdk_v2(client: Any, *args: Any, **kwargs: Any) -> list[Any]:
    return [part async for part in client.runs.stream(*args, version="v2", **kwargs)]


MODES: list[tuple[str, Any, dict[str, Any]]] = [
    ("agent", "values", msg("hi")),
    ("agent", "updates", msg("hi")),
    ("agent", "custom", {**msg("hi"), "chunks": 2, "chunk_delay": 0.01}),
    ("agent", "debug", msg("hi")),
    ("agent", "tasks", msg("hi")),
    ("agent", "checkpoints", msg("hi")),
    ("agent", "events", msg("hi")),
    ("chat", "messages-tuple", msg("hello there")),
    ("chat", "messages", msg("hello there")),
    ("agent", ["values", "updates", "custom", "debug", "tasks", "checkpoints"], msg("hi")),
]


@pytest.mark.parametrize(("graph", "mode", "inp"), MODES, ids=lambda v: str(v)[:30])
async def test_v2_stream_matches_the_official_sdk_in_every_mode(
    ours: Client, sdk: Any, graph: str, mode: Any, inp: Any
) -> None:
    # Threaded, so checkpoints exist; one thread per client.
    tid_ours = (await ours.threads.create())["thread_id"]
    tid_sdk = (await sdk.threads.create())["thread_id"]
    mine = await _ours_v2(ours, tid_ours, graph, input=inp, stream_mode=mode)
    theirs = await _sdk_v2(sdk, tid_sdk, graph, input=inp, stream_mode=mode)
    assert [p["type"] for p in mine] == [p["type"] for p in theirs]
    assert differences(normalize(mine), normalize(theirs)) == []
    assert mine[0]["type"] == "metadata"
    wanted = {mode} if isinstance(mode, str) else set(mode)
    if "messages-tuple" in wanted:
        wanted = {"messages"}
    elif "messages" in wanted:
        wanted = {"messages/partial", "messages/metadata"}
    assert wanted <= {p["type"] for p in mine}
    for part in mine:
        assert set(part) == {"type", "ns", "data", "interrupts"}
        assert part["ns"] == [] and part["interrupts"] == []


async def test_v2_subgraph_namespaces(ours: Client, sdk: Any) -> None:
    kwargs: dict[str, Any] = {
        "input": msg("hi"),
        "stream_mode": ["updates", "custom"],
        "stream_subgraphs": True,
    }
    mine = await _ours_v2(ours, None, "nested", **kwargs)
    theirs = await _sdk_v2(sdk, None, "nested", **kwargs)
    assert normalize(mine) == normalize(theirs)
    inner = [p for p in mine if p["ns"]]
    assert {p["type"] for p in inner} == {"updates", "custom"}
    for part in inner:
        (segment,) = part["ns"]
        assert segment.startswith("inner:")
    assert {
        "type": "custom",
        "ns": [inner[0]["ns"][0]],
        "data": {"node": "inner_step"},
        "interrupts": [],
    } in mine


async def test_v2_interrupt_moves_out_of_values(ours: Client, sdk: Any) -> None:
    inp = {**msg("hi"), "interrupt": True}
    tid_ours = (await ours.threads.create())["thread_id"]
    tid_sdk = (await sdk.threads.create())["thread_id"]
    mine = await _ours_v2(ours, tid_ours, "agent", input=inp, stream_mode=["values", "updates"])
    theirs = await _sdk_v2(sdk, tid_sdk, "agent", input=inp, stream_mode=["values", "updates"])
    assert normalize(mine) == normalize(theirs)
    (last_values,) = [p for p in mine if p["type"] == "values" and p["interrupts"]]
    (interrupt,) = last_values["interrupts"]
    assert interrupt["value"] == {"question": "approve?", "text": "hi"}
    assert "__interrupt__" not in last_values["data"]
    assert last_values["data"] == msg("hi")
    # In `updates` the interrupt stays in the data, as the server sends it.
    assert any("__interrupt__" in p["data"] for p in mine if p["type"] == "updates")


async def test_v2_join_stream(ours: Client) -> None:
    thread_id = (await ours.threads.create())["thread_id"]
    run = await ours.runs.create(
        thread_id,
        "nested",
        input=msg("hi"),
        stream_mode=["values", "custom"],
        stream_subgraphs=True,
        stream_resumable=True,
    )
    await ours.runs.join(thread_id, run["run_id"])
    async with ours.runs.join_stream(
        thread_id, run["run_id"], last_event_id="-1", version="v2"
    ) as stream:
        parts = [part async for part in stream]
    # The same events as a v1 join, converted.
    async with ours.runs.join_stream(thread_id, run["run_id"], last_event_id="-1") as v1:
        plain = [part async for part in v1]
    from langgraph_client._v2 import to_v2

    assert parts == [to_v2(p.event, p.data) for p in plain]
    assert parts[0]["type"] == "metadata"
    assert any(p["ns"] for p in parts) and any(not p["ns"] for p in parts)
    assert parts[-1]["type"] == "values" and parts[-1]["data"]["reply"] == "echo: hi"


# client.http


async def test_http_methods_match_the_official_sdk(ours: Client, sdk: Any) -> None:
    results = []
    for client in (ours, sdk):
        tag = uuid.uuid4().hex
        created = await client.http.post("/threads", json={"metadata": {"tag": tag}})
        tid = created["thread_id"]
        got = await client.http.get(f"/threads/{tid}")
        patched = await client.http.patch(f"/threads/{tid}", json={"metadata": {"more": 1}})
        searched = await client.http.post("/threads/search", json={"metadata": {"tag": tag}})
        put = await client.http.put(
            "/store/items", json={"namespace": ["compat", tag], "key": "k", "value": {"v": 1}}
        )
        item = await client.http.get(
            "/store/items", params={"namespace": f"compat.{tag}", "key": "k"}
        )
        deleted = await client.http.delete(f"/threads/{tid}")
        ok = await client.http.get("/ok")
        parts = [
            (p.event, p.data)
            async for p in client.http.stream(
                "/runs/stream",
                "POST",
                json={"assistant_id": "agent", "input": msg("hi"), "stream_mode": "updates"},
            )
        ]
        results.append(normalize([created, got, patched, searched, put, item, deleted, ok, parts]))
        assert got["metadata"]["tag"] == tag and patched["metadata"]["more"] == 1
        assert item["value"] == {"v": 1}
        assert [e for e, _ in parts] == ["metadata", "updates", "updates"]
    assert results[0] == results[1]
    assert isinstance(ours.http.client, (httpx.AsyncClient, httpx.Client))


async def test_http_errors_are_typed_like_the_official_sdk(ours: Client, sdk: Any) -> None:
    import langgraph_sdk.errors as sdk_errors

    from langgraph_client import NotFoundError

    missing = f"/threads/{uuid.uuid4()}"
    with pytest.raises(NotFoundError) as mine:
        await ours.http.get(missing)
    with pytest.raises(sdk_errors.NotFoundError) as theirs:
        await sdk.http.get(missing)
    assert mine.value.status_code == theirs.value.status_code == 404
    assert mine.value.body == theirs.value.body
    assert (mine.value.code, mine.value.param, mine.value.type) == (
        theirs.value.code,
        theirs.value.param,
        theirs.value.type,
    )


# strict_resume, raw responses


async def test_strict_resume_is_sent_and_accepted(ours: Client) -> None:
    thread_id = (await ours.threads.create())["thread_id"]
    await ours.runs.wait(thread_id, "agent", input={**msg("hi"), "interrupt": True})
    result = await ours.runs.wait(thread_id, "agent", command={"resume": "yes"}, strict_resume=True)
    assert result["messages"][-1]["content"] == "echo: hi (resume: yes)"


async def test_capture_responses_on_the_real_server(ours: Client) -> None:
    with capture_responses() as raw:
        thread = await ours.threads.create()
    assert raw.status_code == 200
    assert raw.response.request.method == "POST"
    assert raw.response.json()["thread_id"] == thread["thread_id"]


# The official SDK's reference example for `get_client(url=None)`, run by both clients inside
# a graph on the same server.


@pytest.mark.async_only
async def test_get_client_without_url_inside_a_graph_calls_its_own_server(
    ours: Client,
) -> None:
    results = {}
    for kind in ("langgraph_client", "langgraph_sdk"):
        results[kind] = result = await ours.runs.wait(
            None, "inprocess", input={"client": kind, "text": "hi", "chunk_delay": 0.3}
        )
        assert result["waited"] == {
            "messages": [
                {"role": "user", "content": "hi"},
                {"role": "assistant", "content": "echo: hi"},
            ],
            "count": 1,
        }
        streamed = result["streamed"]
        assert [p["event"] for p in streamed] == ["metadata"] + ["custom"] * 4
        chunks = [p for p in streamed if p["event"] == "custom" and "chunk" in p["data"]]
        assert [p["data"] for p in chunks] == [{"chunk": i, "of": 3} for i in range(3)]
        # Delivered as they were sent, 0.3 s apart: a transport that buffers the body to the
        # end (httpx.ASGITransport) would deliver them all at once.
        gaps = [b["at"] - a["at"] for a, b in itertools.pairwise(chunks)]
        assert all(gap > 0.15 for gap in gaps), (kind, gaps)
    ours_result, sdk_result = results["langgraph_client"], results["langgraph_sdk"]
    assert ours_result["transport"] == "InProcessTransport"
    assert sdk_result["transport"] == "ASGITransport"  # the server's own, for the SDK

    def without_times(result: dict[str, Any]) -> Any:
        parts = [{k: v for k, v in p.items() if k != "at"} for p in result["streamed"]]
        return normalize([result["waited"], parts])

    assert without_times(ours_result) == without_times(sdk_result)


@pytest.mark.async_only
async def test_leaving_an_in_process_stream_early_does_not_wait_for_the_run(
    ours: Client,
) -> None:
    result = await ours.runs.wait(
        None, "inprocess", input={"text": "hi", "chunk_delay": 0.01, "break_early": True}
    )
    # The inner run streams 100 chunks 0.05 s apart (5 s): leaving after the first one returns
    # at once, and the in-process client keeps working afterwards.
    assert result["left_after"] < 2.5, result["left_after"]
    assert result["after_leaving"]["messages"][-1] == {"role": "assistant", "content": "echo: hi"}


# The official SDK's docstring examples for `runs.stream` and `runs.join_stream`, adapted to the
# test graphs (real node names; no webhook or feedback keys, which need the outside world).


async def test_reference_stream_example_gives_the_same_parts(ours: Client, sdk: Any) -> None:
    def example(client: Any) -> Any:
        return client.runs.stream(
            thread_id=None,
            assistant_id="agent",
            input={"messages": [{"role": "user", "content": "how are you?"}]},
            stream_mode=["values", "debug"],
            metadata={"name": "my_run"},
            context={"model_name": "anthropic"},
            interrupt_before=["respond"],
            interrupt_after=["prepare"],
            multitask_strategy="interrupt",
        )

    async with example(ours) as stream:
        mine = [(part.event, part.data) async for part in stream]
    theirs = [(part.event, part.data) async for part in example(sdk)]
    assert differences(normalize(mine), normalize(theirs)) == []
    assert {event for event, _ in mine} == {"metadata", "values", "debug"}


async def test_reference_join_stream_example_gives_the_same_parts(ours: Client, sdk: Any) -> None:
    thread_id = (await ours.threads.create())["thread_id"]
    run = await ours.runs.create(
        thread_id, "agent", input=msg("hi"), stream_mode=["values", "debug"], stream_resumable=True
    )
    await ours.runs.join(thread_id, run["run_id"])

    def example(client: Any) -> Any:
        return client.runs.join_stream(
            thread_id=thread_id,
            run_id=run["run_id"],
            stream_mode=["values", "debug"],
            last_event_id="-1",  # the run has finished: replay it all
        )

    async with example(ours) as stream:
        mine = [(part.event, part.data) async for part in stream]
    theirs = [(part.event, part.data) async for part in example(sdk)]
    # A documented difference (docs/migration.md): the official SDK repeats `stream_mode` in the
    # query and the server keeps only the last mode; this client sends every mode. So its
    # `debug` parts are the SDK's, and it also has the `values` parts asked for.
    assert [part for part in mine if part[0] != "values"] == theirs
    assert {event for event, _ in theirs} == {"debug"}
    assert {event for event, _ in mine} == {"values", "debug"}
