"""Profile one contender on one measurement with pyinstrument (installed in the bench venv).

    bench/.venv/bin/python -m bench.profile langgraph_client stream --n 100000 --size 64
    bench/.venv/bin/python -m bench.profile langgraph_sdk wait --calls 2000

Starts the canned server in its own process, runs the measurement in this process under the
profiler, and prints the call tree (``--html PATH`` writes pyinstrument's HTML view instead).
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from bench.server import BenchServer
from bench.worker import (
    CONTENDERS,
    task_concurrent_streams,
    task_concurrent_waits,
    task_stream,
    task_wait,
)


async def _measure(name: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    from pyinstrument import Profiler  # type: ignore[import-not-found,unused-ignore]

    contender = CONTENDERS[name](url)
    try:
        if args.task == "wait":
            await task_wait(contender, calls=10, warmup=0)
        else:
            await task_stream(contender, n=100, size=args.size, warmup=0)
        with Profiler(interval=args.interval, async_mode="enabled") as profiler:
            if args.task == "wait":
                result = await task_wait(contender, calls=args.calls, warmup=0)
            elif args.task == "stream":
                result = await task_stream(contender, n=args.n, size=args.size, warmup=0)
            elif args.task == "concurrent_waits":
                result = await task_concurrent_waits(contender, calls=args.calls)
            else:
                result = await task_concurrent_streams(
                    contender, streams=args.streams, n=args.n, size=args.size
                )
    finally:
        await contender.aclose()
    if args.html:
        args.html.write_text(profiler.output_html())
    else:
        print(profiler.output_text(unicode=True, color=False, show_all=args.all))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("contender", choices=sorted(CONTENDERS))
    parser.add_argument(
        "task", choices=["wait", "stream", "concurrent_streams", "concurrent_waits"]
    )
    parser.add_argument("--calls", type=int, default=2000, help="waits (sequential, or at once)")
    parser.add_argument("--n", type=int, default=100_000, help="events per stream")
    parser.add_argument("--size", type=int, default=64, help="bytes of JSON per event")
    parser.add_argument("--streams", type=int, default=1000, help="concurrent streams")
    parser.add_argument("--interval", type=float, default=0.0005, help="sampling interval, s")
    parser.add_argument("--all", action="store_true", help="show library frames in full")
    parser.add_argument("--html", type=Path, help="write an HTML profile here")
    args = parser.parse_args()
    with BenchServer() as server:
        result = asyncio.run(_measure(args.contender, server.url, args))
    print({k: v for k, v in result.items() if not k.startswith("rss")})


if __name__ == "__main__":
    main()
