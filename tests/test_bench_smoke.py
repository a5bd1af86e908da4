"""The benchmark at tiny sizes, so it cannot rot. Checks structure and correctness, never speed."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench import report
from bench.payload import stream_chunks, stream_length
from bench.worker import Floor

ROOT = Path(__file__).resolve().parent.parent
# langgraph_sdk lives only in the bench venv
ALWAYS = ("langgraph_client", "client_aiohttp", "raw", "floor", "asyncio", "client_sync")
SYNC = ("client_sync", "sdk_sync")  # sequential work only
FIGURES = (
    "import_ms",
    "construct_ms",
    "wait_calls_per_s",
    "stream_small_events_per_s",
    "stream_small_mb_per_s",
    "stream_large_events_per_s",
    "rss_peak_small_mb",
    "rss_peak_memory_mb",
    "rss_growth_mb",
    "concurrent_streams_s",
    "concurrent_streams_errors",
    "concurrent_waits_s",
    "concurrent_waits_errors",
)


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    out = tmp_path_factory.mktemp("bench") / "quick.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text()), done.stdout


def test_quick_run_has_every_figure_for_every_available_contender(
    quick: tuple[dict[str, Any], str],
) -> None:
    results, _ = quick
    assert set(results) >= {"schema", "meta", "contenders", "figures", "ratios", "runs", "checks"}
    contenders = results["contenders"]
    assert set(contenders) == {*ALWAYS, "langgraph_sdk", "sdk_sync"}
    for name in ALWAYS:
        assert contenders[name]["available"], contenders[name]["error"]
    available = [name for name, info in contenders.items() if info["available"]]
    for key in FIGURES:
        values = results["figures"][key]["values"]
        for name in available:
            if name in SYNC and key.startswith("concurrent"):
                assert values[name] is None, (key, name, values)
                continue
            assert isinstance(values[name], float), (key, name, values)
    for key, pairs in results["ratios"].items():
        assert key in results["figures"]
        for pair in ("client/floor", "client/asyncio", "aiohttp/client", "aiohttp/asyncio"):
            assert pairs[pair] is not None and pairs[pair] > 0, (key, pair)


def test_quick_run_delivers_every_result_and_event(quick: tuple[dict[str, Any], str]) -> None:
    results, _ = quick
    plan = results["meta"]["plan"]
    for name, info in results["contenders"].items():
        if not info["available"]:
            continue
        runs = results["runs"][name]
        concurrent = set() if name in SYNC else {"concurrent_streams", "concurrent_waits"}
        assert set(runs) == {
            "construct",
            "wait",
            "stream_small",
            "stream_large",
            "stream_memory",
            *concurrent,
        }
        for key, measured in runs.items():
            for run in measured:
                assert run["status"] == "ok", (name, key, run)
        per_run = plan["wait_calls"] * plan["wait_rounds"]
        assert [(r["ok"], r["calls"]) for r in runs["wait"]] == [(per_run, per_run)] * plan[
            "repeats"
        ]
        for key, n in (
            ("stream_small", plan["small_n"]),
            ("stream_large", plan["large_n"]),
            ("stream_memory", plan["memory_n"]),
        ):
            assert all(r["events"] == n + 1 and r["ok"] for r in runs[key]), (name, key)
        for run in runs.get("concurrent_streams", []):
            assert run["errors"] == {}, (name, run)
            assert run["complete"] == plan["concurrent_streams"]
            assert run["events"] == plan["concurrent_streams"] * (plan["concurrent_events"] + 1)
        for run in runs.get("concurrent_waits", []):
            assert run["errors"] == {}, (name, run)
            assert run["complete"] == plan["concurrent_waits"]
        assert len(runs["construct"][0]["times"]) == plan["construct_calls"]
    correctness = [c for c in results["checks"] if c["kind"] == "correctness"]
    assert correctness and all(c["passed"] for c in correctness), correctness


def test_quick_run_judges_no_speed_target(quick: tuple[dict[str, Any], str]) -> None:
    # At the quick sizes, noise decides ratios: a FAIL there would be a false alarm.
    results, stdout = quick
    targets = [c for c in results["checks"] if c["kind"] == "target"]
    assert targets and all(c["passed"] is None for c in targets)
    assert "FAIL" not in stdout


def test_quick_run_prints_the_tables(quick: tuple[dict[str, Any], str]) -> None:
    _, stdout = quick
    assert "Cost ratios" in stdout
    for name in (*ALWAYS, "langgraph_sdk", "client/floor", "aiohttp/asyncio", "sync/sdk_sync"):
        assert name in stdout


def test_payload_length_matches_the_chunks() -> None:
    for n, size in ((0, 10), (1, 64), (1000, 64), (3, 50 * 1024)):
        assert sum(map(len, stream_chunks(n, size))) == stream_length(n, size)


def test_cost_ratio_is_a_to_b_cost_whichever_way_the_figure_goes() -> None:
    rate = {"better": "higher", "values": {"a": 100.0, "b": 200.0}}
    time = {"better": "lower", "values": {"a": 2.0, "b": 1.0, "c": None}}
    assert report.cost_ratio(rate, "a", "b") == 2.0
    assert report.cost_ratio(time, "a", "b") == 2.0
    assert report.cost_ratio(time, "a", "c") is None


async def test_floor_decodes_a_stream_split_at_any_byte() -> None:
    body = b"".join(stream_chunks(5, 30))

    for piece in (1, 2, 3, 7, 64):

        async def chunks(piece: int = piece) -> AsyncIterator[bytes]:
            for i in range(0, len(body), piece):
                yield body[i : i + piece]

        def handler(request: httpx.Request, piece: int = piece) -> httpx.Response:
            return httpx.Response(200, content=chunks(piece))

        floor = Floor("http://bench")
        await floor.client.aclose()
        floor.client = httpx.AsyncClient(
            base_url="http://bench", transport=httpx.MockTransport(handler)
        )
        parts = [part async for part in floor.stream({"n": 5})]
        await floor.aclose()
        assert [p[0] for p in parts] == ["metadata"] + ["custom"] * 5, piece
        assert parts[-1][1] == {"i": 0, "pad": "x" * 14}


def test_layers_times_every_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from bench import layers
    from bench.server import BenchServer

    monkeypatch.setattr(layers, "N", 5)
    with BenchServer() as server:
        best = asyncio.run(layers.measure(server.url, no_gc=True, rounds=1))
    assert len(best) == 5
    assert all(0 < seconds < 30 for seconds in best.values()), best
