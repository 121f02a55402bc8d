"""``touchline serve``: the whole service in the foreground, as a small process supervisor.

Each part of the service is a child process described by a ``ProcessSpec``: the web app
under waitress (a production WSGI server, pure Python), the projection runner
(``touchline projections run``: catch up, then follow), the inbound mail listener
(``touchline mail-in``: on ``TOUCHLINE_MAIL_IN_PORT`` when set, else a free port), the
scheduler (``touchline scheduler``) and, when no ``TOUCHLINE_SMTP_URL`` is set (the demo), a
local mail sink on a free port that keeps and logs what the scheduler sends. If any child
dies the others are stopped and the command exits non-zero; Ctrl-C or SIGTERM stops them
all (SIGTERM, then SIGKILL after a grace period) and exits 0.

Run as ``python -m web.commands.serve HOST PORT`` this module is the web child itself.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from types import FrameType
from urllib.parse import urlsplit

import click
import waitress  # type: ignore[import-untyped]  # ships no type hints

from projections.storage import storage_from_url
from scheduler.mailsink import free_port
from web import create_app
from web.access_log import AccessLog
from web.settings import LOG_FORMAT, load_config

GRACE_SECONDS = 10.0
POLL_SECONDS = 0.2


@dataclass(frozen=True)
class ProcessSpec:
    """One child of ``touchline serve``: its name, its command line, and the address it
    listens on (announced once it accepts connections), if any."""

    name: str
    argv: list[str]
    listens_on: tuple[str, int] | None = None
    env: dict[str, str] | None = None  # added to the environment the child inherits
    scheme: str = "http"


def service_specs(host: str, port: int, smtp_url: str = "",
                  mail_in: tuple[str, int] | None = None) -> list[ProcessSpec]:
    """Every process the service is made of; without ``smtp_url``, a local mail sink too; with
    ``mail_in`` (host, port), the inbound mail listener (``touchline mail-in``)."""
    web = [sys.executable, "-m", "web.commands.serve", host, str(port)]
    projections = [sys.executable, "-m", "web.cli", "projections", "run"]
    specs = [ProcessSpec("web", web, listens_on=(host, port)), ProcessSpec("projections", projections)]
    if mail_in:
        listener = [sys.executable, "-m", "web.cli", "mail-in", "--host", mail_in[0], "--port", str(mail_in[1]),
                    "--wait-for-read-models"]
        specs.append(ProcessSpec("mail in", listener, listens_on=mail_in, scheme="smtp"))
    scheduler = [sys.executable, "-m", "web.cli", "scheduler"]
    public = public_url_env(host, port)
    if smtp_url:
        return [*specs, ProcessSpec("scheduler", scheduler, env=public or None)]
    sink_port = free_port()
    sink = ProcessSpec("mail sink", [sys.executable, "-m", "scheduler.mailsink", "127.0.0.1", str(sink_port)],
                       listens_on=("127.0.0.1", sink_port), scheme="smtp")
    return [*specs, sink, ProcessSpec("scheduler", scheduler,
                                      env={"TOUCHLINE_SMTP_URL": f"smtp://127.0.0.1:{sink_port}", **public})]


def public_url_env(host: str, port: int) -> dict[str, str]:
    """Links in the scheduler's messages point at the pages this service serves, unless
    ``TOUCHLINE_PUBLIC_URL`` says where customers reach them (behind a proxy, say)."""
    if os.environ.get("TOUCHLINE_PUBLIC_URL"):
        return {}
    shown = "127.0.0.1" if host in ("", "0.0.0.0", "::") else f"[{host}]" if ":" in host else host
    return {"TOUCHLINE_PUBLIC_URL": f"http://{shown}:{port}"}


class Supervisor:
    """Starts the children, watches them, and stops them all together."""

    def __init__(self, specs: list[ProcessSpec], grace: float = GRACE_SECONDS) -> None:
        self.specs = specs
        self.grace = grace
        self.stopping = threading.Event()
        self.children: dict[str, subprocess.Popen[bytes]] = {}

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping.set()

    def run(self) -> int:
        """Run until a signal (exit status 0) or until a child exits (1)."""
        previous = {signum: signal.signal(signum, self.request_stop) for signum in (signal.SIGINT, signal.SIGTERM)}
        try:
            for spec in self.specs:
                env = {**os.environ, **spec.env} if spec.env else None
                self.children[spec.name] = subprocess.Popen(spec.argv, stdin=subprocess.DEVNULL, env=env)
            return self._watch()
        finally:
            self.stop_all()
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _watch(self) -> int:
        waiting = {spec.name: spec.listens_on for spec in self.specs if spec.listens_on}
        schemes = {spec.name: spec.scheme for spec in self.specs}
        while not self.stopping.wait(POLL_SECONDS):
            died = [(name, child.returncode) for name, child in self.children.items() if child.poll() is not None]
            if died and not self.stopping.is_set():  # a child ending because we were told to stop is fine
                for name, code in died:
                    click.echo(f"touchline serve: {name} exited with status {code}; stopping", err=True)
                return 1
            for name, (host, port) in list(waiting.items()):
                if _accepts(host, port):
                    del waiting[name]
                    click.echo(f"touchline serve: {name} listening on {schemes[name]}://{host}:{port}", err=True)
        return 0

    def stop_all(self) -> None:
        running = [child for child in self.children.values() if child.poll() is None]
        for child in running:
            child.terminate()
        deadline = time.monotonic() + self.grace
        for child in running:
            try:
                child.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def _accepts(host: str, port: int) -> bool:
    target = "127.0.0.1" if host in ("0.0.0.0", "") else host
    try:
        with socket.create_connection((target, port), timeout=0.2):
            return True
    except OSError:
        return False


def _check_port_free(host: str, port: int, setting: str = "--port or TOUCHLINE_PORT") -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise click.ClickException(
                f"cannot listen on {host}:{port} ({exc.strerror}); choose another with {setting}"
            ) from None


def _shown_url(url: str) -> str:
    """The database URL without its password, for the start-up message."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()


