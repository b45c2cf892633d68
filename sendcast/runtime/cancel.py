"""Stopping a long run from another thread (the web app's cancel button).

A :class:`CancelSwitch` wraps a ``progress(done, total)`` callback: once :meth:`CancelSwitch.cancel`
has been called, the next progress call raises :class:`RunCancelled`. The exception travels out
through :func:`sendcast.runtime.parallel.map_tasks` (which drops the tasks not yet started) and
:func:`sendcast.runtime.runs.run_folder` (which removes its half-filled folder), so a cancelled
run leaves nothing behind.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sendcast.runtime.errors import SendcastError

Progress = Callable[[int, int], None]


class RunCancelled(SendcastError):
    """The user cancelled the run."""


class CancelSwitch:
    """A flag one thread sets and a running job checks at every progress call."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise :class:`RunCancelled` if :meth:`cancel` has been called."""
        if self._event.is_set():
            raise RunCancelled("the run was cancelled; nothing was written")

    def progress(self, inner: Progress | None = None) -> Progress:
        """A progress callback that checks the switch, then calls ``inner``."""

        def update(done: int, total: int) -> None:
            self.check()
            if inner is not None:
                inner(done, total)

        return update
