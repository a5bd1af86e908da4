"""examples/quickstart.ipynb runs top to bottom in a real Jupyter kernel against a real server."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent.parent
NOTEBOOK = REPO / "examples" / "quickstart.ipynb"


def _text(cell: nbformat.NotebookNode) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output["text"])
        elif "data" in output:
            parts.append(output["data"].get("text/plain", ""))
    return "".join(parts)


@pytest.mark.integration
def test_quickstart_notebook_runs_in_a_kernel(
    examples_server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        "commit the notebook without outputs"
    )
    monkeypatch.setenv("LANGGRAPH_URL", examples_server_url)  # the kernel inherits it
    for name in ("LANGGRAPH_API_KEY", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    NotebookClient(
        nb, kernel_name="python3", timeout=60, resources={"metadata": {"path": str(REPO)}}
    ).execute()
    outputs = [_text(c) for c in nb.cells if c.cell_type == "code"]
    assert "'ok': True" in outputs[0]
    assert outputs[1] == "echo: hi\n"
    assert outputs[2] == "You said: hi. Streaming works.\n"
    assert outputs[3].splitlines() == [
        "human: hello",
        "   ai: You said: hello. Streaming works.",
        "human: again",
        "   ai: You said: again. Streaming works.",
    ]
    assert outputs[4] == "echo: sync\nYou said: sync. Streaming works.\n"
