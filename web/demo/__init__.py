"""Demo data: a realistic, deterministic service history (``touchline demo``) written on
top of the imported accounts, through the domain's own model classes."""

from __future__ import annotations

from web.demo.history import DemoSummary, write_demo

__all__ = ["DemoSummary", "write_demo"]
