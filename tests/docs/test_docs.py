"""Every ``python`` block of README.md and docs/*.md runs against the real server (see
``harness.py`` for the convention), and the harness itself does what it says."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from .harness import Block, BlockFailed, DocsError, extract, run_block, run_page

REPO = Path(__file__).resolve().parent.parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


@pytest.mark.integration
@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(REPO)) for p in PAGES])
def test_page_examples_run(page: Path, examples_server_url: str) -> None:
    blocks = extract(page.read_text(), page)
    try:
        ran = run_page(page, examples_server_url)
    except BlockFailed as exc:
        pytest.fail(str(exc), pytrace=False)
    assert ran == sum(1 for b in blocks if b.skip is None)


# The harness, without a server.

PAGE = """\
# Title

```python
x = 1
```

<!-- docs-test: skip talks to a real LLM -->

```py
raise SystemExit("never run")
```

- a list item:

  ```python
  y = x + 1
  ```

````markdown
```python
not python: inside another fence
```
````

```bash
echo not python
```
"""


def test_extract_finds_blocks_lines_and_skips() -> None:
    blocks = extract(PAGE, Path("page.md"))
    assert [(b.line, b.source.strip(), b.skip) for b in blocks] == [
        (4, "x = 1", None),
        (10, 'raise SystemExit("never run")', "talks to a real LLM"),
        (16, "y = x + 1", None),
    ]


@pytest.mark.parametrize(
    "page",
    [
        "<!-- docs-test: skip -->\n```python\nx = 1\n```\n",
        "<!-- docs-test: skip   -->\n```python\nx = 1\n```\n",
        "<!-- docs-test: maybe later -->\n```python\nx = 1\n```\n",
        "<!-- docs-test: skip why -->\ntext\n```python\nx = 1\n```\n",
        "<!-- docs-test: skip why -->\n```bash\nls\n```\n",
        "```python\nx = 1\n",
    ],
)
def test_extract_rejects_broken_conventions(page: str) -> None:
    with pytest.raises(DocsError):
        extract(page, Path("page.md"))


def test_blocks_share_a_namespace_and_top_level_await_runs_on_one_loop() -> None:
    loop = asyncio.new_event_loop()
    namespace: dict[str, object] = {}
    try:
        for source in (
            "import asyncio\nq = asyncio.Queue()",
            "await q.put('http://127.0.0.1:2024')",
            "got = await q.get()",
        ):
            run_block(Block(Path("p.md"), 1, source, None), namespace, loop, "http://h:1")
    finally:
        loop.close()
    assert namespace["got"] == "http://h:1"


def test_a_script_block_may_call_asyncio_run() -> None:
    loop = asyncio.new_event_loop()
    namespace: dict[str, object] = {}
    source = "import asyncio\nasync def main():\n    return 42\nresult = asyncio.run(main())"
    try:
        run_block(Block(Path("p.md"), 1, source, None), namespace, loop, "http://h:1")
    finally:
        loop.close()
    assert namespace["result"] == 42


def test_a_traceback_points_at_the_page_line() -> None:
    page = "intro\n\n```python\nx = 1\nraise ValueError('boom')\n```\n"
    (block,) = extract(page, Path("page.md"))
    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(ValueError) as info:
            run_block(block, {}, loop, "http://h:1")
    finally:
        loop.close()
    frame = info.traceback[-1]
    assert (str(frame.path), frame.lineno + 1) == ("page.md", 5)
