"""Counts in words for CLI output: "1 row", "2 rows", "1 batch", "3 batches"."""

from __future__ import annotations

_IRREGULAR = {"batch": "batches", "index": "indexes", "entry": "entries"}


def plural(count: int, noun: str) -> str:
    """`count` and `noun`, the noun in the plural unless the count is exactly one."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {_IRREGULAR.get(noun, noun + 's')}"
