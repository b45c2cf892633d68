"""Progress bars for long commands: on stderr, only when stderr is a terminal and the user
did not ask for ``--quiet``, so logs, pipes and CI output stay clean."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


@contextmanager
def progress_bar(total: int, description: str, *, quiet: bool = False) -> Iterator[Callable[[int, int], None]]:
    """Yield a ``progress(done, total)`` callback that moves a bar of ``total`` steps."""
    bar = tqdm(total=total, desc=description, unit="run", file=sys.stderr, leave=False,
               disable=quiet or not sys.stderr.isatty())

    def update(done: int, _total: int) -> None:
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        bar.close()


def announce(step: int, steps: int, message: str, *, quiet: bool = False) -> None:
    """One line on stderr saying which step of a long command is running ("[2/4] ..."), so a
    command of a few minutes is never silent; nothing with ``--quiet``."""
    if not quiet:
        print(f"[{step}/{steps}] {message}", file=sys.stderr, flush=True)
