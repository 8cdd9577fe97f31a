#!/usr/bin/env python3
"""Publish a built folder to the Hub: the same as `dolly-ja-16k publish …` (all options pass through)."""

import sys

from dolly_ja_16k.cli import main

if __name__ == "__main__":
    sys.exit(main(["publish", *sys.argv[1:]]))
