"""Run the Python examples of the docs as tests: every fenced ``python`` block in README.md and
docs/*.md, against a real Agent Server serving ``examples/``.

The convention, for anyone writing docs:

- The blocks of one page run in order in one namespace, like the cells of a notebook; a block
  may use top-level ``await`` / ``async with`` / ``async for`` (it runs as an IPython cell would),
  or be a whole script that calls ``asyncio.run()``.
- Write ``http://127.0.0.1:2024`` (or ``http://localhost:2024``) for the server's URL: the harness
  puts the test server's URL there. These names are given before the first block:
  ``url`` (that URL), ``client`` (an open async ``Client``), ``thread_id`` (a thread with one
  finished run of ``agent``) and ``run_id`` (that run).
- A block that cannot run says so, with the reason, in an HTML comment on the line before its
  fence (blank lines between are allowed)::

      <!-- docs-test: skip needs a real API key -->
      ```python
      ...
      ```

  A skip without a reason is an error. Only ``python`` / ``py`` / ``python3`` fences run; ``bash``,
  ``text``, ``pycon`` and the rest are left alone.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import re
import textwrap
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PYTHON_FENCES = frozenset({"python", "py", "python3"})
DOC_URLS = ("http://127.0.0.1:2024", "http://localhost:2024")
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,}|~{3,})[ \t]*(?P<info>[^`\s]*)")
_MARKER = re.compile(r"^\s*<!--\s*docs-test:\s*(?P<what>\w+)(?P<reason>.*?)-->\s*$")


class DocsError(ValueError):
    """A page breaks the convention (a skip without a reason, an unknown marker, a fence that
    never closes)."""


@dataclass(frozen=True)
class Block:
    """One fenced code block that the harness runs (or skips, with ``skip`` saying why)."""

    path: Path
    line: int
    """Line number (1-based) of the block's first code line in the page."""
    source: str
    skip: str | None


def extract(text: str, path: Path) -> list[Block]:
    """The ``python`` blocks of a Markdown page, with their skip reasons."""
    lines = text.splitlines()
    blocks: list[Block] = []
    marker: tuple[str, int] | None = None  # (skip reason, line) of a pending marker
    i = 0
    while i < len(lines):
        line = lines[i]
        found = _MARKER.match(line)
        if found:
            if found["what"] != "skip":
                raise DocsError(f"{path}:{i + 1}: unknown docs-test marker {found['what']!r}")
            reason = found["reason"].strip()
            if not reason:
                raise DocsError(f"{path}:{i + 1}: docs-test skip needs a reason")
            marker = (reason, i + 1)
            i += 1
            continue
        fence = _FENCE.match(line)
        if not fence:
            if line.strip() and marker is not None:
                raise DocsError(f"{path}:{marker[1]}: a docs-test marker must stand before a fence")
            i += 1
            continue
        ticks, indent = fence["ticks"], fence["indent"]
        end = i + 1
        while end < len(lines) and not re.match(
            rf"^[ \t]*{re.escape(ticks[0])}{{{len(ticks)},}}[ \t]*$", lines[end]
        ):
            end += 1
        if end == len(lines):
            raise DocsError(f"{path}:{i + 1}: code fence never closed")
        if fence["info"].lower() in PYTHON_FENCES:
            body = [
                code[len(indent) :] if code.startswith(indent) else code
                for code in lines[i + 1 : end]
            ]
            source = textwrap.dedent("\n".join(body))
            blocks.append(Block(path, i + 2, source, marker[0] if marker else None))
        elif marker is not None:
            raise DocsError(f"{path}:{marker[1]}: a docs-test marker before a non-python block")
        marker = None
        i = end + 1
    if marker is not None:
        raise DocsError(f"{path}:{marker[1]}: a docs-test marker must stand before a fence")
    return blocks


def with_url(source: str, url: str) -> str:
    for placeholder in DOC_URLS:
        source = source.replace(placeholder, url)
    return source


def run_block(
    block: Block, namespace: dict[str, Any], loop: asyncio.AbstractEventLoop, url: str
) -> None:
    """Run one block as a notebook cell would: top-level ``await`` on ``loop``, the rest plain.

    Its line numbers are the page's, so a traceback points into the Markdown file."""
    source = "\n" * (block.line - 1) + with_url(block.source, url)
    code = compile(
        source, str(block.path), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True
    )
    if code.co_flags & inspect.CO_COROUTINE:
        loop.run_until_complete(eval(code, namespace))
    else:
        exec(code, namespace)


class BlockFailed(AssertionError):
    """A docs block raised: the message names the page and line, with the traceback."""


def run_page(path: Path, url: str) -> int:
    """Run every block of the page (see the module docstring); return how many ran."""
    blocks = extract(path.read_text(), path)
    loop = asyncio.new_event_loop()
    namespace: dict[str, Any] = {"__name__": "__main__"}
    ran = 0
    try:
        loop.run_until_complete(_seed(namespace, url))
        for block in blocks:
            if block.skip is not None:
                continue
            try:
                run_block(block, namespace, loop, url)
            except Exception as exc:
                tb = exc.__traceback__
                while tb is not None and tb.tb_frame.f_code.co_filename != str(path):
                    tb = tb.tb_next  # drop the harness's own frames
                detail = "".join(traceback.format_exception(type(exc), exc, tb))
                raise BlockFailed(f"{path}:{block.line}: the block failed:\n{detail}") from None
            ran += 1
    finally:
        seeded = namespace.get("_docs_client")
        if seeded is not None:
            loop.run_until_complete(seeded.aclose())
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
    return ran


async def _seed(namespace: dict[str, Any], url: str) -> None:
    from langgraph_client import get_client

    client = get_client(url=url, api_key=None)
    thread = await client.threads.create()
    run = await client.runs.create(
        thread["thread_id"], "agent", input={"messages": [{"role": "user", "content": "hi"}]}
    )
    await client.runs.join(thread["thread_id"], run["run_id"])
    namespace.update(
        url=url,
        client=client,
        thread_id=thread["thread_id"],
        run_id=run["run_id"],
        _docs_client=client,
    )
