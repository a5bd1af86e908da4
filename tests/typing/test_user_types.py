"""The lines users write most type-check without false errors in pyright and mypy --strict, and
the mistakes the types exist for are still errors."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
BIN = Path(sys.executable).parent


def _pyright(path: Path) -> tuple[int, str]:
    exe = BIN / "pyright"
    if not exe.exists():
        found = shutil.which("pyright")
        if found is None:
            pytest.fail("pyright is not installed: scripts/bootstrap installs the dev extras")
        exe = Path(found)
    done = subprocess.run(
        [str(exe), "--pythonpath", sys.executable, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    return done.returncode, done.stdout + done.stderr


def _mypy(path: Path) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    return done.returncode, done.stdout + done.stderr


CHECKERS = {"pyright": _pyright, "mypy": _mypy}


@pytest.mark.parametrize("checker", CHECKERS)
def test_common_user_lines_have_no_type_errors(checker: str) -> None:
    code, out = CHECKERS[checker](HERE / "user_lines.py")
    assert code == 0, out


def _error_lines(out: str, name: str) -> set[int]:
    # pyright: "  /path/bad_lines.py:12:5 - error: ..."; mypy: "tests/typing/bad_lines.py:12: error:"
    lines = set()
    for match in re.finditer(rf"{name}:(\d+):(?:\d+:?)?\s*-? ?error", out):
        lines.add(int(match.group(1)))
    return lines


@pytest.mark.parametrize("checker", CHECKERS)
def test_mistakes_are_still_errors(checker: str) -> None:
    path = HERE / "bad_lines.py"
    marked = {
        number
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if line.rstrip().endswith("# error")
    }
    code, out = CHECKERS[checker](path)
    assert code != 0
    assert _error_lines(out, path.name) == marked, out
