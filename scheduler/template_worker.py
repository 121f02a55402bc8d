"""Message templates render in a child process, bounded in time and memory.

The sandbox (``scheduler.template_sandbox``) refuses what is known to be expensive and
charges what calls make, but it bounds results, not work: ``xs|sort`` over a million items
takes 2 s and makes nothing the budget counts twice, and five of them in a 60-character
subject held a scheduler or web thread for 6 s on every message. So every rendering runs in a
worker process (``python -m scheduler.template_worker``), started once per process and reused:

- it may use ``MEMORY_MB`` more address space than it needed at start (``RLIMIT_AS``): past
  that the rendering fails with ``MemoryError`` instead of taking the host's memory;
- a rendering that takes longer than ``SECONDS`` a template is stopped by killing the worker (a
  thread cannot be interrupted inside a C call); the next rendering starts a new one. The worker
  also ends itself past twice that (``SIGALRM``), so it never outlives a parent killed meanwhile
  by more than that.

One JSON line per request and per answer over the worker's stdin and stdout. Values are
text and numbers (what the scheduler passes), so nothing but data crosses; the worker gets no
setting or secret from the environment. A failure comes back as ``RenderError`` with the kind
of error the worker met, e.g. ``SecurityError``. Any interruption between a request and its
answer (a timeout, an exception) ends the worker, so an answer is never read for another
request. The memory bound needs Linux (``/proc``); elsewhere only time is bounded.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path
from typing import IO, Any

from jinja2 import TemplateError

SECONDS = 1.0  # a built-in template renders in ~1 ms; an admin's must stay within a thousand times that
MEMORY_MB = 256  # above what the worker uses when it starts (~30 MB): ample for 100,000-character fields
START_SECONDS = 30.0  # a start is not the template's time (imports; a busy machine)
ROOT = Path(__file__).resolve().parents[1]
PASSED_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "SYSTEMROOT")  # no settings, no secrets


def python() -> str:
    """This interpreter as a program: ``sys.executable``, unless a server embedding Python (uWSGI,
    mod_wsgi) made that itself; then the environment's own ``python3``."""
    if Path(sys.executable).name.startswith("python"):
        return sys.executable
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (Path(sys.prefix) / "bin" / version, Path(sys.prefix) / "bin" / "python3"):
        if candidate.exists():
            return str(candidate)
    return shutil.which(version) or shutil.which("python3") or sys.executable


