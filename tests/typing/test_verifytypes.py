"""`pyright --verifytypes langgraph_client` finds every public symbol fully typed.

It runs with `--ignoreexternal`: the only gaps left without it are httpx's own parameter types
(cookies, auth, transport), which this package passes through (docs/usage.md, "Types")."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path


def test_type_completeness_is_100_percent() -> None:
    bin_dir = Path(sys.executable).parent
    # verifytypes resolves the package through the `python` on PATH: this venv's.
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(
        [str(bin_dir / "pyright"), "--verifytypes", "langgraph_client", "--ignoreexternal"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    score = re.search(r"Type completeness score: ([\d.]+)%", done.stdout)
    assert score is not None, done.stdout + done.stderr
    assert score.group(1) == "100", done.stdout
    assert done.returncode == 0, done.stdout
