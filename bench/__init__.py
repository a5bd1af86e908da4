"""Side-by-side benchmark of langgraph_client, langgraph_sdk, raw httpx and the floor.

Run it with ``scripts/bench`` (``python -m bench.run --help`` for options).
"""
