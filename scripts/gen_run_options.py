#!/usr/bin/env python3
"""Write the run options into every signature that takes them, from the one table.

`RunCreateOptions` / `RunOptions` (TypedDicts in the one module of `langgraph_client/` that
defines them) list the run-create body once, with a type and a docstring per field. Methods
that take those options name each one as a keyword parameter, so `help()`, Jupyter, jedi and
pyright show them, and build the body from them. Both parts are generated between marker
comments:

    async def wait(self, thread_id, assistant_id, *,
        # <generated: RunOptions parameters>
        input: Any = None,
        ...
        # </generated>
        raise_error: bool = True, ...):
        # <generated: RunOptions dict>
        options: RunOptions = {
            "input": input,
            ...
        }
        # </generated>

Run it after changing the table (then `scripts/unasync.py`, where it exists, for the sync
client); `--check` (in CI) fails if a file is out of date. Stdlib only, plus `ruff format` (from
the same venv) on the result, so that generated lines are formatted as CI wants them.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "langgraph_client"  # the async source only: the sync client is generated from it
TABLES = ("RunCreateOptions", "RunOptions")
_BEGIN = re.compile(r"^(?P<indent>[ ]*)# <generated: (?P<table>\w+) (?P<kind>parameters|dict)>$")
_END = "# </generated>"


def read_table(source: str) -> dict[str, list[tuple[str, str]]]:
    """`{TypedDict name: [(field, annotation source), ...]}` for the option tables, bases first."""
    tree = ast.parse(source)
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    tables: dict[str, list[tuple[str, str]]] = {}
    for name in TABLES:
        fields: list[tuple[str, str]] = []
        node = classes[name]
        for base in node.bases:
            if isinstance(base, ast.Name) and base.id in tables:
                fields.extend(tables[base.id])
        for item in node.body:
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                annotation = ast.get_source_segment(source, item.annotation)
                assert annotation is not None
                fields.append((item.target.id, annotation))
        tables[name] = fields
    return tables


def render(table: list[tuple[str, str]], table_name: str, kind: str, indent: str) -> list[str]:
    if kind == "parameters":
        return [f"{indent}{name}: {_optional(annotation)} = None," for name, annotation in table]
    inner = indent + "    "
    return [
        f"{indent}options: {table_name} = {{",
        *(f'{inner}"{name}": {name},' for name, _ in table),
        f"{indent}}}",
    ]


def _optional(annotation: str) -> str:
    """The parameter's type: the field's, with `None` (the default: "not sent") allowed."""
    if annotation == "Any" or annotation.endswith("| None"):
        return annotation
    return f"{annotation} | None"


def generate(text: str, tables: dict[str, list[tuple[str, str]]], where: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        begin = _BEGIN.match(lines[i])
        out.append(lines[i])
        i += 1
        if not begin:
            continue
        table = begin["table"]
        if table not in tables:
            raise SystemExit(f"{where}:{i}: unknown table {table!r} (one of {', '.join(tables)})")
        end = i
        while end < len(lines) and lines[end].strip() != _END:
            end += 1
        if end == len(lines):
            raise SystemExit(f"{where}:{i}: no {_END!r} after this marker")
        out.extend(render(tables[table], table, begin["kind"], begin["indent"]))
        out.append(lines[end])
        i = end + 1
    return "\n".join(out)


def ruff_format(text: str, path: Path) -> str:
    ruff = Path(sys.executable).parent / "ruff"
    exe = str(ruff) if ruff.exists() else shutil.which("ruff")
    if exe is None:
        raise SystemExit("gen_run_options: ruff not found (run scripts/bootstrap)")
    done = subprocess.run(
        [exe, "format", "--stdin-filename", str(path), "-"],
        input=text,
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"gen_run_options: ruff format failed on {path}:\n{done.stderr}")
    return done.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if a file is out of date")
    args = parser.parse_args(argv)
    sources = sorted(PACKAGE.glob("*.py"))
    homes = [p for p in sources if "class RunCreateOptions(" in p.read_text()]
    if len(homes) != 1:
        raise SystemExit(f"gen_run_options: expected one RunCreateOptions table, found {homes}")
    tables = read_table(homes[0].read_text())
    stale = []
    for target in (p for p in sources if "# <generated: " in p.read_text()):
        text = target.read_text()
        rel = target.relative_to(REPO)
        new = generate(text, tables, str(rel))
        if new != text:
            new = ruff_format(new, target)
        if new == text:
            continue
        if args.check:
            stale.append(str(rel))
            sys.stdout.writelines(
                difflib.unified_diff(
                    text.splitlines(True), new.splitlines(True), f"{rel}", f"{rel} (generated)"
                )
            )
        else:
            target.write_text(new)
            print(f"gen_run_options: updated {rel}")
    if stale:
        print(
            f"gen_run_options: out of date: {', '.join(stale)}; run scripts/gen_run_options.py",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
