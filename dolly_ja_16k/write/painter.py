"""The card's pictures drawn in a second process while the build goes on.

Drawing takes about a second, most of it importing matplotlib and laying out the stacked
bars; the build's own process meanwhile reads, reviews, splits and writes. The worker is a
``multiprocessing`` pool of one process, started (forked) at the beginning of the build so
it imports matplotlib while the records are read, and handed the pictures' plain numbers
(``plots.picture_data``) once the parts are known.

A worker must never outlive its build: ``Pool.terminate`` ends it when the build finishes,
fails or is interrupted, and a build killed outright (SIGKILL) is noticed by a small thread
in the worker that watches its parent and ends the worker when the parent is gone. Ctrl-C is
the build's to handle: the worker ignores SIGINT, so a terminal's Ctrl-C (sent to every
process of the job) leaves one line from the build and nothing from the worker.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from types import TracebackType
from typing import Any

from dolly_ja_16k.write.plots import PartFigures, draw_pictures

#: How often the worker looks for its parent (seconds): a killed build's worker ends within this.
WATCH_INTERVAL = 0.1


def _watch_parent(parent: int) -> None:
    """Worker initializer: end the worker when the build that started it is gone."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the build's handler raises SystemExit: not wanted here

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_INTERVAL)
        os.kill(os.getpid(), signal.SIGKILL)  # reparented: the build was killed

    threading.Thread(target=watch, name="watch-build", daemon=True).start()


def _warm_up() -> None:
    """Import what drawing needs while the build reads and reviews."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: F401
    from matplotlib.figure import Figure  # noqa: F401


class Painter:
    """A one-process pool that draws the pictures; use it as a context manager."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")  # no re-import of the package, no resource tracker
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by the worker from its first instruction
        try:
            self._pool: Any = context.Pool(1, initializer=_watch_parent, initargs=(os.getpid(),))
        finally:
            signal.signal(signal.SIGINT, previous)
        self._pool.apply_async(_warm_up)
        self._pictures: Any = None

    def draw(self, data: list[PartFigures]) -> None:
        """Start drawing; ``pictures()`` waits for the result."""
        self._pictures = self._pool.apply_async(draw_pictures, (data,))

    def pictures(self) -> dict[str, bytes]:
        """The PNGs by path; an error raised in the worker is raised here."""
        return dict(self._pictures.get())

    def close(self) -> None:
        """End the worker now, whatever it is doing (nothing is left to wait for)."""
        self._pool.terminate()
        self._pool.join()

    def __enter__(self) -> Painter:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()
