"""MkDocs hooks: README.md is the site's front page and CHANGELOG.md a page, without copies.

Their links are written for the repository (`docs/usage.md`, `CHANGELOG.md`); on the site the
pages sit side by side, so those links are rewritten here.
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
    if page.file.src_uri not in _PAGES:
        return markdown
    markdown = re.sub(r"\]\(docs/", "](", markdown)
    return markdown.replace("](CHANGELOG.md)", "](changelog.md)")
