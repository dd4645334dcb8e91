"""Argument checks shared by the config and the layers: each raises ``ValueError`` naming the value."""

from __future__ import annotations

from collections.abc import Sequence


def one_of(name: str, value, choices: Sequence) -> None:
    """``value`` must be one of ``choices``."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"`{name}` must be one of {tuple(choices)}, got {value!r}")


def positive_int(name: str, value, minimum: int = 1) -> None:
    """``value`` must be an int (not a bool) ``>= minimum``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"`{name}` must be an int >= {minimum}, got {value!r}")


def rate(name: str, value) -> None:
    """``value`` must be a probability in ``[0, 1)`` (a dropout rate)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value < 1.0:
        raise ValueError(f"`{name}` must be a number in [0, 1), got {value!r}")


def int_tuple(name: str, value, minimum: int = 1) -> tuple[int, ...]:
    """``value`` must be a non-empty sequence of ints ``>= minimum``; returns it as a tuple."""
    if isinstance(value, str | bytes) or not isinstance(value, Sequence) or not value:
        raise ValueError(f"`{name}` must be a non-empty sequence of ints, got {value!r}")
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or item < minimum:
            raise ValueError(f"`{name}` must hold ints >= {minimum}, got {value!r}")
    return tuple(value)


def modalities(value, known: Sequence[str]) -> tuple[str, ...]:
    """A non-empty, duplicate-free selection of ``known`` modalities, in the order of ``known``."""
    if isinstance(value, str):
        value = tuple(part.strip() for part in value.split(",") if part.strip())
    chosen = tuple(value) if isinstance(value, Sequence) else ()
    if not chosen or len(set(chosen)) != len(chosen) or any(item not in known for item in chosen):
        raise ValueError(f"`modalities` must be a non-empty subset of {tuple(known)}, got {value!r}")
    return tuple(item for item in known if item in chosen)
