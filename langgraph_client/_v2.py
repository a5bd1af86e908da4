"""Stream parts in the "v2" shape: `{"type", "ns", "data", "interrupts"}` dicts.

Pure: no I/O. The stream path applies `to_v2` to each decoded event when a stream is opened
with `version="v2"`.

    to_v2("updates|inner:4f1c", {"inner_step": {...}})
    -> {"type": "updates", "ns": ["inner:4f1c"], "data": {"inner_step": {...}}, "interrupts": []}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from .types import StreamPartV2

__all__ = ["to_v2"]


def to_v2(event: str, data: Any) -> StreamPartV2 | None:
    """The v2 part of one event; `None` for `end`, which only marks the end of a stream.

    The namespace is what follows the first `|` of the event name, split on `|`. A `values`
    state's `__interrupt__` list moves to `interrupts` (the state is copied, not changed).
    """
    if event == "end":
        return None
    kind, sep, rest = event.partition("|")
    ns = rest.split("|") if sep else []
    interrupts: Any = []
    if kind == "values" and isinstance(data, dict) and "__interrupt__" in data:
        interrupts = data["__interrupt__"]
        data = {k: v for k, v in data.items() if k != "__interrupt__"}
    # An event type this client does not know yet keeps the same four keys.
    return cast("StreamPartV2", {"type": kind, "ns": ns, "data": data, "interrupts": interrupts})
