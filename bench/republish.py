"""Republish benchmark (filled in once publish lands)."""

from __future__ import annotations


def available() -> bool:
    return False
