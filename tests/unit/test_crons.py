"""`client.crons`: the exact request each method sends, and what comes back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from langgraph_client import APIStatusError

from .conftest import HOSTILE_IDS, MockFactory, answer, body, flaky, raw_path, sent

pytestmark = pytest.mark.both_clients

CRON: dict[str, Any] = {
    "cron_id": "c1",
    "assistant_id": "a1",
    "thread_id": None,
    "end_time": None,
    "schedule": "0 9 * * *",
    "created_at": "2025-01-01T00:00:00+00:00",
    "updated_at": "2025-01-01T00:00:00+00:00",
    "payload": {},
    "user_id": None,
    "next_run_date": None,
    "metadata": {},
}


async def test_create_minimal(mock: MockFactory) -> None:
    client, calls = mock(answer(CRON))
    assert await client.crons.create("a1", schedule="0 9 * * *") == CRON
    assert [sent(r) for r in calls] == [
        ("POST", "/runs/crons", {}, {"assistant_id": "a1", "schedule": "0 9 * * *"})
    ]


async def test_create_with_run_options_and_cron_fields(mock: MockFactory) -> None:
    client, calls = mock(answer(CRON))
    await client.crons.create(
        "agent",
        schedule="*/5 * * * *",
        end_time=datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        enabled=False,
        timezone=ZoneInfo("Europe/Paris"),
        on_run_completed="keep",
        input={"messages": []},
        metadata={"m": 1},
        config={"tags": ["t"]},
        context={"c": 1},
        interrupt_before="*",
        webhook="https://example.com/hook",
        multitask_strategy="enqueue",
        stream_mode=["values", "updates"],
        durability="sync",
    )
    assert body(calls[0]) == {
        "assistant_id": "agent",
        "schedule": "*/5 * * * *",
        "end_time": "2030-01-02T03:04:05+00:00",
        "enabled": False,
        "timezone": "Europe/Paris",
        "on_run_completed": "keep",
        "input": {"messages": []},
        "metadata": {"m": 1},
        "config": {"tags": ["t"]},
        "context": {"c": 1},
        "interrupt_before": "*",
        "webhook": "https://example.com/hook",
        "multitask_strategy": "enqueue",
        "stream_mode": ["values", "updates"],
        "durability": "sync",
    }


async def test_create_is_not_retried(mock: MockFactory, no_retry_delay: None) -> None:
    client, calls = mock(flaky(CRON), max_retries=2)
    with pytest.raises(APIStatusError):
        await client.crons.create("a1", schedule="0 9 * * *")
    assert len(calls) == 1


async def test_create_for_thread(mock: MockFactory) -> None:
    client, calls = mock(answer({**CRON, "thread_id": "t1"}))
    cron = await client.crons.create_for_thread(
        "t1", "a1", schedule="0 9 * * *", timezone="UTC", end_time="2030-01-01T00:00:00Z"
    )
    assert cron["thread_id"] == "t1"
    assert [sent(r) for r in calls] == [
        (
            "POST",
            "/threads/t1/runs/crons",
            {},
            {
                "assistant_id": "a1",
                "schedule": "0 9 * * *",
                "timezone": "UTC",
                "end_time": "2030-01-01T00:00:00Z",
            },
        )
    ]


@pytest.mark.parametrize(("thread_id", "encoded"), HOSTILE_IDS)
async def test_create_for_thread_hostile_id(
    mock: MockFactory, thread_id: str, encoded: str
) -> None:
    client, calls = mock(answer(CRON))
    await client.crons.create_for_thread(thread_id, "a1", schedule="* * * * *")
    assert raw_path(calls[0]) == f"/threads/{encoded}/runs/crons"


async def test_create_checks_its_arguments_before_sending(mock: MockFactory) -> None:
    client, calls = mock(answer(CRON))
    with pytest.raises(ValueError, match="schedule"):
        await client.crons.create("a1", schedule="")
    with pytest.raises(ValueError, match="assistant_id"):
        await client.crons.create("", schedule="* * * * *")
    with pytest.raises(TypeError, match="unexpected"):
        await client.crons.create("a1", schedule="* * * * *", bogus=1)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="IANA"):
        await client.crons.create("a1", schedule="* * * * *", timezone=timezone(timedelta(hours=2)))
    assert calls == []


async def test_utc_timezone_object_is_named(mock: MockFactory) -> None:
    client, calls = mock(answer(CRON))
    await client.crons.create("a1", schedule="* * * * *", timezone=timezone.utc)
    assert body(calls[0])["timezone"] == "UTC"


async def test_update(mock: MockFactory) -> None:
    client, calls = mock(answer(CRON))
    assert await client.crons.update("c1", schedule="0 10 * * *", enabled=False) == CRON
    assert [sent(r) for r in calls] == [
        ("PATCH", "/runs/crons/c1", {}, {"schedule": "0 10 * * *", "enabled": False})
    ]


async def test_update_end_time_none_clears_it(mock: MockFactory) -> None:
    client, calls = mock(answer(CRON))
    await client.crons.update("c1", end_time=None)
    await client.crons.update("c1", end_time=datetime(2030, 1, 1, tzinfo=timezone.utc))
    assert [body(r) for r in calls] == [
        {"end_time": None},
        {"end_time": "2030-01-01T00:00:00+00:00"},
    ]


async def test_update_with_nothing_is_refused(mock: MockFactory) -> None:
    client, calls = mock(answer(CRON))
    with pytest.raises(ValueError, match="nothing to update"):
        await client.crons.update("c1")
    assert calls == []


async def test_update_is_retried(mock: MockFactory, no_retry_delay: None) -> None:
    client, calls = mock(flaky(CRON), max_retries=2)
    await client.crons.update("c1", enabled=True)
    assert len(calls) == 2


async def test_delete(mock: MockFactory) -> None:
    client, calls = mock(answer(None))
    await client.crons.delete("c1")
    assert [sent(r) for r in calls] == [("DELETE", "/runs/crons/c1", {}, None)]


@pytest.mark.parametrize(("cron_id", "encoded"), HOSTILE_IDS)
async def test_delete_keeps_a_hostile_id_in_one_segment(
    mock: MockFactory, cron_id: str, encoded: str
) -> None:
    client, calls = mock(answer(None))
    await client.crons.delete(cron_id)
    await client.crons.update(cron_id, enabled=True)
    assert [(r.method, raw_path(r)) for r in calls] == [
        ("DELETE", f"/runs/crons/{encoded}"),
        ("PATCH", f"/runs/crons/{encoded}"),
    ]


@pytest.mark.parametrize("bad", [None, "", " "])
async def test_missing_ids_fail_before_any_request(mock: MockFactory, bad: Any) -> None:
    client, calls = mock(answer(CRON))
    attempts: list[Callable[[], Any]] = [
        lambda: client.crons.delete(bad),
        lambda: client.crons.update(bad, enabled=True),
        lambda: client.crons.create_for_thread(bad, "a1", schedule="* * * * *"),
    ]
    for attempt in attempts:
        with pytest.raises(ValueError, match="id"):
            await attempt()
    assert calls == []


async def test_search(mock: MockFactory) -> None:
    client, calls = mock(answer([CRON]))
    assert await client.crons.search() == [CRON]
    await client.crons.search(
        assistant_id="a1",
        thread_id="t1",
        enabled=True,
        metadata={"m": 1},
        limit=5,
        offset=5,
        sort_by="next_run_date",
        sort_order="asc",
        select=["cron_id", "schedule"],
    )
    assert [sent(r) for r in calls] == [
        ("POST", "/runs/crons/search", {}, {"limit": 10, "offset": 0}),
        (
            "POST",
            "/runs/crons/search",
            {},
            {
                "assistant_id": "a1",
                "thread_id": "t1",
                "enabled": True,
                "metadata": {"m": 1},
                "limit": 5,
                "offset": 5,
                "sort_by": "next_run_date",
                "sort_order": "asc",
                "select": ["cron_id", "schedule"],
            },
        ),
    ]


async def test_search_is_retried(mock: MockFactory, no_retry_delay: None) -> None:
    client, calls = mock(flaky([CRON]), max_retries=2)
    assert await client.crons.search() == [CRON]
    assert len(calls) == 2


async def test_count(mock: MockFactory) -> None:
    client, calls = mock(answer(4))
    assert await client.crons.count(assistant_id="a1") == 4
    assert await client.crons.count() == 4
    assert [sent(r) for r in calls] == [
        ("POST", "/runs/crons/count", {}, {"assistant_id": "a1"}),
        ("POST", "/runs/crons/count", {}, {}),
    ]
