"""The pure stream bookkeeping: `ResumeTracker` (ids, resume point, replays to skip),
`ReconnectBudget`, and `RunEvents` (parts, the run, failures, the resume request)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from langgraph_client import APIResponseValidationError, RunFailedError, StreamPart, _retry
from langgraph_client._resume import ReconnectBudget, ReconnectPolicy, ResumeTracker
from langgraph_client._run_events import RunEvents
from langgraph_client._sse import ServerSentEvent

from .conftest import MockFactory, RecordingStream, sse, sse_response


def deliver(tracker: ResumeTracker, *ids: str) -> list[bool]:
    accepted = [tracker.accept(i) for i in ids]
    tracker.delivered += sum(accepted)
    return accepted


# ResumeTracker


def test_fresh_tracker_resumes_from_the_start_or_not_at_all() -> None:
    assert ResumeTracker().can_resume
    assert ResumeTracker().resume_after() == "0"  # nothing delivered: from the start
    assert (
        ResumeTracker(replays_all=False).resume_after() is None
    )  # no "from the start" there: live
    tracker = ResumeTracker()
    tracker.delivered = 1  # a part without an id: a replay would repeat it
    assert not tracker.can_resume


def test_distinct_ids_resume_from_the_one_before_the_last() -> None:
    tracker = ResumeTracker()
    deliver(tracker, "1-0", "2-0", "3-0")
    assert tracker.last_id == "3-0"
    assert tracker.resume_after() == "2-0"
    # The replay after 2-0 repeats 3-0 once: dropped, then new ids pass.
    assert deliver(tracker, "3-0", "4-0") == [False, True]
    assert tracker.last_id == "4-0"


def test_shared_ids_skip_exactly_the_events_already_delivered() -> None:
    tracker = ResumeTracker()
    deliver(tracker, "1-0", "2-0", "2-0")
    assert tracker.resume_after() == "1-0"
    # The server replays both 2-0 events and a third one it had not sent yet.
    assert deliver(tracker, "2-0", "2-0", "2-0", "3-0") == [False, False, True, True]


def test_first_id_group_resumes_from_minus_one_where_the_endpoint_allows() -> None:
    tracker = ResumeTracker()
    deliver(tracker, "1-0")
    assert tracker.resume_after() == "0"
    assert deliver(tracker, "1-0", "2-0") == [False, True]


def test_first_id_group_without_minus_one_resumes_from_the_id_itself() -> None:
    tracker = ResumeTracker(replays_all=False)
    deliver(tracker, "1-0")
    assert tracker.resume_after() == "1-0"
    assert deliver(tracker, "2-0") == [True]  # nothing to skip: the replay starts after 1-0


def test_initial_id_counts_as_delivered() -> None:
    tracker = ResumeTracker("5-0")
    assert tracker.initial_last_id == "5-0" and tracker.last_id == "5-0"
    assert tracker.resume_after() == "5-0"
    deliver(tracker, "6-0")
    assert tracker.resume_after() == "5-0"
    assert tracker.initial_last_id == "5-0"


def test_a_new_id_ends_the_skipping() -> None:
    tracker = ResumeTracker()
    deliver(tracker, "1-0", "2-0", "2-0")
    tracker.resume_after()
    # The replay turned out shorter (the server trimmed its buffer): nothing is lost.
    assert deliver(tracker, "3-0", "3-0") == [True, True]


def test_two_resumes_in_a_row() -> None:
    tracker = ResumeTracker()
    deliver(tracker, "1-0", "2-0")
    assert tracker.resume_after() == "1-0"
    # Broke again before the replay reached anything new.
    assert tracker.resume_after() == "1-0"
    assert deliver(tracker, "2-0", "3-0") == [False, True]


# A live join (no Last-Event-ID): issue 8, bug 1


def test_live_join_resumes_live_until_its_first_event() -> None:
    tracker = ResumeTracker(live=True)
    assert tracker.resume_after() is None  # "0" would replay the run's past
    assert tracker.resume_after() is None


def test_live_join_after_one_id_replays_but_drops_the_past() -> None:
    tracker = ResumeTracker(live=True)
    deliver(tracker, "5-0")
    assert tracker.resume_after() == "0"
    # The replay: the run's past (dropped), the event already delivered (dropped), new ones.
    assert deliver(tracker, "1-0", "3-0", "5-0", "6-0") == [False, False, False, True]


def test_live_join_after_two_ids_resumes_from_the_first() -> None:
    tracker = ResumeTracker(live=True)
    deliver(tracker, "5-0", "6-0")
    assert tracker.resume_after() == "5-0"
    assert deliver(tracker, "6-0", "7-0") == [False, True]


def test_a_join_after_an_id_is_not_live() -> None:
    tracker = ResumeTracker("4-0", live=True)
    assert not tracker.live and tracker.resume_after() == "4-0"


@pytest.mark.parametrize(
    ("ids", "accepted"),
    [
        # Redis stream ids: the sequence is a number ("-10" after "-9").
        (["1-9", "1-10", "1-2"], [True, True, False]),
        # The in-memory server's `<ms>-0`: the same order as text.
        (["1795265433389-0", "1795265433391-0", "1795265433390-0"], [True, True, False]),
    ],
)
def test_an_event_older_than_the_last_delivered_is_a_replay(
    ids: list[str], accepted: list[bool]
) -> None:
    assert deliver(ResumeTracker(), *ids) == accepted


# ReconnectBudget (the policy itself: test_reconnect_policy.py)


def test_budget_runs_out_and_progress_renews_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_retry.random, "random", lambda: 0.0)
    budget = ReconnectBudget(ReconnectPolicy(max_attempts=2), lambda: 0.0)
    assert [budget.next_delay(), budget.next_delay(), budget.next_delay()] == [0.5, 1.0, None]
    assert budget.attempts == 2 and budget.reconnects == 2
    budget.progress()
    assert budget.next_delay() == 0.5
    assert budget.reconnects == 3  # over the stream's life


def test_zero_budget_never_reconnects() -> None:
    assert ReconnectPolicy(max_wait=0).start().next_delay() is None
    assert ReconnectPolicy(max_attempts=0).start().next_delay() is None


# RunEvents


def event(name: str, data: bytes | None, event_id: str | None = None) -> ServerSentEvent:
    return ServerSentEvent(name, data, event_id, None)


def response(headers: dict[str, str]) -> httpx.Response:
    return httpx.Response(200, headers=headers, request=httpx.Request("GET", "http://t/x"))


SSE = {"content-type": "text/event-stream"}


def test_run_from_content_location_reported_once() -> None:
    created: list[Any] = []
    events = RunEvents(on_run_created=created.append)
    events.opened(response({**SSE, "content-location": "/threads/T/runs/R"}))
    events.convert([event("metadata", b'{"run_id": "R"}', "1-0")])
    assert created == [{"run_id": "R", "thread_id": "T"}]
    assert (events.run_id, events.thread_id) == ("R", "T")


def test_run_from_metadata_with_the_thread_hint() -> None:
    created: list[Any] = []
    events = RunEvents(on_run_created=created.append, thread_id="T")
    events.opened(response(SSE))
    parts = events.convert([event("metadata", b'{"run_id": "R"}'), event("values", b"1")])
    assert parts == [StreamPart("metadata", {"run_id": "R"}), StreamPart("values", 1)]
    assert created == [{"run_id": "R", "thread_id": "T"}]
    assert events.ids.delivered == 2


def test_not_an_event_stream_is_a_validation_error() -> None:
    with pytest.raises(APIResponseValidationError, match="expected an event stream"):
        RunEvents().opened(response({"content-type": "application/json"}))


def test_error_event_stops_the_chunk_and_becomes_the_failure() -> None:
    events = RunEvents(raise_error=True, run={"run_id": "R", "thread_id": "T"})
    parts = events.convert(
        [
            event("values", b"1"),
            event("error", b'{"error": "ValueError", "message": "boom"}'),
            event("values", b"2"),
        ]
    )
    assert parts == [StreamPart("values", 1)]
    assert isinstance(events.failure, RunFailedError)
    assert events.failure.run_id == "R"


def test_error_event_is_a_part_without_raise_error() -> None:
    events = RunEvents()
    assert events.convert([event("error", b'"boom"')]) == [StreamPart("error", "boom")]
    assert events.failure is None


def test_data_that_is_not_json_is_a_validation_error() -> None:
    events = RunEvents()
    with pytest.raises(APIResponseValidationError, match="not JSON"):
        events.convert([event("values", b"{nope")])


def test_resume_request_after_the_previous_distinct_id() -> None:
    asked: list[tuple[Any, str | None]] = []
    request = httpx.Request("GET", "http://t/join")

    def resume(run: Any, after: str | None) -> httpx.Request:
        asked.append((run, after))
        return request

    events = RunEvents(resume=resume, run={"run_id": "R", "thread_id": "T"})
    events.convert([event("values", b"1", "1-0"), event("values", b"2", "2-0")])
    assert events.resume_request() is request
    assert asked == [({"run_id": "R", "thread_id": "T"}, "1-0")]
    # The replay repeats 2-0: dropped.
    assert events.convert([event("values", b"2", "2-0"), event("values", b"3", "3-0")]) == [
        StreamPart("values", 3, "3-0")
    ]


def test_no_resume_without_a_resumer_or_after_parts_without_ids() -> None:
    assert RunEvents().resume_request() is None
    events = RunEvents(resume=lambda run, after: httpx.Request("GET", "http://t/"))
    events.convert([event("values", b"1")])
    assert events.resume_request() is None


# The stream shell with another policy plugged in


class GiveUpAfterOne:
    """A policy of our own: one immediate attempt per break."""

    def __init__(self) -> None:
        self.attempts = 0
        self.reconnects = 0
        self.progressed = 0
        self.waited = 0.0

    def progress(self) -> None:
        self.progressed += 1
        self.attempts = 0

    def next_delay(self) -> float | None:
        if self.attempts >= 1:
            return None
        self.attempts += 1
        self.reconnects += 1
        return 0.0


async def test_the_stream_shell_asks_the_policy_it_is_given(mock: MockFactory) -> None:
    from langgraph_client import RunStream, StreamLostError

    def handler(request: httpx.Request) -> httpx.Response:
        body = RecordingStream([sse("values", 1, id="1-0")], error=httpx.ReadError("reset"))
        return sse_response(stream=body)

    client, requests = mock(handler)
    policy = GiveUpAfterOne()
    events = RunEvents(
        resume=lambda run, after: client._http.build_request(
            "GET", "/threads/T/runs/R/stream", stream=True
        ),
        run={"run_id": "R", "thread_id": "T"},
    )
    request = client._http.build_request("GET", "/threads/T/stream", stream=True)
    stream = RunStream(client._http, request, events, budget=policy)
    got: list[StreamPart] = []
    with pytest.raises(StreamLostError):
        async with stream:
            async for part in stream:
                got.append(part)
    # first connection, one reconnect that delivered nothing new (1-0 is a replay), then gave up
    assert [r.url.path for r in requests] == ["/threads/T/stream", "/threads/T/runs/R/stream"]
    assert got == [StreamPart("values", 1, "1-0")]
    assert policy.progressed == 1 and stream.reconnects == 1
