"""Templates render in a worker process: a rendering that takes too long or too much memory
fails with its reason, and the next one is served by a new worker."""

from __future__ import annotations

import threading

import pytest

from scheduler.template_worker import RenderError, TemplateWorker
from scheduler.templates import preview, template_errors

# Passes every rule of the sandbox, and sorts a million items five times: seconds of CPU.
SLOW = "{{ (range(100000)|list * 10)|sort|sort|sort|sort|sort|first }}"
HUNGRY = '{{ (range(100000)|list * 10)|map("string")|list|length }}'  # a million strings: ~70 MB


@pytest.fixture
def worker() -> TemplateWorker:
    return TemplateWorker(seconds=0.3)


def test_a_template_that_renders_for_seconds_is_refused_at_the_time_limit() -> None:
    assert template_errors("customer_apology", SLOW, "Dear {{ customer }}") == {
        "subject": "TimeoutError: the template took longer than 1 s to render"}
    assert preview("customer_apology", "About {{ what }}", "Dear {{ customer }}")[0] == "About Send the refund form"


def test_a_template_that_needs_more_memory_than_allowed_fails_and_the_worker_goes_on() -> None:
    worker = TemplateWorker(seconds=30, memory_mb=32)
    with pytest.raises(RenderError) as failed:
        worker.render([HUNGRY], {})
    assert failed.value.kind == "MemoryError" and str(failed.value) == "the template needs more than 32 MB"
    assert worker.render(["Dear {{ customer }}"], {"customer": "Ada"}) == ["Dear Ada"]
    worker.close()


def test_a_stopped_or_killed_worker_is_replaced_for_the_next_rendering(worker: TemplateWorker) -> None:
    with pytest.raises(RenderError) as failed:
        worker.render([SLOW], {})
    assert failed.value.kind == "TimeoutError"
    assert worker.render(["{{ n + 1 }}"], {"n": 1}) == ["2"]
    worker._process.kill()  # type: ignore[union-attr]  # e.g. by the kernel, out of memory
    worker._process.wait()  # type: ignore[union-attr]
    assert worker.render(["{{ n + 1 }}"], {"n": 2}) == ["3"]
    worker.close()


def test_each_thread_gets_the_answer_to_its_own_rendering(worker: TemplateWorker) -> None:
    wrong: list[tuple[int, list[str]]] = []

    def render_many(thread: int) -> None:
        for n in range(50):
            got = worker.render(["{{ t }}-{{ n }}", "{{ n * 2 }}"], {"t": thread, "n": n})
            if got != [f"{thread}-{n}", str(n * 2)]:
                wrong.append((thread, got))

    threads = [threading.Thread(target=render_many, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    worker.close()
