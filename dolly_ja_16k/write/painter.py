"""The card's pictures drawn, and the card rendered, in a second process while the build goes on.

Drawing takes about a second, most of it importing matplotlib and laying out the stacked
bars; the build's own process meanwhile reads, reviews, splits and writes. The worker is a
``multiprocessing`` pool of one process, started (forked) at the beginning of the build so
it imports matplotlib while the records are read, and handed the pictures' plain numbers
(``plots.picture_data``) once the parts are known. It also imports the card's renderer
(``huggingface_hub``'s ``DatasetCard``, about 0.35 s) during the review and renders the card
from the manifest at the end, so the build's process never imports it.

The worker is forked only from a process with no other thread: a fork copies the memory of
every thread but runs only one, so a lock another thread held at that moment (an import, a
stream, a library's pool) stays held for ever in the child. A build run from the command
line has one thread when it starts; one called from a threaded program (a notebook, a
server, a test runner with servers) draws its pictures in its own process instead, after
the parts are written, with the same result.

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
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from dolly_ja_16k.manifest import Manifest
from dolly_ja_16k.write.card import render_card
from dolly_ja_16k.write.plots import PartFigures, draw_pictures

#: How often the worker looks for its parent (seconds): a killed build's worker ends within this.
WATCH_INTERVAL = 0.1


def single_threaded() -> bool:
    """Whether this process runs one thread only (native threads of libraries count too)."""
    try:
        return len(list(Path("/proc/self/task").iterdir())) == 1
    except OSError:  # no /proc: Python's own threads are all that can be seen
        return threading.active_count() == 1


def _watch_parent(parent: int) -> None:
    """Worker initializer: end the worker when the build that started it is gone.

    The worker writes nothing on the build's terminal: a task's error reaches the build through
    its result, and a worker whose build was just killed finds the result pipe closed as it
    finishes a task (``multiprocessing`` would print that as a traceback on the shared stderr).
    """
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - the worker's for its whole life

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_INTERVAL)
        os.kill(os.getpid(), signal.SIGKILL)  # reparented: the build was killed

    threading.Thread(target=watch, name="watch-build", daemon=True).start()


def _warm_up() -> None:
    """Import what drawing and the card need while the build reads and reviews."""
    from huggingface_hub import DatasetCard  # noqa: F401
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: F401
    from matplotlib.figure import Figure  # noqa: F401


class Painter:
    """A one-process pool that draws the pictures and renders the card (in a threaded process: this
    process does); a context manager."""

    def __init__(self) -> None:
        self._pool: Any = self._fork() if single_threaded() else None
        if self._pool is not None:
            self._pool.apply_async(_warm_up)
        self._pictures: Any = None
        self._data: list[PartFigures] = []

    @staticmethod
    def _fork() -> Any:
        """The pool, its worker forked with SIGINT ignored and SIGTERM's default action from its first instruction
        (Ctrl-C is the build's to handle; the build's SIGTERM handler unwinds a build, not a worker)."""
        context = multiprocessing.get_context("fork")  # no re-import of the package, no resource tracker
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN), signal.signal(signal.SIGTERM, signal.SIG_DFL)
        try:
            return context.Pool(1, initializer=_watch_parent, initargs=(os.getpid(),))
        finally:
            signal.signal(signal.SIGINT, previous[0])
            signal.signal(signal.SIGTERM, previous[1])

    @property
    def forked(self) -> bool:
        """Whether the pictures are drawn by a worker process."""
        return self._pool is not None

    def draw(self, data: list[PartFigures]) -> None:
        """Start drawing; ``pictures()`` waits for the result."""
        if self._pool is None:
            self._data = data
        else:
            self._pictures = self._pool.apply_async(draw_pictures, (data,))

    def pictures(self) -> dict[str, bytes]:
        """The PNGs by path; an error raised in the worker is raised here."""
        if self._pool is None:
            return dict(draw_pictures(self._data))
        return dict(self._pictures.get())

    def card(self, manifest: Manifest) -> str:
        """The build's README.md (``card.render_card``), rendered by the worker once the pictures are drawn."""
        if self._pool is None:
            return render_card(manifest)
        return str(self._pool.apply(render_card, (manifest,)))

    def close(self) -> None:
        """End the worker now, whatever it is doing (nothing is left to wait for)."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()

    def __enter__(self) -> Painter:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()
