"""HTTP ingest: POST /api/v1/touchpoints vs a trivial JSON endpoint, same server, same clients.

Target (issue 5): recording a touchpoint over HTTP (token check, validation, the event store)
runs at >= 0.5x the rate of a trivial JSON endpoint (``GET /bench/ping`` -> ``{"ok": true}``,
added to the same app for this run) on the same WSGI server (waitress with ``--server-threads``
threads, in a child process) and the same clients (``--clients`` threads in this process, each
with its own keep-alive ``http.client`` connection, all calling the same endpoint at once).
The sides take turns every ``--turn`` requests per client. ``ingest + key`` also sends a fresh
Idempotency-Key each time. Concurrency matters: concurrent saves share a commit (group commit).
``--batch N`` adds ``POST /touchpoints/batch`` with N touchpoints a request, rated in touchpoints
a second (a batch is not the bar's request; it shows what an integrator sending its log gets).
``--token-baseline`` adds the trivial answer behind the token check (``GET /api/v1/bench/ping``).
``--framework-bound`` runs the ingest request once more on a server whose command returns a fixed
receipt: token check, rate limit, validation and response without the event store, i.e. the
highest ratio any event store could give.

    .venv/bin/python benchmarks/http_ingest.py [--requests 1000] [--rounds 5] [--clients 8]
        [--server-threads 8] [--backend sqlite|postgres|all] [--batch N] [--token-baseline] [--framework-bound]
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
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from touchpoint_write import fresh_postgres_database  # benchmarks run as scripts, from this folder

from domain.clock import FixedClock
from web import create_app

TARGET = 0.5
TOKEN = "trivial + token"  # the trivial answer behind the token check: what the API adds to any request
BATCH = "ingest in batches"  # rated in touchpoints a second: each request records --batch of them
ROOT = Path(__file__).resolve().parents[1]
SERVER = """
import logging, sys, waitress
logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth": expected here
from flask import jsonify
from web import create_app
app = create_app()
app.add_url_rule("/bench/ping", "bench_ping", lambda: jsonify(ok=True))
from web.api.auth import requires  # the same answer behind the token check, rate limit and scope
app.add_url_rule("/api/v1/bench/ping", "bench_token_ping", requires("write:touchpoints")(lambda: jsonify(ok=True)))
if len(sys.argv) > 3:  # --framework-bound: the same request with the event store left out
    import uuid
    from domain.service import Receipt
    app.extensions["touchline"].app.record_touchpoint = lambda **_: Receipt(uuid.uuid4(), 1, 1)
waitress.serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=int(sys.argv[2]), _quiet=True)
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


def start_server(url: str, port: int, threads: int, *, without_store: bool = False) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TOUCHLINE_DATABASE_URL": url, "TOUCHLINE_API_RATE_LIMIT": str(10**9),
           "TOUCHLINE_API_RATE_BURST": str(10**9), "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port), str(threads), *(["no-store"] if without_store else [])], env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("the server did not start")


class Client:
    """One keep-alive connection, used by one thread."""

    def __init__(self, port: int, token: str, body: str, batch: int, token_baseline: bool = False) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port)
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        batched = json.dumps({"touchpoints": [json.loads(body)] * batch})
        self.sides: dict[str, Callable[[], None]] = {
            "trivial": lambda: self.call("GET", "/bench/ping", None, {}, 200),
            "ingest": lambda: self.call("POST", "/api/v1/touchpoints", body, auth, 201),
            "ingest + key": lambda: self.call("POST", "/api/v1/touchpoints", body,
                                              {**auth, "Idempotency-Key": uuid.uuid4().hex}, 201),
        }
        if batch:
            self.sides[BATCH] = lambda: self.call("POST", "/api/v1/touchpoints/batch", batched, auth, 201)
        if token_baseline:
            self.sides[TOKEN] = lambda: self.call("GET", "/api/v1/bench/ping", None,
                                                  {"Authorization": auth["Authorization"]}, 200)

    def call(self, method: str, path: str, payload: str | None, headers: dict[str, str], status: int) -> None:
        self.connection.request(method, path, body=payload, headers=headers)
        response = self.connection.getresponse()
        response.read()
        if response.status != status:
            raise SystemExit(f"{method} {path} answered {response.status}")


def together(clients: list[Client], side: str, each: int) -> float:
    """Every client calls ``side`` ``each`` times, all at once; the seconds it took."""
    start, errors = threading.Barrier(len(clients) + 1), []

    def work(client: Client) -> None:
        start.wait()
        try:
            for _ in range(each):
                client.sides[side]()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit(f"{side}: {errors[0]}")
    return time.perf_counter() - began


