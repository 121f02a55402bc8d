"""Templates render in a worker process: a rendering that takes too long or too much memory
fails with its reason, and the next one is served by a new worker."""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.template_worker import RenderError, TemplateWorker, python
from scheduler.templates import preview, template_errors

# Passes every rule of the sandbox, and sorts a million items five times: seconds of CPU.
SLOW = "{{ (range(100000)|list * 10)|sort|sort|sort|sort|sort|first }}"
HUNGRY = '{{ (range(100000)|list * 10)|map("string")|list|length }}'  # a million strings: ~70 MB


@pytest.fixture
def worker() -> Iterator[TemplateWorker]:
    started = TemplateWorker(seconds=30)
    yield started
    started.close()


def test_a_template_that_renders_for_seconds_is_refused_at_the_time_limit() -> None:
    assert template_errors("customer_apology", SLOW, "Dear {{ customer }}") == {
        "subject": "TimeoutError: the template took longer than 1 s to render"}
    assert preview("customer_apology", "About {{ what }}", "Dear {{ customer }}")[0] == "About Send the refund form"


def test_a_template_that_needs_more_memory_than_allowed_fails_and_the_worker_goes_on(worker: TemplateWorker) -> None:
    worker.memory_mb = 32
    with pytest.raises(RenderError) as failed:
        worker.render([HUNGRY], {})
    assert failed.value.kind == "MemoryError" and str(failed.value) == "the template needs more than 32 MB"
    assert worker.render(["Dear {{ customer }}"], {"customer": "Ada"}) == ["Dear Ada"]


def test_a_stopped_or_killed_worker_is_replaced_for_the_next_rendering(worker: TemplateWorker) -> None:
    worker.seconds = 0.3
    with pytest.raises(RenderError) as failed:
        worker.render([SLOW], {})
    assert failed.value.kind == "TimeoutError"
    worker.seconds = 30
    assert worker.render(["{{ n + 1 }}"], {"n": 1}) == ["2"]
    worker._process.kill()  # type: ignore[union-attr]  # e.g. by the kernel, out of memory
    worker._process.wait()  # type: ignore[union-attr]
    assert worker.render(["{{ n + 1 }}"], {"n": 2}) == ["3"]


def test_an_interrupted_rendering_never_answers_the_next_one(worker: TemplateWorker,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    assert worker.render(["{{ who }}"], {"who": "Ada"}) == ["Ada"]
    real, calls = worker._read_line, []

    def interrupted(*args: object) -> bytes | None:
        calls.append(args)
        if len(calls) == 1:  # the request was sent; its answer is on its way
            raise KeyboardInterrupt
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(worker, "_read_line", interrupted)
    with pytest.raises(KeyboardInterrupt):
        worker.render(["{{ who }} owes"], {"who": "Ada"})
    assert worker.render(["{{ who }}"], {"who": "Bob"}) == ["Bob"]


def test_the_worker_ends_itself_when_a_rendering_outlasts_twice_the_limit(tmp_path: Path) -> None:
    """So a worker whose parent was killed meanwhile does not render on for minutes."""
    import subprocess
    worker = subprocess.Popen([sys.executable, "-m", "scheduler.template_worker", "256", "0.3"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert worker.stdout is not None and worker.stdout.readline() == b"ready\n"
    worker.stdin.write(json.dumps({"sources": [SLOW], "values": {}}).encode() + b"\n")  # type: ignore[union-attr]
    worker.stdin.flush()  # type: ignore[union-attr]
    assert worker.wait(timeout=30) == -signal.SIGALRM


def test_each_thread_gets_the_answer_to_its_own_rendering(worker: TemplateWorker) -> None:
    wrong: list[object] = []

    def render_many(thread: int) -> None:
        try:
            for n in range(50):
                got = worker.render(["{{ t }}-{{ n }}", "{{ n * 2 }}"], {"t": thread, "n": n})
                if got != [f"{thread}-{n}", str(n * 2)]:
                    wrong.append((thread, got))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            wrong.append(exc)

    threads = [threading.Thread(target=render_many, args=(t,), daemon=True) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads) and wrong == []


def test_under_a_server_that_embeds_python_the_worker_still_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    """uWSGI and mod_wsgi set sys.executable to themselves: starting that would not give a worker."""
    monkeypatch.setattr(sys, "executable", "/usr/sbin/uwsgi")
    assert Path(python()).name.startswith("python")
    embedded = TemplateWorker(seconds=30)
    try:
        assert embedded.render(["{{ who }}"], {"who": "Ada"}) == ["Ada"]
    finally:
        embedded.close()
