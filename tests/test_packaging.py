"""The built sdist and wheel carry the LICENSE and the metadata a package index shows."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_sdist_and_wheel_carry_license_and_metadata(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (sdist,) = tmp_path.glob("*.tar.gz")
    (wheel,) = tmp_path.glob("*.whl")
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
    root = names[0].split("/")[0]
    assert f"{root}/LICENSE" in names
    with zipfile.ZipFile(wheel) as whl:
        licenses = [n for n in whl.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
        assert licenses, whl.namelist()
        assert "MIT License" in whl.read(licenses[0]).decode()
        (meta_name,) = [n for n in whl.namelist() if n.endswith(".dist-info/METADATA")]
        meta = Parser().parsestr(whl.read(meta_name).decode())
    assert meta["License-Expression"] == "MIT"
    classifiers = meta.get_all("Classifier") or []
    for minor in (10, 11, 12, 13):
        assert f"Programming Language :: Python :: 3.{minor}" in classifiers
    urls = meta.get_all("Project-URL") or []
    assert any(u.startswith("Documentation, ") for u in urls), urls
    assert "Copyright (c) 2026 langgraph-client developers" in (REPO / "LICENSE").read_text()
