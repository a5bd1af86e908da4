"""One TLS context per process: a second client loads no CA bundle, verification unchanged."""

from __future__ import annotations

import ssl

import certifi
import pytest

from langgraph_client import _tls, get_client, get_sync_client


def test_a_second_client_builds_no_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    get_client(url="https://a.example", api_key=None)  # the process's context exists now
    built: list[object] = []
    real = ssl.create_default_context

    def counting(*args: object, **kwargs: object) -> ssl.SSLContext:
        built.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl, "create_default_context", counting)
    monkeypatch.setattr(ssl, "SSLContext", _Refuse)  # nor any bare context
    for url in ("https://b.example", "http://127.0.0.1:1"):
        get_client(url=url, api_key=None)
        get_sync_client(url=url, api_key=None).close()
    assert built == []


class _Refuse:
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("a client built a new SSLContext")


def test_the_shared_context_verifies_like_httpx_default() -> None:
    context = _tls.shared_context()
    assert context is _tls.shared_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] > 0  # a CA bundle is loaded


def test_a_changed_ca_variable_gets_its_own_context(monkeypatch: pytest.MonkeyPatch) -> None:
    default = _tls.shared_context()

    monkeypatch.setenv("SSL_CERT_FILE", certifi.where())
    custom = _tls.shared_context()
    assert custom is not default
    assert custom is _tls.shared_context()
