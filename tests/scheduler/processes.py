"""Scheduler processes for tests: ``touchline scheduler`` children whose output lines are read
as they come (waiting on a process's output, never sleeping for time to pass)."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class Child:
    """A child process; ``expect(text)`` waits (bounded) for an output line containing ``text``."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env})
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put("")  # end of output

    def expect(self, text: str, timeout: float = 60) -> str:
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no line with {text!r} within {timeout} s; saw {self.seen[-20:]}") from None
            self.seen.append(line)
            if text in line:
                return line
            if line == "" and self.process.wait(timeout=30) is not None:
                raise AssertionError(f"exited ({self.process.returncode}) before {text!r}; saw {self.seen[-20:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)
        if self.process.stdout:
            self.process.stdout.close()


def touchline(*args: str, env: dict[str, str]) -> Child:
    return Child([sys.executable, "-m", "web.cli", *args], env)
