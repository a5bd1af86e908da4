"""The verdicts of the scale-out job: what a client delivered, against the server's record.

``read_record`` reads a run's record back from the server; ``check`` and ``delivery`` are pure,
so they are tested on their own (``test_checks.py``, in the normal suite, without the stack).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from tests.scaleout.trial import EVENTS, STEPS, Outcome, Trial


@dataclass
class Record:
    """The server's own record of a run, read after the trial."""

    status: str
    events: list[tuple[str, str | None, Any]]
    """(event, id, data) as stored, replayed from the start."""
    values: Any
    """The thread's values after the run."""


async def read_record(url: str, thread_id: str, run_id: str) -> Record:
    """The run's stored events, read raw (not through the client under test).

    `Last-Event-ID: 0`, not `-1`: on this runtime `-1` is no valid Redis stream id, and the
    worker answers from its own in-memory buffer instead, which after a crash holds only the
    part of the run that it ran itself.
    """
    events: list[tuple[str, str | None, Any]] = []
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        run_path = f"/threads/{thread_id}/runs/{run_id}"
        async with http.stream("GET", f"{run_path}/stream", headers={"last-event-id": "0"}) as r:
            r.raise_for_status()
            event, data, event_id = "", b"", None
            async for line in r.aiter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data = line[5:].strip().encode()
                elif line.startswith("id:"):
                    event_id = line[3:].strip()
                elif not line and event:
                    events.append((event, event_id, orjson.loads(data) if data else None))
                    event, data, event_id = "", b"", None
        status = (await http.get(run_path)).raise_for_status().json()["status"]
        values = (await http.get(f"/threads/{thread_id}/state")).raise_for_status().json()
    return Record(status=status, events=events, values=values["values"])


class ClientGaveUp(AssertionError):
    """The client call raised instead of recovering (a trial that broke, or events lost or
    repeated, are other failures): the reason to mark a scenario xfail, should one ever need it."""


def check(trial: Trial, records: dict[str, Record], name: str) -> None:
    outcome: Outcome = trial.outcomes[name]
    if outcome.error is not None:
        raise ClientGaveUp(f"{name} raised {outcome.error!r}") from outcome.error
    record = records[name]
    assert record.status == "success"

    # The trial is valid only if the kill hit this run: it started on the victim, and the server
    # ran it again from its last checkpoint (attempt 2) on another process.
    attempts = [data["attempt"] for event, _, data in record.events if event == "metadata"]
    assert attempts == [1, 2], f"the kill did not interrupt this run: attempts {attempts}"
    pids = [data["pid"] for event, _, data in record.events if event == "custom"]
    assert pids[0] == trial.victim_pid and pids[-1] != trial.victim_pid
    # The server's record itself: unique ids, every numbered event at least once (the
    # interrupted step's events come again, under new ids).
    ids = [event_id for _, event_id, _ in record.events]
    assert None not in ids and len(set(ids)) == len(ids)
    assert {data["seq"] for event, _, data in record.events if event == "custom"} == set(
        range(EVENTS)
    )

    if outcome.parts:
        delivered = [(part.event, part.id, part.data) for _, part in outcome.parts]
        lost = [e for e in record.events if e not in delivered]
        assert not lost, f"{len(lost)} events lost, first {lost[0]}"
        assert delivered == record.events, "duplicated or reordered events"
    else:
        result: Any = outcome.result
        assert [entry["step"] for entry in result["done"]] == list(range(STEPS))
        assert result == record.values


def delivery(outcome: Outcome, record: Record | None) -> str:
    """What the client got, against the server's record: "exact", or what was lost/repeated."""
    if record is None:
        return "no record"
    if outcome.parts:
        delivered = [(part.event, part.id, part.data) for _, part in outcome.parts]
        lost = sum(1 for e in record.events if e not in delivered)
        repeated = len(delivered) - len({part.id for _, part in outcome.parts})
        return "exact" if delivered == record.events else f"lost {lost}, repeated {repeated}"
    if outcome.error is None and isinstance(outcome.result, dict):
        steps = [entry.get("step") for entry in outcome.result.get("done", [])]
        return "exact" if steps == list(range(STEPS)) else f"steps {steps}"
    return "-"