class RenderError(TemplateError):
    """A rendering failed in the worker; ``kind`` is the error's type there (``SecurityError``,
    ``UndefinedError``, ``MemoryError``...), or ``TimeoutError`` when it was stopped."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class TemplateWorker:
    """One worker process, used by one rendering at a time, started when first needed."""

    def __init__(self, *, seconds: float = SECONDS, memory_mb: int = MEMORY_MB) -> None:
        self.seconds = seconds
        self.memory_mb = memory_mb
        self._process: subprocess.Popen[bytes] | None = None
        self._buffer = b""
        self._lock = threading.Lock()
        me = weakref.ref(self)  # the hook must not keep every worker alive
        os.register_at_fork(after_in_child=lambda: (worker := me()) and worker._forget())

    def render(self, sources: list[str], values: dict[str, Any]) -> list[str]:
        """Each of ``sources`` rendered with ``values``, ``seconds`` each at most (raises
        ``RenderError``)."""
        request = json.dumps({"sources": sources, "values": values}).encode() + b"\n"
        allowed = self.seconds * len(sources)
        with self._lock:
            try:
                process = self._running()
                try:
                    self._send(process, request)
                except OSError:  # it died since the last rendering (killed, out of memory): once more, anew
                    self._stop()
                    process = self._running()
                    self._send(process, request)
                line = self._read_line(process, allowed)
            except BaseException:  # whatever interrupted us, its answer must not reach the next request
                self._stop()
                raise
        if line is None:
            raise RenderError("TimeoutError", f"the template took longer than {self.seconds:g} s to render")
        answer = json.loads(line)
        if "error" in answer:
            raise RenderError(answer["error"]["kind"], answer["error"]["message"])
        rendered: list[str] = answer["rendered"]
        return rendered

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _running(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self._stop()
        env = {name: os.environ[name] for name in PASSED_ENV if name in os.environ}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))
        self._process = subprocess.Popen(
            [python(), "-m", "scheduler.template_worker", str(self.memory_mb), str(2 * self.seconds)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd=ROOT,
            start_new_session=True)  # a terminal's Ctrl-C is for the parent, which ends it by closing stdin
        if self._read_line(self._process, START_SECONDS) != b"ready":
            self._stop()
            raise RenderError("RuntimeError", "the template worker did not start")
        return self._process

    @staticmethod
    def _send(process: subprocess.Popen[bytes], request: bytes) -> None:
        stdin: IO[bytes] = process.stdin  # type: ignore[assignment]  # always a pipe here
        stdin.write(request)
        stdin.flush()

    def _read_line(self, process: subprocess.Popen[bytes], seconds: float) -> bytes | None:
        """The worker's next line; None (and the worker stopped) if it takes longer than ``seconds``
        or the worker died."""
        deadline = time.monotonic() + seconds
        fd = process.stdout.fileno()  # type: ignore[union-attr]  # always a pipe here
        with selectors.DefaultSelector() as selector:  # not select(): it fails for descriptors past 1023
            selector.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    self._stop()
                    return None
                chunk = os.read(fd, 65536)
                if not chunk:  # died: out of memory past the limit, or killed
                    self._stop()
                    raise RenderError("RuntimeError", "the template worker stopped while rendering (out of memory?)")
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def _stop(self) -> None:
        process, self._process, self._buffer = self._process, None, b""
        if process is not None:
            process.kill()
            process.wait()
            _close(process)

    def _forget(self) -> None:
        """In a forked child: the worker belongs to the parent (and so do the lock's holders); the
        child lets go of the pipes, so the worker still sees its end when the parent's end closes."""
        if self._process is not None:
            _close(self._process)
        self._process, self._buffer, self._lock = None, b"", threading.Lock()


def _close(process: subprocess.Popen[bytes]) -> None:
    for stream in (process.stdin, process.stdout):
        try:
            if stream is not None:
                stream.close()
        except OSError:  # a request left unsent in the buffer of a pipe whose reader is gone
            pass


def _serve(memory_mb: int, seconds: float) -> None:
    """The worker's loop: bound its memory, then answer each request line until stdin closes,
    ending itself (the default action of ``SIGALRM``) if one takes longer than ``seconds``."""
    import resource
    import signal

    from scheduler.template_sandbox import render

    try:
        with open("/proc/self/statm") as statm:  # pages of address space in use now (Linux)
            in_use = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # elsewhere: time is still bounded, memory only by the sandbox's own limits
        in_use = None
    if in_use is not None:
        limit = in_use + memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    out = sys.stdout.buffer
    out.write(b"ready\n")
    out.flush()
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    for line in sys.stdin.buffer:
        try:
            request = json.loads(line)
            signal.setitimer(signal.ITIMER_REAL, seconds * len(request["sources"]))
            answer: dict[str, Any] = {"rendered": [render(source, request["values"]) for source in request["sources"]]}
        except MemoryError:
            answer = {"error": {"kind": "MemoryError", "message": f"the template needs more than {memory_mb} MB"}}
        except Exception as exc:  # noqa: BLE001 - a template is code an admin wrote: whatever it raises is its fault
            answer = {"error": {"kind": type(exc).__name__, "message": str(exc)}}
        signal.setitimer(signal.ITIMER_REAL, 0)
        out.write(json.dumps(answer).encode() + b"\n")
        out.flush()


if __name__ == "__main__":
    _serve(int(sys.argv[1]), float(sys.argv[2]))
