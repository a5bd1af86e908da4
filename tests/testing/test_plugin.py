"""The pytest plugin, run in a fresh pytest session (pytester) as a user's suite would run it."""

from __future__ import annotations

import pytest

from langgraph_client.testing import pytest_plugin

pytest_plugins = ["pytester"]

USES_THE_FAKE = """
def test_wait(fake_agent_server):
    fake_agent_server.add_assistant("agent")
    fake_agent_server.on_run("agent", result={"v": 1})
    with fake_agent_server.client() as http:
        assert http.post("/runs/wait", json={"assistant_id": "agent"}).json() == {"v": 1}
    assert fake_agent_server.runs[0]["endpoint"] == "wait"

def test_a_fresh_fake_per_test(fake_agent_server):
    assert fake_agent_server.runs == [] and fake_agent_server.requests == []
"""


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # pytest-asyncio warns in a session without its loop-scope setting: give it one.
    return pytester.runpytest("-o", "asyncio_default_fixture_loop_scope=function", *args)


def test_the_entry_point_provides_the_fake_fixture(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(USES_THE_FAKE)
    run(pytester).assert_outcomes(passed=2)


def test_the_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(USES_THE_FAKE)
    result = run(pytester, "-p", "no:langgraph_client")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*fixture 'fake_agent_server' not found*"])


def test_agent_server_skips_naming_the_extra_without_the_cli(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pytest_plugin, "find_langgraph", lambda: None)
    monkeypatch.delenv(pytest_plugin.EXTERNAL_URL_ENV, raising=False)
    pytester.makepyfile("def test_real(agent_server):\n    raise AssertionError('ran')\n")
    result = run(pytester, "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        ['*needs langgraph-cli?inmem?*pip install "langgraph-client?server?"*']
    )


def test_agent_server_fails_clearly_without_langgraph_json(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nlanggraph_cli = /bin/true\nlanggraph_config = nowhere\n")
    pytester.makepyfile("def test_real(agent_server):\n    pass\n")
    result = run(
        pytester,
    )
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*agent_server: no langgraph.json in*nowhere*"])


def test_agent_server_uses_an_external_server_when_told(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(pytest_plugin.EXTERNAL_URL_ENV, "http://127.0.0.1:9/")
    pytester.makepyfile(
        "def test_real(agent_server):\n    assert agent_server == 'http://127.0.0.1:9'\n"
    )
    run(
        pytester,
    ).assert_outcomes(passed=1)
