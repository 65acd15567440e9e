"""A report's figures as a table: shown beside its chart and exported as CSV."""

from dataclasses import dataclass, field


@dataclass
class Table:
    key: str
    title: str
    columns: list
    rows: list = field(default_factory=list)  # lists of cells: text, numbers, dates, None


def share(part, whole):
    """`part` of `whole` in per cent with one decimal, or None when `whole` is 0."""
    return round(100 * part / whole, 1) if whole else None


def nearest_rank(values, fraction):
    """The `fraction` (0.9) percentile by nearest rank (a value that occurred); None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-int(round(fraction * len(ordered) * 1000)) // 1000))
    return ordered[min(rank, len(ordered)) - 1]


def median(values):
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
