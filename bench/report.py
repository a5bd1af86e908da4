"""Ratios, PASS/FAIL checks and the printed tables. Pure functions of the results.

Every ratio is a cost ratio, A's cost / B's cost for the same work (time; memory for RSS rows):
below 1 means A is cheaper. The targets (``TARGETS``) read directly off it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.run import Plan

PAIRS = (
    ("client/sdk", "langgraph_client", "langgraph_sdk"),
    ("client/raw", "langgraph_client", "raw"),
    ("client/floor", "langgraph_client", "floor"),
    ("client/asyncio", "langgraph_client", "asyncio"),
    ("aiohttp/client", "client_aiohttp", "langgraph_client"),
    ("aiohttp/asyncio", "client_aiohttp", "asyncio"),
    ("floor/asyncio", "floor", "asyncio"),
    ("sync/sdk_sync", "client_sync", "sdk_sync"),
)
SHORT = {
    "langgraph_client": "client",
    "client_aiohttp": "aiohttp",
    "langgraph_sdk": "sdk",
    "raw": "raw",
    "floor": "floor",
    "asyncio": "asyncio",
    "client_sync": "sync",
    "sdk_sync": "sdk_sync",
}
# Rows that say the same as another row in ratio terms, or where a ratio means nothing.
NO_RATIO = {
    "wait_us_per_call",
    "stream_small_mb_per_s",
    "stream_large_mb_per_s",
    "rss_growth_mb",
    "concurrent_streams_errors",
    "concurrent_waits_errors",
}
MEMORY_SLACK_MB = 8.0
# "Not slower" allows a tie: on a shared 2-CPU machine the same figure moves by 10 % or more
# between runs (docs/performance.md), so a ratio of 1.00-1.05 says "the same", not "slower".
TIE = 1.05
CONSTRUCT_LIMIT_MS = 1.0
# (figure, label, A, B, limit): A's cost / B's cost must be at most `limit` (issue 12's targets).
TARGETS = (
    ("import_ms", "import", "langgraph_client", "floor", 1.2),
    ("stream_small_events_per_s", "SSE, small events", "langgraph_client", "floor", 1.10),
    (
        "stream_small_events_per_s",
        "SSE, small events",
        "langgraph_client",
        "langgraph_sdk",
        1 / 1.7,
    ),
    ("stream_large_events_per_s", "SSE, large events", "langgraph_client", "floor", 1.3),
    ("concurrent_waits_s", "concurrent waits", "client_aiohttp", "langgraph_client", 0.5),
    ("concurrent_waits_s", "concurrent waits", "client_aiohttp", "asyncio", 4.0),
    ("concurrent_streams_s", "concurrent streams", "client_aiohttp", "langgraph_client", 0.5),
    ("concurrent_streams_s", "concurrent streams", "client_aiohttp", "asyncio", 4.0),
)
# The default transport is never slower than the incumbent on any of these (nor the sync
# client than the incumbent's sync client, where it has the figure).
SPEED_FIGURES = {
    "import_ms": "import time",
    "construct_ms": "a further client",
    "wait_calls_per_s": "sequential runs.wait",
    "stream_small_events_per_s": "SSE, many small events",
    "stream_large_events_per_s": "SSE, large events",
    "concurrent_streams_s": "concurrent streams",
    "concurrent_waits_s": "concurrent waits",
}


def cost_ratio(figure: dict[str, Any], a: str, b: str) -> float | None:
    """a's cost / b's cost on one figure, or None when either is missing."""
    va, vb = figure["values"].get(a), figure["values"].get(b)
    if va is None or vb is None or va <= 0 or vb <= 0:
        return None
    return float(vb / va if figure["better"] == "higher" else va / vb)


def ratios(figures: dict[str, dict[str, Any]]) -> dict[str, dict[str, float | None]]:
    return {
        key: {label: cost_ratio(fig, a, b) for label, a, b in PAIRS}
        for key, fig in figures.items()
        if key not in NO_RATIO
    }


def _check(
    kind: str, contender: str, name: str, passed: bool | None, detail: str
) -> dict[str, Any]:
    return {"kind": kind, "contender": contender, "name": name, "passed": passed, "detail": detail}


def _correctness(name: str, runs: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    problems: list[str] = []
    errors: dict[str, int] = {}
    for key, results in runs.items():
        for result in results:
            if result.get("status") != "ok":
                problems.append(f"{key}: {result.get('status')}: {result.get('error')}")
            elif key == "wait" and result["ok"] != result["calls"]:
                problems.append(f"wait: {result['ok']}/{result['calls']} results right")
            elif key.startswith("stream") and not result["ok"]:
                problems.append(f"{key}: {result['events']}/{result['expected']} events")
            elif key.startswith("concurrent"):
                failed = sum(result["errors"].values())
                for error, count in result["errors"].items():
                    errors[error] = errors.get(error, 0) + count
                if result["complete"] != result["tasks"] - failed:
                    problems.append(f"{key}: wrong results in tasks that did not raise")
    checks = [
        _check(
            "correctness",
            name,
            "every result and event delivered",
            not problems,
            "; ".join(problems[:3]) or "ok",
        )
    ]
    if any(key.startswith("concurrent") for key in runs):
        detail = ", ".join(f"{n} x{c}" for n, c in sorted(errors.items())) or "none"
        checks.append(
            _check(
                "robustness",
                name,
                "zero errors under concurrency (default pool)",
                not errors,
                detail,
            )
        )
    return checks


def checks(
    plan: Plan,
    info: dict[str, dict[str, Any]],
    figures: dict[str, dict[str, Any]],
    runs: dict[str, dict[str, list[dict[str, Any]]]],
) -> list[dict[str, Any]]:
    """Correctness and memory are judged in every run; speed targets only in full runs (at
    the quick run's sizes, a few milliseconds of noise decide the ratio)."""
    out: list[dict[str, Any]] = []
    for name, contender_runs in runs.items():
        if info[name]["available"]:
            out.extend(_correctness(name, contender_runs))
    growth = figures.get("rss_growth_mb", {}).get("values", {})
    base = figures.get("rss_peak_small_mb", {}).get("values", {})
    for name, value in growth.items():
        if value is not None:
            limit = max(MEMORY_SLACK_MB, 0.1 * base[name])
            out.append(
                _check(
                    "memory",
                    name,
                    f"RSS flat from {plan.small_n:,} to {plan.memory_n:,} events",
                    value <= limit,
                    f"{value:+.1f} MB (limit {limit:.1f} MB)",
                )
            )

    def verdict(passed: bool | None) -> bool | None:
        return passed if plan.judge_speed else None

    def text(detail: str) -> str:
        return detail if plan.judge_speed else detail + " (quick run: not judged)"

    for key, label, a, b, limit in TARGETS:
        if key in figures and info.get(a, {}).get("available"):
            r = cost_ratio(figures[key], a, b)
            goal = f"at most {limit:.2f}x the cost of {b}"
            out.append(
                _check(
                    "target",
                    a,
                    f"{label}: {goal}",
                    None if r is None else verdict(r <= limit),
                    text(_ratio_text(r, b)),
                )
            )
    construct = figures.get("construct_ms", {}).get("values", {}).get("langgraph_client")
    if construct is not None:
        out.append(
            _check(
                "target",
                "langgraph_client",
                f"a further get_client() under {CONSTRUCT_LIMIT_MS:g} ms",
                verdict(construct < CONSTRUCT_LIMIT_MS),
                text(f"{construct:.3f} ms"),
            )
        )
    for mine, theirs in (("langgraph_client", "langgraph_sdk"), ("client_sync", "sdk_sync")):
        if not info.get(mine, {}).get("available"):
            continue
        for key, label in SPEED_FIGURES.items():
            if key in figures and figures[key]["values"].get(mine) is not None:
                r = cost_ratio(figures[key], mine, theirs)
                out.append(
                    _check(
                        "target",
                        mine,
                        f"{label}: not slower than {theirs} (ties within {TIE - 1:.0%})",
                        None if r is None else verdict(r <= TIE),
                        text(_ratio_text(r, theirs)),
                    )
                )
    return out


def _ratio_text(r: float | None, other: str) -> str:
    return "n/a" if r is None else f"cost {r:.2f}x of {other}"


def _fmt(value: float | None) -> str:
    if value is None:
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for j, row in enumerate([header, *rows]):
        cells = [
            row[0].ljust(widths[0]),
            *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)),
        ]
        lines.append("  ".join(cells))
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _errored(results: dict[str, Any], contender: str, key: str) -> bool:
    runs = results["runs"].get(contender, {}).get(key.rsplit("_", 1)[0], [])
    return any(sum(r.get("errors", {}).values()) for r in runs if r.get("status") == "ok")


