"""URL paths: ids percent-encoded into templates, and run ids read back from Content-Location."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

if TYPE_CHECKING:
    from .types import RunCreateMetadata

__all__ = ["parse_run_location", "path"]


def path(template: str, *ids: Any) -> str:
    """Fill each `{}` of `template` with an id, percent-encoded so it stays one path segment.

    `path("/threads/{}/runs", "../x")` is `/threads/..%2Fx/runs`: an id can never climb out of
    its segment or address a different resource. A missing id is a `ValueError` up front.
    """
    encoded = []
    for value in ids:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError(f"a non-empty id is required for {template!r}, got {value!r}")
        text = str(value)
        # `.` and `..` are not escaped by quote(); as whole segments they would be resolved away.
        encoded.append("%2E" * len(text) if text in (".", "..") else quote(text, safe=""))
    return template.format(*encoded)


def parse_run_location(location: str | None) -> RunCreateMetadata | None:
    """`{"run_id", "thread_id"}` from a `Content-Location` such as `/threads/T/runs/R/stream`.

    Accepts absolute URLs and mount prefixes; ignores suffixes after the run id (`/stream`,
    `/join`) and any query. `None` if the header is absent or names no run.
    """
    if not location:
        return None
    segments = [unquote(s) for s in urlsplit(location).path.split("/")]
    for i in range(len(segments) - 2, -1, -1):
        if segments[i] == "runs" and segments[i + 1] and segments[i + 1] not in ("stream", "wait"):
            run_id = segments[i + 1]
            thread_id = None
            if i >= 2 and segments[i - 2] == "threads" and segments[i - 1]:
                thread_id = segments[i - 1]
            return {"run_id": run_id, "thread_id": thread_id}
    return None
