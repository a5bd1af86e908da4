"""Run the whole benchmark: ``python -m bench.run [--quick] [--json PATH]`` (or ``scripts/bench``).

Starts the canned server in its own process, then measures each contender in a fresh worker
process per measurement, interleaving contenders (in a rotating order) so drift on a noisy machine
hits all of them alike. Each runtime figure is the best of ``repeats x rounds`` timed rounds (noise
from other work on the machine only ever adds time, so the best round is the closest to the
intrinsic cost); medians are kept in the JSON. Import time is the median of fresh interpreters.
The report compares figures as ratios measured in this one run. Nothing here asserts on speed:
targets are PASS/FAIL lines in the report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from bench import report
from bench.payload import stream_length
from bench.server import BenchServer
from bench.worker import RESULT_PREFIX

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_JSON = ROOT / "bench" / "results" / "latest.json"
CONTENDERS = (
    "langgraph_client",
    "client_aiohttp",
    "langgraph_sdk",
    "raw",
    "floor",
    "asyncio",
    "client_sync",
    "sdk_sync",
)
SYNC = ("client_sync", "sdk_sync")  # blocking clients: no concurrency measurements
IMPORTS = {
    "langgraph_client": "from langgraph_client import get_client",
    "client_aiohttp": "from langgraph_client import get_client, DefaultAioHttpClient",
    "langgraph_sdk": "from langgraph_sdk import get_client",
    "raw": "import httpx, orjson, httpx_sse",
    "floor": "import httpx, orjson",
    "asyncio": "import asyncio, orjson",
    "client_sync": "from langgraph_client import get_sync_client",
    "sdk_sync": "from langgraph_sdk import get_sync_client",
}
# Installed in the bench venv by the dev extras, optional to httpx, absent for real users.
OPTIONAL_TOOLS = ("click", "pygments", "rich")
FIGURE_GROUPS = ("import", "construct", "wait", "stream", "memory", "concurrency")


@dataclass(frozen=True)
class Plan:
    """Sizes of every measurement."""

    repeats: int = 3
    import_runs: int = 20
    construct_calls: int = 20
    wait_calls: int = 500
    wait_rounds: int = 4
    wait_warmup: int = 50
    small_n: int = 100_000
    small_size: int = 64
    large_n: int = 1000
    large_size: int = 50 * 1024
    stream_rounds: int = 5
    memory_n: int = 1_000_000
    concurrent_streams: int = 300
    concurrent_events: int = 20
    concurrent_waits: int = 1000
    timeout: float = 600.0
    judge_speed: bool = True
    """Whether the report judges speed targets (not at the quick run's noisy sizes)."""


FULL = Plan()
QUICK = Plan(
    repeats=1,
    import_runs=2,
    construct_calls=3,
    wait_calls=20,
    wait_rounds=1,
    wait_warmup=2,
    small_n=2000,
    large_n=20,
    stream_rounds=1,
    memory_n=20_000,
    concurrent_streams=50,
    concurrent_events=5,
    concurrent_waits=50,
    timeout=60.0,
    judge_speed=False,
)


class Runner:
    """Spawns the worker processes; pins workers and server to different CPUs when it can."""

    def __init__(self, python: str, url: str, timeout: float, worker_cpus: str) -> None:
        self.python = python
        self.url = url
        self.timeout = timeout
        self.env = _child_env(worker_cpus)

    def measure(self, contender: str, task: str, **params: Any) -> dict[str, Any]:
        spec = {
            "contender": contender,
            "task": task,
            "url": self.url,
            "params": params,
            "timeout": self.timeout,
        }
        try:
            done = subprocess.run(
                [self.python, "-m", "bench.worker", json.dumps(spec)],
                capture_output=True,
                text=True,
                cwd=ROOT,
                env=self.env,
                timeout=self.timeout + 30,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return {"status": "error", "error": f"worker timed out after {self.timeout + 30:.0f}s"}
        for line in reversed(done.stdout.splitlines()):
            if line.startswith(RESULT_PREFIX):
                result: dict[str, Any] = json.loads(line[len(RESULT_PREFIX) :])
                if result["status"] == "error":
                    result["stderr"] = done.stderr[-2000:]
                return result
        return {
            "status": "error",
            "error": f"worker exited {done.returncode} without a result",
            "stderr": done.stderr[-2000:],
        }

    def import_seconds(self, statement: str) -> float | str:
        """Seconds one import statement takes in a fresh interpreter, or the error text."""
        # The bench venv has dev tools that httpx imports when present (its CLI pulls click and
        # pygments); a user's install of either client has none of them. Hide them, for all.
        hide = "import sys; sys.modules.update(dict.fromkeys(OPTIONAL_TOOLS))"
        code = (
            f"{hide}; import time; t = time.perf_counter(); {statement}; "
            "print(time.perf_counter() - t)"
        ).replace("OPTIONAL_TOOLS", repr(OPTIONAL_TOOLS))
        done = subprocess.run(
            [self.python, "-c", code],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=self.env,
            timeout=60,
            check=False,
        )
        if done.returncode != 0:
            return (done.stderr.strip().splitlines() or ["failed"])[-1]
        return float(done.stdout.strip().splitlines()[-1])


def _child_env(cpus: str) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = dict(os.environ, PYTHONPATH=path)
    # Let the warm-up round write .pyc files, so import time is not compile time.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if cpus:
        env["BENCH_CPUS"] = cpus
    return env


def _split_cpus() -> tuple[str, str]:
    """(worker CPUs, server CPU): the server gets the last CPU to itself if there are two+."""
    try:
        cpus = sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return "", ""
    if len(cpus) < 2:
        return "", ""
    return ",".join(map(str, cpus[:-1])), str(cpus[-1])


def _cpu_seconds() -> tuple[float, float] | None:
    """(CPU seconds every process on the machine used, those this process and its reaped
    children used), to tell how busy other work kept the machine during the run."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    busy = sum(fields) - fields[3] - fields[4]  # everything but idle and iowait
    ours = sum(
        getattr(resource.getrusage(who), field)
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        for field in ("ru_utime", "ru_stime")
    )
    return busy / os.sysconf("SC_CLK_TCK"), ours


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def probe(runner: Runner, contenders: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Which contenders import, and their versions."""
    versions = {
        "langgraph_client": "import langgraph_client as m; print(getattr(m, '__version__', '?'))",
        "langgraph_sdk": "import importlib.metadata as m; print(m.version('langgraph-sdk'))",
        "raw": "import httpx, httpx_sse, orjson, importlib.metadata as m;"
        " print('httpx', httpx.__version__, 'httpx-sse', m.version('httpx-sse'),"
        " 'orjson', orjson.__version__)",
        "floor": "import httpx, orjson; print('httpx', httpx.__version__,"
        " 'orjson', orjson.__version__)",
        "client_aiohttp": "import langgraph_client as m, aiohttp;"
        " print(m.__version__, 'aiohttp', aiohttp.__version__)",
        "asyncio": "import orjson, sys; print('python', sys.version.split()[0],"
        " 'orjson', orjson.__version__)",
        "client_sync": "import langgraph_client as m; print(m.__version__)",
        "sdk_sync": "import importlib.metadata as m; print(m.version('langgraph-sdk'))",
    }
    info: dict[str, dict[str, Any]] = {}
    for name in contenders:
        check = IMPORTS[name] + "; " + versions[name]
        done = subprocess.run(
            [runner.python, "-c", check],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=runner.env,
            timeout=60,
            check=False,
        )
        ok = done.returncode == 0
        info[name] = {
            "available": ok,
            "version": done.stdout.strip() if ok else None,
            "error": None if ok else (done.stderr.strip().splitlines() or ["?"])[-1],
        }
        state = info[name]["version"] if ok else f"unavailable ({info[name]['error']})"
        _log(f"  {name}: {state}")
    return info


def _rotated(items: Sequence[str], by: int) -> list[str]:
    if not items:
        return []
    k = by % len(items)
    return [*items[k:], *items[:k]]


def measure_imports(runner: Runner, names: Sequence[str], runs: int) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {name: [] for name in names}
    for i in range(runs + 1):  # the first round warms the OS cache and writes the .pyc files
        for name in _rotated(names, i):
            seconds = runner.import_seconds(IMPORTS[name])
            if isinstance(seconds, str):
                raise RuntimeError(f"import of {name} failed: {seconds}")
            if i:
                samples[name].append(seconds)
    return samples


def measurements(plan: Plan, groups: Sequence[str]) -> list[tuple[str, str, dict[str, Any]]]:
    """(key, worker task, params) for each repeated measurement."""
    items: list[tuple[str, str, dict[str, Any]]] = []
    if "construct" in groups:
        items.append(("construct", "construct", {"calls": plan.construct_calls}))
    if "wait" in groups:
        wait = {"calls": plan.wait_calls, "warmup": plan.wait_warmup, "rounds": plan.wait_rounds}
        items.append(("wait", "wait", wait))
    if "stream" in groups or "memory" in groups:
        small = {
            "n": plan.small_n,
            "size": plan.small_size,
            "warmup": 100,
            "rounds": plan.stream_rounds,
        }
        items.append(("stream_small", "stream", small))
    if "stream" in groups:
        large = {
            "n": plan.large_n,
            "size": plan.large_size,
            "warmup": 5,
            "rounds": plan.stream_rounds,
        }
        items.append(("stream_large", "stream", large))
    if "concurrency" in groups:
        streams = {
            "streams": plan.concurrent_streams,
            "n": plan.concurrent_events,
            "size": plan.small_size,
        }
        items.append(("concurrent_streams", "concurrent_streams", streams))
        items.append(("concurrent_waits", "concurrent_waits", {"calls": plan.concurrent_waits}))
    return items


def run(
    plan: Plan, contenders: Sequence[str], groups: Sequence[str], python: str, pin: bool
) -> dict[str, Any]:
    started = time.time()
    cpu_start = _cpu_seconds()
    worker_cpus, server_cpu = _split_cpus() if pin else ("", "")
    server_env = _child_env(server_cpu)
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {name: {} for name in contenders}
    with BenchServer(python=python, env=server_env) as server:
        runner = Runner(python, server.url, plan.timeout, worker_cpus)
        _log(f"bench: server {server.url} ({server.flavour}); contenders:")
        info = probe(runner, contenders)
        live = [name for name in contenders if info[name]["available"]]
        import_samples: dict[str, list[float]] = {}
        if "import" in groups:
            _log(f"bench: import time, {plan.import_runs} fresh interpreters each")
            import_samples = measure_imports(runner, live, plan.import_runs)
        for r in range(plan.repeats):
            for key, task, params in measurements(plan, groups):
                _log(f"bench: [{r + 1}/{plan.repeats}] {key}")
                for name in _rotated(live, r):
                    if name in SYNC and task.startswith("concurrent"):
                        continue
                    result = runner.measure(name, task, **params)
                    runs[name].setdefault(key, []).append(result)
                    if result["status"] != "ok":
                        _log(f"  {name}: {result['status']}: {result.get('error')}")
        if "memory" in groups:
            _log(f"bench: memory, one stream of {plan.memory_n:,} events")
            for name in live:
                params = {"n": plan.memory_n, "size": plan.small_size, "warmup": 100}
                runs[name]["stream_memory"] = [runner.measure(name, "stream", **params)]
        server_flavour = server.flavour
    figures = build_figures(plan, live, runs, import_samples)
    cpu_end = _cpu_seconds()
    other_load = None
    if cpu_start and cpu_end:
        others = (cpu_end[0] - cpu_start[0]) - (cpu_end[1] - cpu_start[1])
        other_load = round(max(0.0, others) / (time.time() - started), 2)
    return {
        "schema": 1,
        "meta": {
            "started": dt.datetime.fromtimestamp(started, dt.timezone.utc).isoformat(),
            "duration_s": round(time.time() - started, 2),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "pinned": {"workers": worker_cpus, "server": server_cpu} if worker_cpus else None,
            "server": server_flavour,
            "other_load_cores": other_load,
            "groups": list(groups),
            "plan": asdict(plan),
        },
        "contenders": info,
        "figures": figures,
        "ratios": report.ratios(figures),
        "runs": runs,
        "checks": report.checks(plan, info, figures, runs),
    }


Runs = dict[str, list[dict[str, Any]]]
"""One contender's worker results, by measurement key."""
Samples = Callable[[str, Runs], list[float]]
"""(contender, its results) -> the samples a figure is made from."""


def _ok_runs(runs: Runs, key: str) -> list[dict[str, Any]]:
    return [r for r in runs.get(key, []) if r.get("status") == "ok"]


def _times(key: str, work: Callable[[dict[str, Any]], float] | None = None) -> Samples:
    """Every timed round of one measurement: seconds, or ``work(result)`` per second."""

    def samples(_: str, runs: Runs) -> list[float]:
        return [
            t if work is None else work(result) / t
            for result in _ok_runs(runs, key)
            for t in result["times"]
        ]

    return samples


def _each(key: str, value: Callable[[dict[str, Any]], float]) -> Samples:
    """One sample per worker result of one measurement."""
    return lambda _, runs: [value(result) for result in _ok_runs(runs, key)]


def _constant(value: float, _: object) -> float:
    return value


def _pick(samples: list[float], better: str, pick: str) -> float | None:
    if not samples:
        return None
    if pick == "sum":
        return sum(samples)
    if pick == "median":
        return statistics.median(samples)
    return max(samples) if better == "higher" else min(samples)


def build_figures(
    plan: Plan,
    live: Sequence[str],
    runs: dict[str, Runs],
    import_samples: dict[str, list[float]],
) -> dict[str, dict[str, Any]]:
    """Turn worker results into figures: one value per contender (``pick``: the best round,
    the median or the sum of the samples), and the median of the samples for reference."""
    figures: dict[str, dict[str, Any]] = {}

    def add(key: str, label: str, unit: str, better: str, samples: Samples, pick: str) -> None:
        got = {name: samples(name, runs[name]) if name in live else [] for name in runs}
        if any(got.values()):
            figures[key] = {
                "label": label,
                "unit": unit,
                "better": better,
                "pick": pick,
                "values": {name: _pick(s, better, pick) for name, s in got.items()},
                "medians": {name: _pick(s, better, "median") for name, s in got.items()},
            }

    def peak_mb(key: str) -> Samples:
        return _each(key, lambda x: x["rss_peak_kb"] / 1024)

    def growth(name: str, r: Runs) -> list[float]:
        big, base = peak_mb("stream_memory")(name, r), peak_mb("stream_small")(name, r)
        return [statistics.median(big) - statistics.median(base)] if big and base else []

    def errors(key: str) -> Samples:
        return _each(key, lambda x: float(sum(x["errors"].values())))

    add(
        "import_ms",
        "import (fresh interpreter)",
        "ms",
        "lower",
        lambda name, _: [1000 * s for s in import_samples.get(name, [])],
        "median",
    )
    add(
        "construct_ms",
        "a further client built in a running loop",
        "ms",
        "lower",
        lambda _, r: [1000 * t for x in _ok_runs(r, "construct") for t in x["times"]],
        "median",
    )
    wait = f"runs.wait, sequential ({plan.wait_calls} per round)"
    add(
        "wait_calls_per_s",
        wait,
        "calls/s",
        "higher",
        _times("wait", lambda x: x["per_round"]),
        "best",
    )
    add(
        "wait_us_per_call",
        wait,
        "us/call",
        "lower",
        lambda _, r: [1e6 * t / x["per_round"] for x in _ok_runs(r, "wait") for t in x["times"]],
        "best",
    )
    for key, n, size in (
        ("stream_small", plan.small_n, plan.small_size),
        ("stream_large", plan.large_n, plan.large_size),
    ):
        label = f"SSE, one stream of {n:,} x " + (
            f"{size} B" if size < 1024 else f"{size >> 10} KB"
        )
        nbytes = stream_length(n, size)
        add(
            f"{key}_events_per_s",
            label,
            "events/s",
            "higher",
            _times(key, lambda x: x["events"]),
            "best",
        )
        add(
            f"{key}_mb_per_s",
            label,
            "MB/s",
            "higher",
            _times(key, functools.partial(_constant, nbytes / 1e6)),
            "best",
        )
    add(
        "rss_peak_small_mb",
        f"peak RSS, stream of {plan.small_n:,}",
        "MB",
        "lower",
        peak_mb("stream_small"),
        "median",
    )
    add(
        "rss_peak_memory_mb",
        f"peak RSS, stream of {plan.memory_n:,}",
        "MB",
        "lower",
        peak_mb("stream_memory"),
        "median",
    )
    add(
        "rss_growth_mb",
        f"RSS growth, {plan.small_n:,} -> {plan.memory_n:,} events",
        "MB",
        "lower",
        growth,
        "median",
    )
    add(
        "stream_memory_events_per_s",
        f"SSE, one stream of {plan.memory_n:,} (one round)",
        "events/s",
        "higher",
        _times("stream_memory", lambda x: x["events"]),
        "best",
    )
    streams = f"{plan.concurrent_streams:,} concurrent streams of {plan.concurrent_events}"
    add("concurrent_streams_s", streams, "s", "lower", _times("concurrent_streams"), "best")
    add(
        "concurrent_streams_errors", streams, "errors", "lower", errors("concurrent_streams"), "sum"
    )
    waits = f"{plan.concurrent_waits:,} concurrent runs.wait"
    add("concurrent_waits_s", waits, "s", "lower", _times("concurrent_waits"), "best")
    add("concurrent_waits_errors", waits, "errors", "lower", errors("concurrent_waits"), "sum")
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write results")
    parser.add_argument(
        "--contenders",
        default=",".join(CONTENDERS),
        help="comma-separated subset of: " + ", ".join(CONTENDERS),
    )
    parser.add_argument(
        "--only",
        default=",".join(FIGURE_GROUPS),
        help="comma-separated subset of: " + ", ".join(FIGURE_GROUPS),
    )
    parser.add_argument("--repeats", type=int, help="repeats of each runtime measurement")
    parser.add_argument("--import-runs", type=int, help="fresh interpreters per import figure")
    parser.add_argument(
        "--no-pin",
        action="store_true",
        help="do not pin the server and the workers to separate CPUs",
    )
    parser.add_argument("--python", default=sys.executable, help="interpreter for the workers")
    args = parser.parse_args(argv)

    plan = QUICK if args.quick else FULL
    if args.repeats is not None:
        plan = replace(plan, repeats=max(1, args.repeats))
    if args.import_runs is not None:
        plan = replace(plan, import_runs=max(1, args.import_runs))
    contenders = [c for c in CONTENDERS if c in args.contenders.split(",")]
    groups = [g for g in FIGURE_GROUPS if g in args.only.split(",")]
    if not contenders or not groups:
        parser.error("nothing to run: check --contenders and --only")

    results = run(plan, contenders, groups, args.python, pin=not args.no_pin)
    results["meta"]["quick"] = args.quick
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(report.render(results))
    print(f"\nJSON: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
