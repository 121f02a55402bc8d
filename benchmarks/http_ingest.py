"""HTTP ingest: POST /api/v1/touchpoints vs a trivial JSON endpoint, same server, same client.

Target (issue 5): recording a touchpoint over HTTP (token check, validation, the event store)
runs at >= 0.5x the rate of a trivial JSON endpoint (``GET /bench/ping`` -> ``{"ok": true}``,
added to the same app for this run) on the same WSGI server (waitress, in a child process)
and the same client (one keep-alive ``http.client`` connection in this process). The sides
take turns every 50 requests. ``ingest + key`` also sends a fresh Idempotency-Key each time.

    .venv/bin/python benchmarks/http_ingest.py [--requests 1000] [--rounds 5] [--backend sqlite|postgres|all]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from touchpoint_write import fresh_postgres_database  # benchmarks run as scripts, from this folder

from domain.clock import FixedClock
from web import create_app

TARGET = 0.5
ROOT = Path(__file__).resolve().parents[1]
SERVER = """
import sys, waitress
from flask import jsonify
from web import create_app
app = create_app()
app.add_url_rule("/bench/ping", "bench_ping", lambda: jsonify(ok=True))
waitress.serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=4, _quiet=True)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def prepare(url: str) -> tuple[str, str]:
    """A token and a customer in a fresh store."""
    app = create_app({"DATABASE_URL": url, "CLOCK": FixedClock(datetime(2026, 3, 2, 9, tzinfo=timezone.utc))})
    services = app.extensions["touchline"]
    token = services.app.issue_api_token(name="bench", scopes=["write"], occurred_at=services.clock.now(),
                                         actor="system:bench").token
    customer = services.app.register_customer(name="Bench Customer", occurred_at=services.clock.now(),
                                              actor="system:bench").id
    services.close()
    return token, str(customer)


def start_server(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TOUCHLINE_DATABASE_URL": url, "TOUCHLINE_API_RATE_LIMIT": str(10**9),
           "TOUCHLINE_API_RATE_BURST": str(10**9), "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


def run_backend(name: str, url: str, requests: int, rounds: int) -> None:
    token, customer = prepare(url)
    port = free_port()
    server = start_server(url, port)
    connection = http.client.HTTPConnection("127.0.0.1", port)
    body = json.dumps({"customer_id": customer, "channel": "phone", "direction": "inbound", "kind": "inquiry",
                       "subject": "Asked when the replacement router will arrive",
                       "summary": "Customer called about order 4471; promised an update by email."})
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(method: str, path: str, payload: str | None, headers: dict[str, str], status: int) -> None:
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != status:
            raise SystemExit(f"{method} {path} answered {response.status}")

    sides: dict[str, Callable[[], None]] = {
        "trivial": lambda: call("GET", "/bench/ping", None, {}, 200),
        "ingest": lambda: call("POST", "/api/v1/touchpoints", body, auth, 201),
        "ingest + key": lambda: call("POST", "/api/v1/touchpoints", body,
                                     {**auth, "Idempotency-Key": uuid.uuid4().hex}, 201),
    }
    try:
        for side in sides.values():  # warm up: imports, connections, the token's first use
            for _ in range(50):
                side()
        rates: dict[str, list[float]] = {n: [] for n in sides}
        for r in range(rounds):
            spent = dict.fromkeys(sides, 0.0)
            order = list(sides) if r % 2 == 0 else list(reversed(sides))
            for _ in range(requests // 50):
                for side_name in order:
                    began = time.perf_counter()
                    for _ in range(50):
                        sides[side_name]()
                    spent[side_name] += time.perf_counter() - began
            for side_name, seconds in spent.items():
                rates[side_name].append(requests // 50 * 50 / seconds)
    finally:
        connection.close()
        server.terminate()
        server.wait(10)
    trivial = statistics.median(rates["trivial"])
    for side_name in ("ingest", "ingest + key"):
        rate = statistics.median(rates[side_name])
        verdict = "met" if rate / trivial >= TARGET else "NOT met"
        print(f"{name}: {side_name} {rate:,.0f}/s vs trivial {trivial:,.0f}/s = {rate / trivial:.2f}x "
              f"(target >= {TARGET}x: {verdict}; medians of {rounds} rounds of {requests})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="per side and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "all"), default="all")
    args = parser.parse_args()
    if args.backend in ("sqlite", "all"):
        with tempfile.TemporaryDirectory() as folder:
            run_backend("sqlite", f"sqlite:///{folder}/touchline.db", args.requests, args.rounds)
    if args.backend in ("postgres", "all"):
        with fresh_postgres_database() as url:
            if url:
                run_backend("postgres", url, args.requests, args.rounds)


if __name__ == "__main__":
    main()
