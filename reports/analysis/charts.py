"""The one door through which the analysis gets its figure builders (the lead swaps ui.charts for figures here)."""

from __future__ import annotations

from ui.charts import bubble_chart, comparison_bars, ranked_bars, shift_share_bars

__all__ = ["bubble_chart", "comparison_bars", "ranked_bars", "shift_share_bars"]
