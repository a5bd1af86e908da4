"""An app built on langgraph_client, small enough to read, with its tests beside it.

- `make_app`: a Starlette route that relays an agent's reply to the browser token by token.
- `approve_and_resume`: a bot that runs a graph and, when the graph stops at an interrupt, asks
  a person (`decide`) and resumes the run with the answer.
- `submit_with_retry`: a batch job's own retry handling for a busy or overloaded server.

examples/test_relay_app.py tests all three without a network, against
`langgraph_client.testing.FakeAgentServer` (see docs/testing.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from langgraph_client import Client, InternalServerError, RateLimitError
from langgraph_client.types import Run

MAX_QUESTIONS = 5


async def relay_tokens(client: Client, thread_id: str, text: str) -> AsyncIterator[str]:
    """The text of the assistant's reply, token by token, as the graph produces it."""
    stream = client.runs.stream(
        thread_id,
        "chat",
        input={"messages": [{"role": "user", "content": text}]},
        stream_mode="messages-tuple",
        raise_error=True,  # a failed run ends the relay with RunFailedError, never a hang
    )
    async with stream:  # the browser going away closes the run's stream too
        async for part in stream:
            if part.event == "messages":
                chunk, _metadata = part.data
                if chunk.get("content"):
                    yield chunk["content"]


def make_app(client: Client) -> Starlette:
    """`POST /chat {"text": ..., "thread_id"?: ...}` streams the reply as plain text."""

    async def chat(request: Request) -> Response:
        body = await request.json()
        thread_id = body.get("thread_id") or (await client.threads.create())["thread_id"]
        return StreamingResponse(
            relay_tokens(client, thread_id, body["text"]),
            media_type="text/plain",
            headers={"x-thread-id": thread_id},
        )

    return Starlette(routes=[Route("/chat", chat, methods=["POST"])])


async def approve_and_resume(
    client: Client, thread_id: str, text: str, decide: Callable[[Any], str]
) -> dict[str, Any]:
    """Run `agent` on the thread; while it stops at an interrupt, resume it with `decide(value)`."""
    result = await client.runs.wait(
        thread_id, "agent", input={"messages": [{"role": "user", "content": text}]}
    )
    for _ in range(MAX_QUESTIONS):
        if not isinstance(result, dict) or "__interrupt__" not in result:
            break
        answer = decide(result["__interrupt__"][0]["value"])
        result = await client.runs.wait(thread_id, "agent", command={"resume": answer})
    else:
        raise RuntimeError(f"still interrupted after {MAX_QUESTIONS} answers")
    assert isinstance(result, dict)
    return result


async def submit_with_retry(
    client: Client,
    text: str,
    *,
    attempts: int = 3,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Run:
    """Start a background run; on 429 or 5xx wait as the server asks (`Retry-After`) and try
    again. The client itself never retries a run-creating request after the server answered
    (that could start the run twice), so this choice belongs to the app."""
    for attempt in range(1, attempts + 1):
        try:
            return await client.runs.create(
                None, "agent", input={"messages": [{"role": "user", "content": text}]}
            )
        except (RateLimitError, InternalServerError) as exc:
            if attempt == attempts:
                raise
            await sleep(float(exc.response.headers.get("retry-after", "1")))
    raise AssertionError("unreachable")
