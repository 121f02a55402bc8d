"""The panel's pages that are not lists: the dashboard (the index view, wired by
``web.admin.init_admin``), the customer 360 page and the history of any record."""

from __future__ import annotations

from flask_admin import Admin

from web.admin.pages.customer360 import Customer360View
from web.admin.pages.history import HistoryView


def register_pages(admin: Admin) -> None:
    """Add the pages reached from records (not shown in the menu; links lead to them)."""
    admin.add_view(Customer360View(name="Customer 360", endpoint="customer360", url="customer360"))
    admin.add_view(HistoryView(name="History", endpoint="history", url="history"))