def _config_default(key: str) -> object:
    return load_config()[key]


@click.command("serve")
@click.option("--host", default=lambda: _config_default("HOST"), show_default="TOUCHLINE_HOST or 127.0.0.1",
              help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=lambda: _config_default("PORT"),
              show_default="TOUCHLINE_PORT or 5000", help="Port to listen on.")
def serve_command(host: str, port: int) -> None:
    """Run the whole service in the foreground until Ctrl-C."""
    config = load_config()
    url = config["DATABASE_URL"]
    storage_from_url(url)  # a bad URL stops here with its message, before any child starts
    _check_port_free(host, port)
    mail_in = _mail_in_address(config)
    click.echo(f"touchline serve: database {_shown_url(url)}; Ctrl-C to stop", err=True)
    status = Supervisor(service_specs(host, port, str(config["SMTP_URL"] or ""), mail_in)).run()
    if status:
        raise SystemExit(status)
    click.echo("touchline serve: stopped", err=True)


def _mail_in_address(config: dict[str, object]) -> tuple[str, int]:
    """Where the inbound mail listener listens: ``TOUCHLINE_MAIL_IN_PORT`` when it is set (point
    your MX or relay there), else a free port (the demo; said on start like the mail sink's)."""
    host = str(config["MAIL_IN_HOST"])
    if "TOUCHLINE_MAIL_IN_PORT" not in os.environ:
        return host, free_port(host)
    port = int(config["MAIL_IN_PORT"])  # checked by load_config
    _check_port_free(host, port, "TOUCHLINE_MAIL_IN_PORT")
    return host, port


def run_web(host: str, port: int) -> None:
    """The web child: the Flask app under waitress until SIGTERM or Ctrl-C."""

    def stop_once(signum: int, frame: FrameType | None) -> None:
        # The first signal ends the serving loop (waitress finishes in-flight requests);
        # a second one (terminal Ctrl-C plus the supervisor's SIGTERM) must not interrupt that.
        for other in (signal.SIGINT, signal.SIGTERM):
            signal.signal(other, signal.SIG_IGN)
        raise SystemExit(0)

    app = create_app()
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)  # the access log, in the other processes' format
    # waitress buffers a body before the app sees it (1 GB by default): it stops what is far past the
    # app's own limit, so a body just past that still gets the app's 413, in JSON for the API.
    server = waitress.create_server(AccessLog(app), host=host, port=port, ident="touchline",
                                    threads=int(app.config["WEB_THREADS"]),
                                    max_request_body_size=int(app.config["MAX_CONTENT_LENGTH"]) + 2**20)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop_once)
    server.run()


if __name__ == "__main__":
    run_web(sys.argv[1], int(sys.argv[2]))
