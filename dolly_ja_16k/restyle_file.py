"""``dolly-ja-16k restyle``: one source's answers rewritten in one register, written as JSON Lines.

A user restyles their own supplement with it before a build, or looks at what ``build
--restyle`` would do. The source is read exactly as the build reads it (same readers, same
errors); every record is written, in input order, with the five fields in the build's order,
only ``output`` converted, and ``style`` told from the converted answer. The file is written
whole or not at all.
"""

from __future__ import annotations

import logging
from pathlib import Path

from dolly_ja_16k.options import RestyleOptions
from dolly_ja_16k.read.sources import read_source
from dolly_ja_16k.review.restyle_run import RestyleRun, restyle_records
from dolly_ja_16k.review.style import classify
from dolly_ja_16k.write.staging import encode_lines, write_file

log = logging.getLogger(__name__)


def restyle_file(options: RestyleOptions, copula: str = "dearu") -> RestyleRun:
    """Read ``options.source``, restyle every answer to ``options.to`` and write ``options.out``."""
    options.check()
    records, _, warnings = read_source(options.source, {}, command="restyle")
    for message in warnings:
        log.warning(message)
    run = restyle_records(records, options.to, copula)  # type: ignore[arg-type]  # Record is a mapping
    for r in records:
        r["style"] = classify(r["output"])
    write_file(Path(options.out), encode_lines(records))
    return run
