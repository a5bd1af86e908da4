"""Static guarantees of `langgraph_client.types`: exports, field docs, runtime keys, import cost."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, get_args

import pytest
import typing_extensions

from langgraph_client import types as lg_types

SOURCE_PATH = Path(lg_types.__file__)
TREE = ast.parse(SOURCE_PATH.read_text(encoding="utf-8"))


def _top_level_names() -> set[str]:
    """Every name the module itself binds at top level (classes and assignments)."""
    names: set[str] = set()
    for node in TREE.body:
        if isinstance(node, ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _typeddict_classes() -> list[ast.ClassDef]:
    return [
        node
        for node in TREE.body
        if isinstance(node, ast.ClassDef)
        and typing_extensions.is_typeddict(getattr(lg_types, node.name))
    ]


TYPEDDICTS = _typeddict_classes()


def test_all_lists_exactly_the_public_names() -> None:
    public = {name for name in _top_level_names() if not name.startswith("_")}
    exported = lg_types.__all__
    assert len(exported) == len(set(exported)), "duplicates in __all__"
    assert sorted(public - set(exported)) == [], "public names missing from __all__"
    assert sorted(set(exported) - public) == [], "names in __all__ the module does not define"
    assert exported == sorted(exported), "__all__ is not sorted"
    for name in exported:
        assert hasattr(lg_types, name)


def test_there_are_typeddicts_to_check() -> None:
    assert len(TYPEDDICTS) > 20


@pytest.mark.parametrize("cls", TYPEDDICTS, ids=lambda c: c.name)
def test_every_typeddict_field_has_a_one_line_docstring(cls: ast.ClassDef) -> None:
    assert ast.get_docstring(cls), f"{cls.name} has no class docstring"
    body = cls.body
    fields = 0
    for i, stmt in enumerate(body):
        if not isinstance(stmt, ast.AnnAssign):
            continue
        fields += 1
        assert isinstance(stmt.target, ast.Name)
        field = f"{cls.name}.{stmt.target.id}"
        nxt = body[i + 1] if i + 1 < len(body) else None
        assert (
            isinstance(nxt, ast.Expr)
            and isinstance(nxt.value, ast.Constant)
            and isinstance(nxt.value.value, str)
        ), f"{field} has no docstring directly under it"
        doc = nxt.value.value
        assert doc.strip(), f"{field} has an empty docstring"
        assert "\n" not in doc, f"{field} docstring is not one line"
    # A class with no fields of its own must at least inherit some.
    if fields == 0:
        runtime = getattr(lg_types, cls.name)
        assert runtime.__required_keys__ | runtime.__optional_keys__


def _declared_keys(cls: ast.ClassDef) -> tuple[set[str], set[str]]:
    """(required, optional) keys of a TypedDict as its source declares them, bases included."""
    total = True
    for kw in cls.keywords:
        if kw.arg == "total":
            assert isinstance(kw.value, ast.Constant)
            total = bool(kw.value.value)
    required: set[str] = set()
    optional: set[str] = set()
    by_name = {c.name: c for c in TYPEDDICTS}
    for base in cls.bases:
        if isinstance(base, ast.Name) and base.id in by_name:
            base_required, base_optional = _declared_keys(by_name[base.id])
            required |= base_required
            optional |= base_optional
    for stmt in cls.body:
        if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
            continue
        ann = stmt.annotation
        qualifier = None
        if (
            isinstance(ann, ast.Subscript)
            and isinstance(ann.value, ast.Name)
            and ann.value.id in ("Required", "NotRequired")
        ):
            qualifier = ann.value.id
        is_required = qualifier == "Required" or (qualifier is None and total)
        (required if is_required else optional).add(stmt.target.id)
    return required, optional


@pytest.mark.parametrize("cls", TYPEDDICTS, ids=lambda c: c.name)
def test_runtime_required_keys_match_the_source(cls: ast.ClassDef) -> None:
    # Postponed (string) annotations would make Required/NotRequired invisible at runtime.
    runtime = getattr(lg_types, cls.name)
    required, optional = _declared_keys(cls)
    assert set(runtime.__required_keys__) == required
    assert set(runtime.__optional_keys__) == optional


@pytest.mark.parametrize("cls", TYPEDDICTS, ids=lambda c: c.name)
def test_type_hints_resolve(cls: ast.ClassDef) -> None:
    hints = typing_extensions.get_type_hints(getattr(lg_types, cls.name), include_extras=True)
    assert hints


def test_no_postponed_annotations() -> None:
    for node in TREE.body:
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            assert "annotations" not in {alias.name for alias in node.names}


def test_imports_are_typing_only() -> None:
    allowed = {"typing", "typing_extensions", "collections.abc"}
    for node in ast.walk(TREE):
        if isinstance(node, ast.Import):
            assert {alias.name for alias in node.names} <= allowed
        elif isinstance(node, ast.ImportFrom):
            assert node.module in allowed


_IMPORT_PROBE = """
import importlib.util, json, sys
import collections.abc, typing, typing_extensions
before = set(sys.modules)
spec = importlib.util.spec_from_file_location("lgc_types_probe", sys.argv[1])
module = importlib.util.module_from_spec(spec)
sys.modules["lgc_types_probe"] = module
spec.loader.exec_module(module)
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_import_pulls_in_nothing_beyond_typing() -> None:
    # Loaded by path in a fresh interpreter, so the package's own imports (httpx...) don't count.
    out = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE, str(SOURCE_PATH)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert json.loads(out) == ["lgc_types_probe"]


EXPECTED_LITERALS: dict[str, set[str]] = {
    "StreamMode": {
        "values",
        "messages",
        "messages-tuple",
        "tasks",
        "checkpoints",
        "updates",
        "events",
        "debug",
        "custom",
        "tools",
        "lifecycle",
    },
    "ThreadStreamMode": {"run_modes", "lifecycle", "state_update"},
    "MultitaskStrategy": {"reject", "interrupt", "rollback", "enqueue"},
    "RunStatus": {"pending", "running", "error", "success", "timeout", "interrupted"},
    "ThreadStatus": {"idle", "busy", "interrupted", "error"},
    "OnConflictBehavior": {"raise", "do_nothing"},
    "IfExists": {"raise", "do_nothing"},
    "IfNotExists": {"create", "reject"},
    "OnCompletionBehavior": {"delete", "keep"},
    "DisconnectMode": {"cancel", "continue"},
    "Durability": {"sync", "async", "exit"},
    "CancelAction": {"interrupt", "rollback"},
    "BulkCancelRunsStatus": {"pending", "running", "all"},
    "PruneStrategy": {"delete", "keep_latest"},
    "SortOrder": {"asc", "desc"},
    "All": {"*"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED_LITERALS))
def test_literal_values(name: str) -> None:
    assert set(get_args(getattr(lg_types, name))) == EXPECTED_LITERALS[name]


def test_typeddicts_are_plain_dicts_at_runtime() -> None:
    run_create: Any = lg_types.RunCreate(assistant_id="agent", input={"x": 1})
    assert type(run_create) is dict
    assert run_create == {"assistant_id": "agent", "input": {"x": 1}}
