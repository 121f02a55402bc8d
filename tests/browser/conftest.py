"""Browser tests: the whole service (``touchline serve``: web + projection runner) in a
subprocess on 127.0.0.1 with the Maven CRM sample (accounts, agents, deals), a small demo
history and its three users, driven by Playwright
with Debian's chromium (/usr/bin/chromium; never ``playwright install``).

    @pytest.mark.browser
    def test_x(page, server):
        login(page, server, "agent")
        page.goto(f"{server}/admin/cases/")
        screenshot(page, "cases-list")       # tests/browser/artifacts/cases-list.png

Without chromium these tests skip with a reason, unless TOUCHLINE_REQUIRE_SERVICES=1 (CI).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MAVEN_DIR

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
PASSWORD = "browser-test-password-1"  # for the throw-away users of the test server only
REQUIRE_SERVICES = os.environ.get("TOUCHLINE_REQUIRE_SERVICES") == "1"
START_SECONDS = 120


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _chromium() -> None:
    if not CHROMIUM.exists():
        message = f"chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
        if REQUIRE_SERVICES:
            pytest.fail(f"{message}, and TOUCHLINE_REQUIRE_SERVICES=1")
        pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "headless": True, "args": [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]}


def _free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as s:
        return int(s.getsockname()[1])


def _caught_up(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            body = json.load(response)
    except OSError:
        return False
    return body["position"] > 0 and (body.get("projections") or 0) >= body["position"]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL (http://127.0.0.1:<port>) of the service, demo data projected."""
    work = tmp_path_factory.mktemp("browser-server")
    port = _free_port()
    env = {**os.environ, "TOUCHLINE_DATABASE_URL": f"sqlite:///{work / 'touchline.db'}",
           "TOUCHLINE_HOST": "127.0.0.1", "TOUCHLINE_PORT": str(port), "TOUCHLINE_DEMO_PASSWORD": PASSWORD,
           "TOUCHLINE_SESSION_COOKIE_SECURE": "0",
           # The served app runs on the real clock and a browser fills a form in milliseconds: the
           # minimum fill time (a spam guard) is tested with the injected clock in tests/web instead.
           "TOUCHLINE_PUBLIC_FORM_MIN_SECONDS": "0"}
    touchline = [sys.executable, "-m", "web.cli"]
    for command in (["import", "maven", str(MAVEN_DIR)], ["demo", "--seed", "1", "--touchpoints", "300"]):
        subprocess.run([*touchline, *command], env=env, check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    log = (work / "serve.log").open("wb")
    process = subprocess.Popen([*touchline, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _caught_up(url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"touchline serve did not come up: {(work / 'serve.log').read_text()[-3000:]}")
            time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def login(page: Any, server: str, role: str, password: str = PASSWORD) -> None:
    """Log in through the form as ``<role>@example.com``; returns on the page after the login."""
    page.goto(f"{server}/admin/account/login")
    page.fill("#email", f"{role}@example.com")
    page.fill("#password", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state()
    assert "/admin/account/login" not in page.url, f"login as {role} failed: {page.inner_text('body')[:500]}"


def screenshot(page: Any, name: str) -> Path:
    """Save the whole page as tests/browser/artifacts/<name>.png (look at them)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def logout(page: Any) -> None:
    """Log out through the user menu."""
    page.click("#account-toggle")
    page.click("#logout")
    page.wait_for_load_state()
