"""Shared by every test folder: which client (`flavour`) a test runs against; see clients.py."""

from __future__ import annotations

import pytest

from tests.clients import parametrize_flavour


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    parametrize_flavour(metafunc)


@pytest.fixture
def flavour(request: pytest.FixtureRequest) -> str:
    """ "async" or "sync": which client the test's client fixtures build."""
    return str(getattr(request, "param", "async"))
