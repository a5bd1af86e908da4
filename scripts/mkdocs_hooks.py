"""MkDocs hooks: README.md is the site's front page and CHANGELOG.md a page, without copies.

Links are written for the repository (`docs/usage.md`, `CHANGELOG.md`, `../examples/app.py`); on
the site the pages sit side by side and source files are not pages, so links are rewritten here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

REPO = Path(__file__).resolve().parent.parent
_PAGES = {"index.md": "README.md", "changelog.md": "CHANGELOG.md"}


def on_files(files: Files, config: Any) -> Files:
    for name, source in _PAGES.items():
        text = (REPO / source).read_text()
        files.append(File.generated(config, name, content=text))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    if page.file.src_uri in _PAGES:
        markdown = re.sub(r"\]\(docs/", "](", markdown)
        markdown = markdown.replace("](CHANGELOG.md)", "](changelog.md)")
    else:
        markdown = markdown.replace("](../README.md", "](index.md").replace(
            "](../CHANGELOG.md)", "](changelog.md)"
        )
    # Links to source files (`../examples/app.py`) work in the repository, not on the site: there
    # they become the file's name as code.
    return re.sub(r"\[([^\]]+)\]\(\.\./([^)#]+)\)", lambda m: f"`{m.group(2)}`", markdown)
