"""Numbers as the analysis prints them: one place, so the PDF, the Word file and the tests agree."""

from __future__ import annotations

import pandas as pd


def missing(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


def count(value, blank: str = "—") -> str:
    """'14,210'; blank for a missing value (never 0)."""
    return blank if missing(value) else f"{float(value):,.0f}"


def signed(value, digits: int = 0, suffix: str = "", blank: str = "—") -> str:
    """'+1,040' or '−85' (true minus sign)."""
    if missing(value):
        return blank
    if round(float(value), digits) == 0:  # no '+0' or '−0' for a change that rounds to nothing
        return f"{0:.{digits}f}{suffix}"
    return f"{float(value):+,.{digits}f}{suffix}".replace("-", "−")


def pct(value, digits: int = 1, blank: str = "—") -> str:
    return blank if missing(value) else f"{float(value):.{digits}f}%".replace("-", "−")


def ratio(value, digits: int = 2, blank: str = "—") -> str:
    return blank if missing(value) else f"{float(value):.{digits}f}"


def money(value, topcoded: bool = False, blank: str = "—") -> str:
    """'$96,940'; '≥ $239,200' for a wage at the BLS top code."""
    if missing(value):
        return blank
    return ("≥ " if topcoded else "") + f"${float(value):,.0f}"


def text(value, blank: str = "—") -> str:
    return blank if missing(value) or str(value).strip() == "" else str(value)
