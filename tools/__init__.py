"""The project's tools: demo, bench and chaos runs (``python -m tools.demo`` and so on)."""