def render(results: dict[str, Any]) -> str:
    names = list(results["contenders"])
    figures: dict[str, dict[str, Any]] = results["figures"]
    out = []
    meta = results["meta"]
    out.append(
        f"langgraph_client benchmark  ({'quick' if meta.get('quick') else 'full'} run, "
        f"Python {meta['python']}, {meta['cpus']} CPUs, server {meta['server']}, "
        f"{meta['duration_s']:.0f} s)"
    )
    if meta.get("other_load_cores") is not None:
        out.append(
            f"  other work kept {meta['other_load_cores']:.2f} of {meta['cpus']} CPUs busy during "
            "the run; figures are the best timed round (medians in the JSON), import the median"
        )
    for name, info in results["contenders"].items():
        out.append(
            f"  {name:17} "
            + (info["version"] if info["available"] else f"UNAVAILABLE: {info['error']}")
        )
    rows = []
    for key, fig in figures.items():
        cells = []
        for name in names:
            cell = _fmt(fig["values"].get(name))
            timed = key in ("concurrent_streams_s", "concurrent_waits_s")
            if timed and _errored(results, name, key):
                cell += "*"
            cells.append(cell)
        rows.append([fig["label"], fig["unit"], *cells])
    out += ["", _table(["figure", "unit", *names], rows)]
    if any(r[i].endswith("*") for r in rows for i in range(2, len(r))):
        out.append("  * some tasks raised (see the errors row); the time is not comparable")
    ratio_rows = [
        [
            figures[key]["label"] + f" [{figures[key]['unit']}]",
            *(_fmt(results["ratios"][key][label]) for label, _, _ in PAIRS),
        ]
        for key in results["ratios"]
    ]
    legend = "Cost ratios, A/B = A's time (or memory) / B's for the same work; < 1: A is cheaper"
    out += ["", legend, _table(["figure", *(label for label, _, _ in PAIRS)], ratio_rows), ""]
    mark = {True: "PASS", False: "FAIL", None: "SKIP"}
    for check in results["checks"]:
        out.append(
            f"  {mark[check['passed']]}  {check['contender']:17} {check['name']}: {check['detail']}"
        )
    return "\n".join(out)
