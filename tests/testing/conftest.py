"""Tests of `langgraph_client.testing` (the kit users test their apps with)."""

pytest_plugins = ["pytester"]
