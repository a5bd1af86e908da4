"""The scale-out job's graph: numbered custom events over ~10 s, deterministic, no network.

Served by ``langhost`` from ``tests/scaleout/langgraph.json`` (the Postgres runtime's own
langgraph, not the client's venv). ``ticker`` runs its node ``tick`` ``steps`` times (default 10);
each step emits ``per_step`` custom events (default 5), ``delay`` seconds apart (default 0.2):

    {"seq": n, "step": s, "i": i, "pid": <worker pid>}

``seq`` numbers the events of a complete run 0..steps*per_step-1; ``pid`` says which worker
process ran the step, so a test knows whom to kill. Each step is checkpointed, and the state keeps
one ``{"step": s, "pid": pid}`` entry per finished step: after a worker crash the interrupted step
runs again on the other worker (attempt 2) and re-emits its events under new event ids, but the
final ``done`` list still holds each step exactly once.
"""

from __future__ import annotations

import asyncio
import operator
import os
from typing import Annotated, Any, Literal

from langgraph.config import get_stream_writer
from langgraph.graph import END, START, StateGraph
from typing_extensions import TypedDict


class TickerState(TypedDict, total=False):
    steps: int
    per_step: int
    delay: float
    step: int
    done: Annotated[list[dict[str, int]], operator.add]


async def tick(state: TickerState) -> dict[str, Any]:
    write = get_stream_writer()
    step = state.get("step", 0)
    per_step = int(state.get("per_step", 5))
    delay = float(state.get("delay", 0.2))
    pid = os.getpid()
    for i in range(per_step):
        write({"seq": step * per_step + i, "step": step, "i": i, "pid": pid})
        await asyncio.sleep(delay)
    return {"step": step + 1, "done": [{"step": step, "pid": pid}]}


def _next(state: TickerState) -> Literal["tick", "__end__"]:
    return "tick" if state.get("step", 0) < int(state.get("steps", 10)) else END


_builder = StateGraph(TickerState)
_builder.add_node("tick", tick)
_builder.add_edge(START, "tick")
_builder.add_conditional_edges("tick", _next)
ticker = _builder.compile()
ticker.name = "ticker"
