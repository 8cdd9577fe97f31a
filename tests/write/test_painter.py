"""The pictures' worker process: same pictures as drawing in-process, and never left behind."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from dolly_ja_16k.write.painter import WATCH_INTERVAL, Painter
from dolly_ja_16k.write.plots import (
    CATEGORY_MIX,
    SHOWN_CATEGORIES,
    category_mix_figure,
    picture_data,
    render_pictures,
    shown_categories,
)
from tests.conftest import make_record, make_records, write_jsonl


def _parts() -> list[tuple[str, list]]:
    records = make_records(40)
    return [("1_of_2", records[:20]), ("2_of_2", records[20:])]


def _in_a_fresh_process(body: str) -> None:
    """Run ``body`` in a new single-threaded Python: a test runner has threads of its own, and a
    painter in a threaded process draws without a worker."""
    script = textwrap.dedent("""
        import os, signal
        from dolly_ja_16k.write.painter import Painter
        from dolly_ja_16k.write.plots import picture_data, render_pictures
        from tests.write.test_painter import _alive, _children, _parts
    """) + textwrap.dedent(body)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_the_worker_draws_exactly_what_the_build_process_would() -> None:
    _in_a_fresh_process("""
        with Painter() as painter:
            assert painter.forked and len(_children(os.getpid())) == 1
            painter.draw(picture_data(_parts()))
            assert painter.pictures() == render_pictures(_parts())
    """)


def test_the_worker_ends_with_the_painter() -> None:
    _in_a_fresh_process("""
        painter = Painter()
        (worker,) = _children(os.getpid())
        painter.close()
        assert not _alive(worker)
    """)


def test_a_threaded_process_draws_the_same_pictures_without_a_worker() -> None:
    """A fork copies every thread's locks but runs one thread: no worker is forked beside other threads."""
    before = set(_children(os.getpid()))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with Painter() as painter:
            assert not painter.forked and set(_children(os.getpid())) == before
            painter.draw(picture_data(_parts()))
            assert painter.pictures() == render_pictures(_parts())
    finally:
        stop.set()
        other.join()


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found += [int(c) for c in children]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_build_killed_while_its_worker_is_busy_leaves_no_process(tmp_path: Path) -> None:
    """SIGKILL cannot be caught: the worker must notice by itself that its build is gone."""
    # many records and categories: the worker has a long drawing to do when the build is killed
    records = [make_record(i, category=f"c{i % 500}") for i in range(20_000)]
    source = write_jsonl(tmp_path / "big.jsonl", records)
    build = subprocess.Popen([sys.executable, "-m", "dolly_ja_16k", "build", "--source", str(source), "--out",
                              str(tmp_path / "out"), "--no-style"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while not workers:  # the worker starts with the build, and imports matplotlib at once
        assert build.poll() is None and time.monotonic() < deadline
        workers = _children(build.pid)
        time.sleep(0.01)
    time.sleep(0.3)
    build.kill()
    build.communicate(timeout=60)  # returns only once no process holds the build's pipes
    deadline = time.monotonic() + 50 * WATCH_INTERVAL
    while any(_alive(pid) for pid in workers):
        assert time.monotonic() < deadline, "the worker outlived its killed build"
        time.sleep(WATCH_INTERVAL)


def test_many_categories_share_one_other_segment() -> None:
    counts = {f"c{i:05}": 1 + i % 7 for i in range(10_000)}
    parts = [("1_of_2", counts), ("2_of_2", dict(list(counts.items())[:5000]))]
    shown, rest = shown_categories(parts)
    assert len(shown) == SHOWN_CATEGORIES and len(rest) == 10_000 - SHOWN_CATEGORIES
    fig = category_mix_figure(parts)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == [*shown, f"other ({len(rest):,} categories)"]
    # every bar still adds up to the whole part
    ends = [patch.get_x() + patch.get_width() for patch in fig.axes[0].patches[-2:]]
    assert [round(e, 9) for e in ends] == [1.0, 1.0]


def test_few_categories_each_get_their_own_segment() -> None:
    parts = [("1_of_1", {f"c{i}": 1 for i in range(SHOWN_CATEGORIES + 1)})]
    shown, rest = shown_categories(parts)
    assert rest == [] and len(shown) == SHOWN_CATEGORIES + 1


def test_the_pictures_of_a_build_come_from_the_worker(tmp_path: Path) -> None:
    """The build's pictures equal those drawn in-process from its parts (the worker is used end to end)."""
    import json

    records = make_records(30)
    source = write_jsonl(tmp_path / "s.jsonl", records)
    result = subprocess.run([sys.executable, "-m", "dolly_ja_16k", "build", "--source", str(source), "--out",
                             str(tmp_path / "out"), "--parts", "2", "--no-style"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    parts = [(name, [json.loads(line) for line in (tmp_path / "out" / "data" / f"{name}.jsonl").open()])
             for name in ("1_of_2", "2_of_2")]
    assert (tmp_path / "out" / CATEGORY_MIX).read_bytes() == render_pictures(parts)[CATEGORY_MIX]


def test_ctrl_c_reaches_only_the_build() -> None:
    """The worker ignores SIGINT: a terminal's Ctrl-C goes to every process of the job."""
    _in_a_fresh_process("""
        with Painter() as painter:
            (worker,) = _children(os.getpid())
            os.kill(worker, signal.SIGINT)
            painter.draw(picture_data(_parts()))
            assert painter.pictures() and _alive(worker)
    """)


def test_the_worker_ends_on_sigterm_whatever_handler_the_build_set() -> None:
    """The build's SIGTERM handler unwinds the build; a worker forked under it still just ends."""
    _in_a_fresh_process("""
        def unwind(signum, frame):
            raise SystemExit(143)

        signal.signal(signal.SIGTERM, unwind)
        with Painter() as painter:
            (worker,) = _children(os.getpid())
        assert not _alive(worker) and signal.getsignal(signal.SIGTERM) is unwind
    """)


def test_the_card_is_rendered_by_the_worker_not_the_build_process(tmp_path: Path) -> None:
    """The build's own process never imports the card's renderer; its card is the one the manifest renders to."""
    from dolly_ja_16k.manifest import read
    from dolly_ja_16k.write.card import render_card

    source = write_jsonl(tmp_path / "s.jsonl", make_records(30))
    out = tmp_path / "out"
    script = ("import sys\nfrom dolly_ja_16k.cli import main\n"
              f"code = main(['build', '--source', {str(source)!r}, '--out', {str(out)!r}, '--parts', '2'])\n"
              "assert code == 0, code\nprint('huggingface_hub.repocard' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "False"
    assert (out / "README.md").read_text(encoding="utf-8") == render_card(read(out))
