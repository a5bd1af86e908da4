"""Every run option shows by name, with its type and default, wherever it is taken: in
`inspect.signature` / `help()`, in jedi's completion (IPython, Jupyter, editors) and in pyright's
hover (`reveal_type` prints what the hover shows). The parameters are generated from the one
table (`scripts/gen_run_options.py`), so these tests also catch a method left out."""

from __future__ import annotations

import inspect
import pydoc
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from langgraph_client._sync.crons import SyncCronClient
from langgraph_client._sync.runs import SyncRunsClient
from langgraph_client.crons import CronClient
from langgraph_client.runs import RunCreateOptions, RunOptions, RunsClient

REPO = Path(__file__).resolve().parent.parent.parent

# (method, its table, how a user reaches it from `client`)
METHODS: list[tuple[Callable[..., Any], type, str]] = [
    (RunsClient.wait, RunOptions, "client.runs.wait"),
    (RunsClient.stream, RunCreateOptions, "client.runs.stream"),
    (RunsClient.create, RunOptions, "client.runs.create"),
    (CronClient.create, RunOptions, "client.crons.create"),
    (CronClient.create_for_thread, RunOptions, "client.crons.create_for_thread"),
    (SyncRunsClient.wait, RunOptions, "sync_client.runs.wait"),
    (SyncRunsClient.stream, RunCreateOptions, "sync_client.runs.stream"),
    (SyncRunsClient.create, RunOptions, "sync_client.runs.create"),
    (SyncCronClient.create, RunOptions, "sync_client.crons.create"),
    (SyncCronClient.create_for_thread, RunOptions, "sync_client.crons.create_for_thread"),
]
PRELUDE = (
    "from langgraph_client import get_client, get_sync_client\n"
    "client = get_client()\n"
    "sync_client = get_sync_client()\n"
)
IDS = [m[2] for m in METHODS]


def _fields(table: type) -> list[str]:
    return list(table.__annotations__)  # a TypedDict's include its bases' fields


@pytest.mark.parametrize(("method", "table", "where"), METHODS, ids=IDS)
def test_signature_names_every_option_with_default_none(
    method: Callable[..., Any], table: type, where: str
) -> None:
    parameters = inspect.signature(method).parameters
    assert not any(p.kind is p.VAR_KEYWORD for p in parameters.values()), "no **options"
    for name in _fields(table):
        assert name in parameters, f"{where} lacks {name}"
        parameter = parameters[name]
        assert parameter.kind is parameter.KEYWORD_ONLY
        assert parameter.default is None
        assert parameter.annotation is not inspect.Parameter.empty


@pytest.mark.parametrize(("method", "table", "where"), METHODS, ids=IDS)
def test_help_shows_the_options(method: Callable[..., Any], table: type, where: str) -> None:
    text = pydoc.render_doc(method, renderer=pydoc.plaintext)
    for name in _fields(table):
        assert f"{name}: " in text, f"help({where}) does not show {name}"


@pytest.mark.parametrize(("method", "table", "where"), METHODS, ids=IDS)
def test_jedi_completes_the_options(method: Callable[..., Any], table: type, where: str) -> None:
    jedi = pytest.importorskip("jedi")
    for name in _fields(table):
        code = PRELUDE + f"{where}(None, 'agent', {name[:-1]}"
        lines = code.splitlines()
        completions = jedi.Script(code).complete(len(lines), len(lines[-1]))
        assert f"{name}=" in {c.name_with_symbols for c in completions}, (where, name)


def test_pyright_hover_shows_the_options(tmp_path: Path) -> None:
    script = tmp_path / "hover.py"
    script.write_text(PRELUDE + "".join(f"reveal_type({where})\n" for where in IDS))
    done = subprocess.run(
        [str(Path(sys.executable).parent / "pyright"), "--pythonpath", sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    revealed = [line for line in done.stdout.splitlines() if "Type of " in line]
    assert len(revealed) == len(METHODS), done.stdout
    for line, (_, table, where) in zip(revealed, METHODS, strict=True):
        for name in _fields(table):
            assert f" {name}: " in line, f"pyright hover of {where} lacks {name}: {line}"
        assert "input: Any = None" in line
