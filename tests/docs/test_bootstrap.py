"""`scripts/bootstrap` chooses an interpreter or fails at once, in one line, saying why."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent

OLD_PYTHON = """#!/bin/sh
# A Python 3.9 as far as bootstrap can tell.
case "$1" in
  --version) echo "Python 3.9.18" ;;
  -c) case "$2" in *"version_info >="*) echo "" ;; *) exit 0 ;; esac ;;
esac
"""
TOOLS = ("bash", "cat", "cksum", "cut", "dirname", "flock", "mktemp", "rm", "sha256sum", "env")


def _sandbox(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A checkout with only bootstrap, and a PATH whose only Python is too old."""
    checkout = tmp_path / "checkout"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy(REPO / "scripts" / "bootstrap", checkout / "scripts" / "bootstrap")
    shutil.copy(REPO / "pyproject.toml", checkout / "pyproject.toml")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    old = bin_dir / "python3"
    old.write_text(OLD_PYTHON)
    old.chmod(0o755)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path), "TMPDIR": str(tmp_path)}
    return checkout, env


def _bootstrap(checkout: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(checkout / "scripts" / "bootstrap"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=checkout,
    )


def test_no_suitable_python_fails_in_one_line(tmp_path: Path) -> None:
    checkout, env = _sandbox(tmp_path)
    done = _bootstrap(checkout, env, "--server")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("bootstrap: no Python >= 3.11 found")
    assert "PYTHON=" in lines[0]
    assert not (checkout / ".venv-server").exists()


def test_a_python_too_old_for_the_server_is_named(tmp_path: Path) -> None:
    checkout, env = _sandbox(tmp_path)
    done = _bootstrap(checkout, {**env, "PYTHON": str(tmp_path / "bin" / "python3")}, "--server")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"bootstrap: PYTHON={tmp_path / 'bin' / 'python3'} is Python 3.9.18; "
        "this needs Python >= 3.11"
    ]


def test_unknown_arguments_are_refused(tmp_path: Path) -> None:
    checkout, env = _sandbox(tmp_path)
    done = _bootstrap(checkout, env, "--everything")
    assert done.returncode == 2 and "usage: scripts/bootstrap" in done.stderr


def test_an_up_to_date_checkout_is_a_fast_no_op() -> None:
    # scripts/test bootstraps this checkout first: nothing to do then, and nothing printed.
    stamps = [REPO / ".venv" / ".bootstrap-stamp", REPO / ".venv-server" / ".bootstrap-stamp"]
    if not all(stamp.exists() for stamp in stamps):
        pytest.skip("this checkout's venvs were not made by scripts/bootstrap")
    done = subprocess.run(
        [str(REPO / "scripts" / "bootstrap")],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "PYTHON": "/nonexistent/python"},  # never consulted on a no-op
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
