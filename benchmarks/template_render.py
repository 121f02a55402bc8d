"""What rendering an admin's message template in the worker process costs.

An admin's template renders in ``scheduler.template_worker`` (bounded in time and memory); the
built-in texts render in the calling process. Baseline: the same subject and body rendered in
this process by the same sandbox (``scheduler.template_sandbox.render``), in alternating turns.

    .venv/bin/python benchmarks/template_render.py [--messages 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import time

from scheduler.template_sandbox import render
from scheduler.template_worker import TemplateWorker
from scheduler.templates import BUILT_IN, SAMPLES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    subject, body = BUILT_IN["acknowledgement"]
    subject += " "  # an admin's copy: not a built-in text
    values = SAMPLES["acknowledgement"]
    worker = TemplateWorker()
    worker.render([subject, body], values)  # started, compiled
    for round_ in range(args.rounds):
        start = time.perf_counter()
        for _ in range(args.messages):
            render(subject, values), render(body, values)
        here = (time.perf_counter() - start) / args.messages
        start = time.perf_counter()
        for _ in range(args.messages):
            worker.render([subject, body], values)
        there = (time.perf_counter() - start) / args.messages
        print(f"round {round_ + 1}: in process {here * 1e3:.3f} ms a message, in the worker {there * 1e3:.3f} ms "
              f"({there / here:.1f}x, +{(there - here) * 1e3:.3f} ms)")
    worker.close()


if __name__ == "__main__":
    main()
