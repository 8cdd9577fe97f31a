#!/usr/bin/env python3
"""Build the dataset: the same as `dolly-ja-16k build …` (all options pass through)."""

import sys

from dolly_ja_16k.cli import main

if __name__ == "__main__":
    sys.exit(main(["build", *sys.argv[1:]]))
