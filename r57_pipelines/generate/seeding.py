"""Random streams derived from (seed, purpose): one independent stream per database, table and chunk.

Python's hash() is salted per process, so streams are keyed by a SHA-256 of the purpose instead; that
keeps a run byte-identical across processes and lets one database change without moving the others.
"""

from __future__ import annotations

import hashlib
import random

import numpy as np


def stable_int(*parts: object) -> int:
    """A 64-bit integer that depends only on the parts' text."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def rng_for(seed: int, *purpose: object) -> np.random.Generator:
    """A numpy stream for one purpose, e.g. rng_for(57, "land", "parcel", "chunk", 3)."""
    return np.random.default_rng([seed, stable_int(*purpose)])


def py_rng_for(seed: int, *purpose: object) -> random.Random:
    """A stdlib stream for the domain helpers that take a random.Random (names, addresses)."""
    return random.Random(stable_int(seed, *purpose))
