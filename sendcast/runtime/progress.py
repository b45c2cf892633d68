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
