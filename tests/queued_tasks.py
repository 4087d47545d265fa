"""What the web app handed to its (in-memory) task queue, and running it as a worker would."""

from __future__ import annotations

from flask import Flask

from screening.queue import task_queue


def handed_over(app: Flask) -> list[tuple[str, tuple]]:
    """(task name, arguments) of every task waiting on the queue, oldest first."""
    return [(task.name, task.args) for task in task_queue(app).huey.pending()]


def run_handed_over(app: Flask) -> int:
    """Run every waiting task with the worker's code, as a worker thread would; how many ran."""
    return task_queue(app).run_waiting()
