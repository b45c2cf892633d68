"""Long work off the page's thread: one background worker that runs jobs one at a time,
reports their progress and lets the page cancel them.

A job is a function of one argument, ``progress(done, total)``, which it calls as it goes;
after :meth:`Job.cancel` the next call raises :class:`sendcast.runtime.cancel.RunCancelled`,
which the job lets travel out (a run folder being filled is then removed). Jobs run one at a
time because the simulation already uses every core (through the parallel backends) and
matplotlib's pyplot is not safe to use from two threads at once.

Errors a user can cause (:class:`sendcast.runtime.errors.SendcastError`) become the job's
one-line ``message``; anything else is logged with its traceback on the server's stderr and
the page shows one line, never a traceback.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sendcast.runtime.cancel import CancelSwitch, Progress, RunCancelled
from sendcast.runtime.errors import SendcastError

log = logging.getLogger(__name__)

WAITING, RUNNING, DONE, CANCELLED, FAILED = "waiting", "running", "done", "cancelled", "failed"


@dataclass
class Job:
    """One piece of work: its state as the page sees it."""

    label: str
    switch: CancelSwitch = field(default_factory=CancelSwitch)
    status: str = WAITING
    done: int = 0
    total: int = 0
    result: Any = None
    message: str = ""
    submitted: float = field(default_factory=time.monotonic)
    started: float | None = None
    finished: float | None = None

    @property
    def active(self) -> bool:
        return self.status in (WAITING, RUNNING)

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0

    def cancel(self) -> None:
        self.switch.cancel()

    def _progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    def run(self, function: Callable[[Progress], Any]) -> None:
        self.started = time.monotonic()
        self.status = RUNNING
        try:
            self.switch.check()
            self.result = function(self.switch.progress(self._progress))
            self.status = DONE
        except RunCancelled as error:
            self.status, self.message = CANCELLED, str(error)
        except SendcastError as error:
            self.status, self.message = FAILED, str(error)
        except Exception as error:  # never a traceback on the page; the server log has it
            log.exception("%s failed", self.label)
            self.status, self.message = FAILED, f"unexpected error ({type(error).__name__}): {error}"
        finally:
            self.finished = time.monotonic()


class Jobs:
    """A queue of jobs run one at a time on one background thread."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sendcast-job")
        self._lock = threading.Lock()

    def start(self, label: str, function: Callable[[Progress], Any]) -> Job:
        job = Job(label)
        with self._lock:
            self._pool.submit(job.run, function)
        return job

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
