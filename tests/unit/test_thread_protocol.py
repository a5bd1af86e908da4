"""Thread streaming: frame decoding, the cursor, run bookkeeping (pure), and the session's
command and frame errors over `httpx.MockTransport`. Event shapes are the real server's
(langgraph-api 0.16.7, docs/thread-streaming.md)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from langgraph_client import APIResponseValidationError, ThreadCommandError
from langgraph_client._thread_protocol import (
    EventCursor,
    FrameError,
    ThreadEvent,
    decode_event,
    matches,
)
from langgraph_client._thread_runs import MessageState, RunLog, ThreadLog
from tests.unit.conftest import MockFactory, RecordingStream, sse, sse_response

RUN1, RUN2 = "01a2-run-one", "01a2-run-two"


def ev(
    seq: int,
    method: str,
    data: Any,
    *,
    ns: list[str] | None = None,
    event_id: str | None = None,
) -> ThreadEvent:
    return decode_event(
        method,
        {
            "type": "event",
            "event_id": event_id or f"1796211747{seq:03d}-0",
            "seq": seq,
            "method": method,
            "params": {"namespace": ns or [], "timestamp": 1796211747000 + seq, "data": data},
        },
    )


def lifecycle(seq: int, run_id: str, what: str, **extra: Any) -> ThreadEvent:
    return ev(seq, "lifecycle", {"event": what, **extra}, event_id=f"synth:{run_id}:lc||{what}")


def a_run(run_id: str, start: int, reply: str) -> list[ThreadEvent]:
    return [
        lifecycle(start, run_id, "running"),
        ev(start + 1, "values", {"messages": []}),
        ev(start + 2, "updates", {"respond": {"reply": reply}}),
        ev(start + 3, "values", {"reply": reply}),
        lifecycle(start + 4, run_id, "completed"),
    ]


# Frames


def test_decode_event_accepts_the_server_envelope() -> None:
    event = ev(3, "custom", {"chunk": 0})
    assert event["seq"] == 3 and event["params"]["namespace"] == []


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"type": "error", "error": "x"},
        {"type": "event", "seq": 1, "method": "values", "params": {}},  # no event_id
        {"type": "event", "event_id": "e", "seq": "1", "method": "values", "params": {}},
        {"type": "event", "event_id": "e", "seq": True, "method": "values", "params": {}},
        {"type": "event", "event_id": "e", "seq": 1, "method": "values", "params": []},
        {"type": "event", "event_id": "e", "seq": 1, "method": "v", "params": {"namespace": "x"}},
    ],
)
def test_decode_event_rejects_what_is_not_an_event(data: Any) -> None:
    with pytest.raises(FrameError):
        decode_event("values", data)


def test_matches_filters_like_a_subscription() -> None:
    inner = ev(1, "custom", {"node": "x"}, ns=["inner:1"])
    deeper = ev(2, "values", {}, ns=["inner:1", "leaf:2"])
    asked = ev(3, "input.requested", {"interrupt_id": "i", "payload": 1})
    named = ev(4, "custom", {"name": "progress", "payload": 5})
    assert matches(inner, ["custom"]) and not matches(inner, ["values"])
    assert matches(inner, ["custom"], [["inner:1"]]) and not matches(inner, ["custom"], [["x"]])
    assert matches(deeper, ["values"], [["inner:1"]], depth=1)
    assert not matches(deeper, ["values"], [["inner:1"]], depth=0)
    assert not matches(deeper, ["values"], depth=1)
    assert matches(asked, ["input"])
    assert matches(named, ["custom:progress"]) and not matches(named, ["custom:other"])


# The cursor


def test_cursor_drops_replayed_events_and_resumes_after_the_last_seq() -> None:
    cursor = EventCursor()
    assert cursor.since is None
    first = a_run(RUN1, 1, "a")
    assert [cursor.accept(e) for e in first[:3]] == [True, True, True]
    assert cursor.since == 3
    # The reconnect asked for since=3, but a server may still resend: ids decide.
    replay = first[2:]
    assert [cursor.accept(e) for e in replay] == [False, True, True]
    assert cursor.since == 5


def test_cursor_replays_everything_after_a_named_custom_event() -> None:
    # Named custom events are live-only on the server: the replay's seqs shift, so `since`
    # could skip events never delivered. From the start, with the ids deciding, loses none.
    cursor = EventCursor()
    cursor.accept(ev(1, "custom", {"chunk": 0}))
    assert cursor.since == 1
    cursor.accept(ev(2, "custom", {"name": "progress", "payload": 1}))  # the server's shape
    cursor.accept(ev(3, "values", {}))
    assert cursor.since is None
    assert not cursor.accept(ev(1, "values", {}, event_id="1796211747003-0"))


# Runs


def test_a_started_run_is_followed_from_running_to_completed() -> None:
    log = ThreadLog()
    run = log.expect("start")
    log.started(run, RUN1)
    for event in a_run(RUN1, 1, "a"):
        log.feed(event)
    assert run.status == "completed" and run.values == {"reply": "a"}
    assert [e["seq"] for e in run.events] == [1, 2, 3, 4, 5]


def test_history_of_earlier_runs_is_skipped() -> None:
    # A connection replays the whole thread: run 1 (someone else's, or an earlier session's)
    # must not leak into the run this session starts.
    log = ThreadLog()
    run = log.expect("start")
    for event in a_run(RUN1, 1, "old"):
        log.feed(event)
    log.started(run, RUN2)
    assert run.status == "pending" and run.events == []
    for event in a_run(RUN2, 6, "new"):
        log.feed(event)
    assert run.values == {"reply": "new"} and len(run.events) == 5


def test_a_run_seen_before_its_start_reply_is_claimed_with_its_events() -> None:
    # The run's events can race ahead of the `run.start` reply: none may be lost.
    log = ThreadLog()
    run = log.expect("start")
    events = a_run(RUN1, 1, "fast")
    for event in events[:3]:
        log.feed(event)
    log.started(run, RUN1)
    for event in events[3:]:
        log.feed(event)
    assert [e["seq"] for e in run.events] == [1, 2, 3, 4, 5] and run.status == "completed"


def test_two_runs_and_an_interrupt_answered() -> None:
    log = ThreadLog()
    first = log.expect("start")
    log.started(first, RUN1)
    log.feed(lifecycle(1, RUN1, "running"))
    log.feed(ev(2, "input.requested", {"interrupt_id": "i1", "payload": {"q": "ok?"}}))
    log.feed(lifecycle(3, RUN1, "interrupted"))
    log.feed(ev(4, "values", {"late": True}))  # the server sends values after `interrupted`
    assert first.status == "interrupted"
    assert first.interrupts == [{"interrupt_id": "i1", "value": {"q": "ok?"}, "namespace": []}]
    assert first.values is None
    resumed = log.expect("resume")
    for event in a_run("01a2-resume", 5, "done"):
        log.feed(event)
    assert log.current is resumed and resumed.status == "completed"
    assert resumed.values == {"reply": "done"} and first.status == "interrupted"


def test_a_resume_waits_for_the_interrupted_run_to_end() -> None:
    log = ThreadLog()
    first = log.expect("start")
    log.started(first, RUN1)
    log.feed(lifecycle(1, RUN1, "running"))
    resumed = log.expect("resume")  # sent before this session read the interrupt
    log.feed(lifecycle(2, RUN1, "interrupted"))
    log.feed(lifecycle(3, "01a2-resume", "running"))
    log.feed(lifecycle(4, "01a2-resume", "completed"))
    assert first.status == "interrupted" and resumed.status == "completed"


def test_a_failed_run_keeps_the_error() -> None:
    log = ThreadLog()
    run = log.expect("start")
    log.started(run, RUN1)
    log.feed(lifecycle(1, RUN1, "running"))
    log.feed(lifecycle(2, RUN1, "failed", error="boom"))
    assert run.status == "failed" and run.error == "boom"


def test_a_cancelled_command_leaves_no_run() -> None:
    log = ThreadLog()
    run = log.expect("start")
    log.cancel(run)
    assert log.current is None


def test_subgraphs_are_discovered_from_their_lifecycle() -> None:
    run = RunLog("start", RUN1)
    ns = ["inner:2107"]
    run.add(lifecycle(1, RUN1, "running"))
    run.add(ev(2, "lifecycle", {"event": "started", "graph_name": "inner"}, ns=ns))
    run.add(ev(3, "lifecycle", {"event": "completed", "graph_name": "inner"}, ns=ns))
    [sub] = run.subgraphs
    assert (sub.namespace, sub.graph_name, sub.status, sub.done) == (ns, "inner", "completed", True)


# Messages and tool calls


def test_a_message_streams_its_text_and_ends_complete() -> None:
    state = MessageState({"event": "message-start", "role": "ai", "id": "m1"}, [])
    state.feed(
        {"event": "content-block-start", "index": 0, "content": {"type": "text", "text": ""}}
    )
    for text in ("echo:", " ", "hi"):
        delta = {"type": "text-delta", "text": text}
        state.feed({"event": "content-block-delta", "index": 0, "delta": delta})
    assert state.text == "echo: hi" and not state.done
    block = {"type": "tool_call", "id": "c1", "name": "shout", "args": {"text": "hi"}}
    state.feed(
        {
            "event": "content-block-finish",
            "index": 0,
            "content": {"type": "text", "text": "echo: hi"},
        }
    )
    state.feed({"event": "content-block-finish", "index": 1, "content": block})
    state.feed({"event": "message-finish", "usage": {"input_tokens": 3, "output_tokens": 2}})
    message = state.message()
    assert state.done and state.deltas == ["echo:", " ", "hi"]
    assert message["content"] == "echo: hi" and message["id"] == "m1"
    assert message["tool_calls"] == [{"id": "c1", "name": "shout", "args": {"text": "hi"}}]
    assert message["usage"] == {"input_tokens": 3, "output_tokens": 2}


def test_streamed_tool_call_arguments_are_joined_and_decoded() -> None:
    state = MessageState({"event": "message-start", "role": "ai", "id": "m2"}, [])
    for part in ('{"te', 'xt": "a"}'):
        chunk = {"type": "tool_call_chunk", "id": "c1", "name": "shout", "args": part}
        state.feed({"event": "content-block-delta", "index": 0, "delta": chunk})
    state.feed({"event": "message-finish"})
    assert state.message()["tool_calls"] == [{"id": "c1", "name": "shout", "args": {"text": "a"}}]


def test_tool_messages_and_tool_executions_are_tracked_per_namespace() -> None:
    run = RunLog("start", RUN1)
    run.add(lifecycle(1, RUN1, "running"))
    started = {"event": "tool-started", "tool_call_id": "c1", "tool_name": "shout", "input": {}}
    run.add(ev(2, "tools", started))
    output = {"content": "HI", "type": "tool", "tool_call_id": "c1"}
    run.add(ev(3, "tools", {"event": "tool-finished", "tool_call_id": "c1", "output": output}))
    ns = ["tools:c1"]
    start = {"event": "message-start", "role": "tool", "id": "t1", "tool_call_id": "c1"}
    run.add(ev(4, "messages", start, ns=ns))
    block = {"type": "text", "text": "HI"}
    run.add(
        ev(5, "messages", {"event": "content-block-delta", "index": 0, "content": block}, ns=ns)
    )
    run.add(lifecycle(6, RUN1, "completed"))  # the run's end finishes an open message
    [call] = run.tool_calls
    assert (call.name, call.output, call.done) == ("shout", "HI", True)
    [message] = run.messages
    assert message.done and message.message()["content"] == "HI"
    assert message.message()["tool_call_id"] == "c1"


# The session over a mock transport: errors


def _commands_and_events(command_reply: Any, frames: list[bytes]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/commands"):
            return httpx.Response(200, json=command_reply)
        return sse_response(stream=RecordingStream(frames, hold=True))

    return handler


async def test_a_protocol_error_reply_raises_a_typed_error(mock: MockFactory) -> None:
    reply = {"type": "error", "id": 1, "error": "no_such_interrupt", "message": "Unknown: x"}
    client, requests = mock(_commands_and_events(reply, []))
    async with client.threads.stream("t-1", assistant_id="agent") as thread:
        with pytest.raises(ThreadCommandError) as info:
            await thread.run.start(input={"x": 1})
    assert info.value.error == "no_such_interrupt" and info.value.method == "run.start"
    assert isinstance(info.value, RuntimeError)  # what the official SDK raises there
    assert json.loads(requests[0].content) == {
        "id": 1,
        "method": "run.start",
        "params": {"assistant_id": "agent", "input": {"x": 1}},
    }
    assert requests[0].url.path == "/threads/t-1/commands"


async def test_a_bad_frame_raises_a_typed_error(mock: MockFactory) -> None:
    reply = {"type": "success", "id": 1, "result": {"run_id": RUN1}}
    frames = [sse("values", {"type": "event", "event_id": "e1", "method": "values"}, id="1")]
    client, requests = mock(_commands_and_events(reply, frames))
    async with client.threads.stream("t-1", assistant_id="agent") as thread:
        await thread.run.start(input={})
        with pytest.raises(APIResponseValidationError, match="no integer seq"):
            await thread.output
    body = json.loads(requests[1].content)
    assert "values" in body["channels"] and "lifecycle" in body["channels"]


async def test_a_stream_the_server_keeps_closing_ends_in_an_error(mock: MockFactory) -> None:
    # Bounded: an events connection that ends at once, again and again, is not a hang.
    from langgraph_client import ReconnectPolicy, StreamLostError

    reply = {"type": "success", "id": 1, "result": {"run_id": RUN1}}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/commands"):
            return httpx.Response(200, json=reply)
        return sse_response()

    client, requests = mock(handler)
    fast = ReconnectPolicy(initial_delay=0.001, max_delay=0.002, max_attempts=3)
    async with client.threads.stream("t-1", assistant_id="agent", reconnect=fast) as thread:
        await thread.run.start()
        with pytest.raises(StreamLostError):
            await thread.output
    assert len(requests) == 1 + 4


async def test_the_session_must_be_entered_and_is_closed_after(mock: MockFactory) -> None:
    client, _ = mock(_commands_and_events({}, []))
    thread = client.threads.stream(assistant_id="agent")
    with pytest.raises(RuntimeError, match="async with"):
        await thread.run.start()
    async with thread:
        pass
    with pytest.raises(RuntimeError, match="closed"):
        await thread.run.start()
    with pytest.raises(ValueError, match="unknown channel"):
        thread.subscribe(["nope"])
    with pytest.raises(ValueError, match="transport"):
        client.threads.stream(assistant_id="agent", transport="websocket")  # type: ignore[arg-type]


def test_a_resume_sent_on_attach_waits_for_its_interrupt_in_the_history() -> None:
    # A session that attaches to an interrupted thread and answers by id has seen no run: the
    # replayed history (an older completed run, then the interrupted one) must not be taken
    # for the resumed run.
    log = ThreadLog()
    resumed = log.expect("resume", "i2")
    for event in a_run("01a2-older", 1, "old"):
        log.feed(event)
    log.feed(lifecycle(6, RUN1, "running"))
    log.feed(ev(7, "input.requested", {"interrupt_id": "i2", "payload": 1}))
    log.feed(lifecycle(8, RUN1, "interrupted"))
    assert resumed.status == "pending" and resumed.events == []
    for event in a_run("01a2-resume", 9, "answered"):
        log.feed(event)
    assert resumed.status == "completed" and resumed.values == {"reply": "answered"}


def test_langchain_objects_are_opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without langchain-core the opt-in says what to install; nothing imports it. The dev venv
    # has it (the official SDK, installed as a point of comparison, depends on it), so its
    # absence is simulated: a `None` entry in `sys.modules` makes its import fail.
    import sys

    from langgraph_client._thread_langchain import to_langchain

    state = MessageState({"event": "message-start", "role": "ai", "id": "m"}, [])
    monkeypatch.setitem(sys.modules, "langchain_core", None)  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, "langchain_core.messages", None)  # type: ignore[arg-type]
    with pytest.raises(ImportError, match="pip install langchain-core"):
        to_langchain(state.message())


def test_thread_events_deliver_the_good_frames_before_a_bad_one() -> None:
    from langgraph_client._sse import ServerSentEvent
    from langgraph_client._thread_protocol import ThreadEvents

    built: list[int | None] = []

    def build(since: int | None) -> httpx.Request:
        built.append(since)
        return httpx.Request("POST", "http://testserver/threads/t/stream/events")

    events = ThreadEvents("t", build)
    good = json.dumps(a_run(RUN1, 1, "a")[0]).encode()
    frames = [
        ServerSentEvent("lifecycle", good, "1", None),
        ServerSentEvent("lifecycle", good, "1", None),  # a replay: dropped
        ServerSentEvent("values", b"{not json", "2", None),
        ServerSentEvent("values", good, "3", None),
    ]
    parts = events.convert(frames)
    assert [p.id for p in parts] == ["1"] and parts[0].data["seq"] == 1
    assert isinstance(events.failure, APIResponseValidationError)
    assert events.last_event_id == "1"
    events.resume_request()
    assert built == [1]


def test_a_long_session_keeps_the_events_of_its_last_two_runs_only() -> None:
    log = ThreadLog()
    runs = []
    for n in range(4):
        run = log.expect("start")
        log.started(run, f"run-{n}")
        for event in a_run(f"run-{n}", 1 + 5 * n, str(n)):
            log.feed(event)
        runs.append(run)
    assert [len(r.events) for r in runs] == [0, 0, 5, 5]
    assert [r.values for r in runs] == [{"reply": str(n)} for n in range(4)]  # outcomes stay
    assert all(r.status == "completed" for r in runs)


def test_after_a_named_event_a_replay_under_other_ids_is_recognised_by_content() -> None:
    # As observed on langgraph-api 0.16.7: live, one step's events are `X`, `X.1` (the named
    # channel's), `X.2`; the replay leaves the named one out and numbers the rest anew, so a
    # plain event can come back under the id a named one had, or under a new one.
    cursor = EventCursor()
    live = [
        ev(1, "custom", {"chunk": 0}, event_id="581-0"),
        ev(2, "custom", {"name": "progress", "payload": {"done": 1}}, event_id="581-0.1"),
        ev(3, "custom", {"progress": 1}, event_id="581-0.2"),
        ev(4, "custom", {"chunk": 1}, event_id="631-0"),
        ev(5, "custom", {"name": "progress", "payload": {"done": 2}}, event_id="631-0.1"),
    ]
    assert all(cursor.accept(e) for e in live)
    assert cursor.since is None  # replay everything from now on
    cursor.connected()
    replay = [
        ev(1, "custom", {"chunk": 0}, event_id="581-0"),  # same id: delivered
        ev(2, "custom", {"progress": 1}, event_id="581-0.1"),  # a named one's id: delivered
        ev(3, "custom", {"chunk": 1}, event_id="631-0"),  # delivered
        ev(4, "custom", {"progress": 2}, event_id="631-0.1"),  # never delivered: new
        ev(5, "custom", {"chunk": 2}, event_id="681-0"),
        ev(6, "custom", {"progress": 3}, event_id="682-0"),
    ]
    assert [cursor.accept(e) for e in replay] == [False, False, False, True, True, True]


def test_identical_events_are_counted_not_merged() -> None:
    cursor = EventCursor()
    cursor.accept(ev(1, "custom", {"name": "p", "payload": 0}, event_id="a"))
    assert cursor.accept(ev(2, "custom", {"tick": True}, event_id="b"))
    assert cursor.accept(ev(3, "custom", {"tick": True}, event_id="c"))  # the same content twice
    cursor.connected()
    replay = [
        ev(1, "custom", {"tick": True}, event_id="b"),  # delivered (same id)
        ev(2, "custom", {"tick": True}, event_id="c2"),  # delivered (other id, counted)
        ev(3, "custom", {"tick": True}, event_id="d"),  # a third one: new
    ]
    assert [cursor.accept(e) for e in replay] == [False, False, True]
