"""How a bulk import reads a CSV cell: text trimmed, empty means absent, coordinates as numbers (a decimal comma
too), lists separated by spaces or `|`. One home, for the per-row path and the fast lane alike."""

from __future__ import annotations


def csv_number(value: str) -> float | str:
    """A coordinate cell as a number; text that is none is kept (validation says "must be a number")."""
    try:
        return float(value.replace(",", ".")) if value.count(",") == 1 and "." not in value else float(value)
    except ValueError:
        return value


def split_list(value: str) -> list[str]:
    return value.replace("|", " ").split()
