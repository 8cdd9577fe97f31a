"""CPU seconds of restyling every answer of a source: ``python bench/restyle_cpu.py SOURCE keitai|jotai``.

Run as a fresh process, so the caches start cold as in a build. Reading the file, importing the
converter and loading MeCab's dictionary come first and are not counted: the number printed is
the process's CPU time (user + system, ``time.process_time``) of the conversion alone.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path


def restyle_cpu(source: Path, to: str) -> tuple[float, int]:
    """CPU seconds to restyle every ``output`` of ``source`` to ``to``, and how many answers changed."""
    from dolly_ja_16k.read.sources import read_source
    from dolly_ja_16k.review.morphemes import tagger
    from dolly_ja_16k.review.restyle import restyle

    records, _, _ = read_source(str(source), {})
    outputs = [r["output"] for r in records]
    tagger()  # the dictionary is loaded once per process, also by a build that never restyles
    start = time.process_time()
    changed = sum(1 for text in outputs if restyle(text, to).changes)
    return time.process_time() - start, changed


if __name__ == "__main__":
    cpu, changed = restyle_cpu(Path(sys.argv[1]), sys.argv[2])
    print(f"{cpu:.4f} {changed}")
