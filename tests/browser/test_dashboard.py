"""The dashboard in a real browser: the funnel chart is drawn (from the locally served Chart.js)
and the "as of" picker changes it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser

DRAWN_PIXELS = """() => {
  const canvas = document.getElementById("funnel-chart");
  const context = canvas.getContext("2d");
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { drawn++; } }
  return drawn;
}"""


def stage_counts(page: Any) -> dict[str, int]:
    rows = page.locator("#funnel-table tr[data-stage]")
    return {rows.nth(i).get_attribute("data-stage"): int(rows.nth(i).locator("[data-count]").inner_text())
            for i in range(rows.count())}


def test_the_funnel_chart_is_drawn(page: Any, server: str) -> None:
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    login(page, server, "agent")
    page.goto(f"{server}/admin/")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('funnel-chart'))")
    chart = page.evaluate("""() => {
      const chart = Chart.getChart(document.getElementById("funnel-chart"));
      return {type: chart.config.type, labels: chart.data.labels, counts: chart.data.datasets[0].data};
    }""")
    assert chart["type"] == "bar" and chart["labels"][-2:] == ["Won", "Lost"]
    assert chart["counts"] == list(stage_counts(page).values())
    assert sum(chart["counts"]) > 0
    assert page.evaluate(DRAWN_PIXELS) > 1000
    assert not failed, failed  # every asset is served by the app itself
    screenshot(page, "dashboard")


def test_as_of_a_past_date_changes_the_funnel(page: Any, server: str) -> None:
    login(page, server, "auditor")
    page.goto(f"{server}/admin/")
    today = stage_counts(page)
    page.fill("#as_of", "2016-12-31")
    page.click("#dashboard-filters button[type=submit]")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('funnel-chart'))")
    then = stage_counts(page)
    assert "as_of=2016-12-31" in page.url
    assert then != today and then["Won"] < today["Won"]
    screenshot(page, "dashboard-as-of-2016")
