"""The ``touchline`` command group and ``touchline serve`` (a supervisor of child processes)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from web.cli import cli
from web.commands.demo import demo_command
from web.commands.serve import ProcessSpec, Supervisor


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _sleeper(name: str) -> ProcessSpec:
    return ProcessSpec(name, [sys.executable, "-c", "import time; time.sleep(60)"])


def test_touchline_lists_its_own_and_flasks_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    commands = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()}
    assert {"serve", "import", "demo", "run", "shell", "routes"} <= commands


def test_help_does_not_open_the_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUCHLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'never.db'}")
    assert CliRunner().invoke(cli, ["--help"]).exit_code == 0
    assert not (tmp_path / "never.db").exists()


def test_serve_help_names_its_settings() -> None:
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "--host" in result.output and "TOUCHLINE_HOST" in result.output
    assert "--port" in result.output and "TOUCHLINE_PORT" in result.output


def test_serve_refuses_a_bad_database_url_with_the_setting_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUCHLINE_DATABASE_URL", "mysql://root@localhost/crm")
    result = CliRunner().invoke(cli, ["serve", "--port", str(_free_port())])
    assert result.exit_code == 1
    assert "TOUCHLINE_DATABASE_URL: unsupported database URL 'mysql://root@localhost/crm'" in result.output


def test_serve_refuses_a_port_in_use(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUCHLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'touchline.db'}")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


def test_supervisor_stops_everything_and_fails_when_one_child_dies() -> None:
    supervisor = Supervisor([_sleeper("steady"), ProcessSpec("crashing", [sys.executable, "-c", "raise SystemExit(3)"])])
    assert supervisor.run() == 1
    assert supervisor.children["crashing"].returncode == 3
    assert supervisor.children["steady"].returncode == -signal.SIGTERM


def test_supervisor_stops_its_children_cleanly_when_asked() -> None:
    supervisor = Supervisor([_sleeper("one"), _sleeper("two")])
    threading.Timer(0.5, supervisor.stopping.set).start()
    assert supervisor.run() == 0
    assert all(child.returncode is not None for child in supervisor.children.values())


def test_supervisor_kills_a_child_that_ignores_the_stop_signal() -> None:
    stubborn = ProcessSpec("stubborn", [sys.executable, "-c",
                                        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"])
    supervisor = Supervisor([stubborn], grace=0.5)
    threading.Timer(1.0, supervisor.stopping.set).start()
    assert supervisor.run() == 0
    assert supervisor.children["stubborn"].returncode == -signal.SIGKILL


def test_serve_says_where_it_listens_answers_health_and_exits_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "TOUCHLINE_DATABASE_URL": f"sqlite:///{tmp_path / 'touchline.db'}",
           "TOUCHLINE_MAX_REQUEST_MB": "1"}
    serve = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--port", str(port)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(serve.stdout or ()), daemon=True)
    reader.start()
    try:
        _wait_until(lambda: f"touchline serve: web listening on http://127.0.0.1:{port}\n" in lines, serve)
        def health() -> dict[str, object]:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as response:
                found: dict[str, object] = json.load(response)
                return found

        assert {k: v for k, v in health().items() if k not in ("projections", "lag")} == {"status": "ok", "position": 0}
        # serve also runs the projection runner: its tables and positions appear.
        _wait_until(lambda: health()["projections"] == 0, serve)
        # A body far over the limit is refused from its headers, before any of it is sent or buffered.
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            raw.sendall(b"POST /api/v1/touchpoints HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        b"Content-Length: 3000000\r\n\r\n")
            assert raw.recv(100).startswith(b"HTTP/1.1 413 ")
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)
        reader.join(timeout=5)
    assert serve.returncode == 0, "".join(lines)
    # The web process's access log, in the service's one log format.
    assert any(re.search(r"^\S+ \S+ touchline\.http INFO GET /health 200 \d+ \d+ms 127\.0\.0\.1$", line)
               for line in lines), "".join(lines)


def _wait_until(condition: Callable[[], bool], process: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, "touchline serve exited early"
        assert time.monotonic() < deadline, f"not ready within {timeout} s"
        time.sleep(0.1)


def test_a_bare_touchline_demo_writes_the_history_bin_run_writes() -> None:
    """Run after bin/run, it finds that history stored and adds nothing (another seed or size
    would add a second, overlapping one)."""
    called = re.search(r"touchline demo --seed (\d+) --touchpoints (\d+)",
                       (Path(__file__).parents[2] / "bin" / "run").read_text())
    assert called is not None
    defaults = {p.name: p.default for p in demo_command.params}
    assert (defaults["seed"], defaults["touchpoints"]) == (int(called.group(1)), int(called.group(2)))