def run_backend(name: str, url: str, requests: int, rounds: int, clients: int, server_threads: int,
                turn: int, *, batch: int = 0, token_baseline: bool = False, without_store: bool = False) -> None:
    token, customer = prepare(url)
    port = free_port()
    server = start_server(url, port, server_threads, without_store=without_store)
    body = json.dumps({"customer_id": customer, "channel": "phone", "direction": "inbound", "kind": "inquiry",
                       "subject": "Asked when the replacement router will arrive",
                       "summary": "Customer called about order 4471; promised an update by email."})
    pool = [Client(port, token, body, 0 if without_store else batch, token_baseline and not without_store)
            for _ in range(clients)]
    sides = [side for side in pool[0].sides if not (without_store and side == "ingest + key")]
    per_client = max(turn, requests // clients // turn * turn)
    try:
        for side in sides:  # warm up: imports, connections, the token's first use
            together(pool, side, 10)
        rates: dict[str, list[float]] = {n: [] for n in sides}
        for r in range(rounds):
            spent = dict.fromkeys(sides, 0.0)
            order = sides if r % 2 == 0 else list(reversed(sides))
            for _ in range(per_client // turn):
                for side_name in order:
                    spent[side_name] += together(pool, side_name, turn)
            for side_name, seconds in spent.items():
                rates[side_name].append(per_client * clients * (batch if side_name == BATCH else 1) / seconds)
    finally:
        for client in pool:
            client.connection.close()
        server.terminate()
        server.wait(10)
    trivial = statistics.median(rates["trivial"])
    setup = (f"{clients} clients, waitress threads={server_threads}; "
             f"medians of {rounds} rounds of {per_client * clients}")
    rates_single = statistics.median(rates["ingest"])
    for side_name in ("ingest",) if without_store else [side for side in sides if side not in ("trivial", TOKEN)]:
        rate = statistics.median(rates[side_name])
        ratios = sorted(i / t for i, t in zip(rates[side_name], rates["trivial"], strict=True))
        verdict = f"target >= {TARGET}x: " + ("met" if rate / trivial >= TARGET else "NOT met")
        label = f"{side_name} without the event store" if without_store else side_name
        if side_name == BATCH:  # touchpoints against requests: not the target's measure
            label, verdict = f"{side_name} of {batch}, touchpoints", f"{rate / rates_single:.1f}x single ingest"
        print(f"{name}: {label} {rate:,.0f}/s vs trivial {trivial:,.0f}/s = {rate / trivial:.2f}x "
              f"(rounds {ratios[0]:.2f}-{ratios[-1]:.2f}x; {verdict}; {setup})")
    if TOKEN in rates:
        behind, single = statistics.median(rates[TOKEN]), statistics.median(rates["ingest"])
        ratios = sorted(i / t for i, t in zip(rates["ingest"], rates[TOKEN], strict=True))
        print(f"{name}: ingest {single:,.0f}/s vs trivial behind the token check {behind:,.0f}/s = "
              f"{single / behind:.2f}x (rounds {ratios[0]:.2f}-{ratios[-1]:.2f}x; the token check alone: "
              f"{behind / trivial:.2f}x of the trivial endpoint)")


def batch_size(text: str) -> int:
    if not text.isdigit() or int(text) > 100:
        raise argparse.ArgumentTypeError("must be 0 to 100 (a batch holds at most 100 touchpoints)")
    return int(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="per side and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=8, help="client threads, one connection each")
    parser.add_argument("--server-threads", type=int, default=8, help="waitress worker threads")
    parser.add_argument("--turn", type=int, default=25, help="requests per client before the sides swap")
    parser.add_argument("--backend", choices=("sqlite", "postgres", "all"), default="all")
    parser.add_argument("--batch", type=batch_size, default=0,
                        help="also POST /touchpoints/batch with this many touchpoints per request (rated in "
                             "touchpoints a second)")
    parser.add_argument("--token-baseline", action="store_true",
                        help="also the trivial answer behind the token check, rate limit and scope: the ratio "
                             "against what the API adds to every request")
    parser.add_argument("--framework-bound", action="store_true",
                        help="also run the ingest request with the command replaced by a fixed receipt: the ratio "
                             "that token check, validation and response alone allow")
    args = parser.parse_args()
    if args.backend in ("sqlite", "all"):
        with tempfile.TemporaryDirectory() as folder:
            run_backend("sqlite", f"sqlite:///{folder}/touchline.db", args.requests, args.rounds, args.clients,
                        args.server_threads, args.turn, batch=args.batch, token_baseline=args.token_baseline)
        if args.framework_bound:
            with tempfile.TemporaryDirectory() as folder:
                run_backend("sqlite", f"sqlite:///{folder}/touchline.db", args.requests, args.rounds, args.clients,
                            args.server_threads, args.turn, without_store=True)
    if args.backend in ("postgres", "all"):
        with fresh_postgres_database() as url:
            if url:
                run_backend("postgres", url, args.requests, args.rounds, args.clients, args.server_threads,
                            args.turn, batch=args.batch, token_baseline=args.token_baseline)


if __name__ == "__main__":
    main()
