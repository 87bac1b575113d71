"""Metrics against hand-computed values."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from data_pipeline import metrics


def test_location_quotient_matches_hand_computation():
    # Region: 200 of 1,000 jobs in the industry (20 %); nation: 10 of 100 (10 %) -> LQ 2.
    assert metrics.location_quotient(200, 1_000, 10, 100) == pytest.approx(2.0)


def test_location_quotient_is_missing_when_an_input_is_missing_or_zero():
    assert math.isnan(metrics.location_quotient(None, 1_000, 10, 100))
    assert math.isnan(metrics.location_quotient(200, 0, 10, 100))
    s = metrics.location_quotient(pd.Series([50.0, None]), 500, pd.Series([5.0, 5.0]), 100)
    assert s.iloc[0] == pytest.approx(2.0) and math.isnan(s.iloc[1])


def test_cagr_of_doubling_over_five_years():
    assert metrics.cagr(100, 200, 5) == pytest.approx((2 ** 0.2 - 1) * 100)
    assert metrics.cagr(1_000, 1_000, 5) == pytest.approx(0.0)


def test_cagr_is_missing_for_a_zero_start_or_a_suppressed_value():
    assert math.isnan(metrics.cagr(0, 200, 5))
    assert math.isnan(metrics.cagr(None, 200, 5))
    s = metrics.cagr(pd.Series([100.0, None, 0.0]), pd.Series([121.0, 5.0, 5.0]), 2)
    assert s.iloc[0] == pytest.approx(10.0) and s.iloc[1:].isna().all()


@pytest.mark.parametrize("wrap", [pd.Series, np.array], ids=["Series", "ndarray"])
def test_metrics_give_the_same_answers_on_series_and_arrays(wrap):
    start = wrap([100.0, np.nan, 0.0, 80.0])
    end = wrap([121.0, 5.0, 5.0, 0.0])
    assert np.allclose(np.asarray(metrics.pct_change(start, end), dtype=float), [21.0, np.nan, np.nan, -100.0],
                       equal_nan=True)
    assert np.allclose(np.asarray(metrics.cagr(start, end, 2), dtype=float), [10.0, np.nan, np.nan, -100.0],
                       equal_nan=True)
    assert np.allclose(np.asarray(metrics.share_pct(end, wrap([242.0, 10.0, 0.0, np.nan])), dtype=float),
                       [50.0, 50.0, np.nan, np.nan], equal_nan=True)
    lq = metrics.location_quotient(wrap([50.0, np.nan]), 500.0, wrap([5.0, 5.0]), 100.0)
    assert np.allclose(np.asarray(lq, dtype=float), [2.0, np.nan], equal_nan=True)


def test_shift_share_components_match_hand_computation_and_sum_to_change():
    # Region industry 1,000 -> 1,200 (+20 %); nation industry 10,000 -> 11,000 (+10 %); nation 100,000 -> 105,000 (+5 %).
    parts = metrics.shift_share(1_000, 1_200, 10_000, 11_000, 100_000, 105_000)
    assert parts["national_share"] == pytest.approx(50)
    assert parts["industry_mix"] == pytest.approx(50)
    assert parts["competitive"] == pytest.approx(100)
    assert parts["actual_change"] == 200


@given(
    e0=st.integers(1, 10**6), e1=st.integers(0, 10**6), n_i0=st.integers(1, 10**8), n_i1=st.integers(0, 10**8),
    n0=st.integers(1, 10**9), n1=st.integers(0, 10**9),
)
def test_shift_share_components_always_sum_to_actual_change(e0, e1, n_i0, n_i1, n0, n1):
    parts = metrics.shift_share(e0, e1, n_i0, n_i1, n0, n1)
    total = parts["national_share"] + parts["industry_mix"] + parts["competitive"]
    scale = abs(parts["national_share"]) + abs(parts["industry_mix"]) + abs(parts["competitive"])
    assert total == pytest.approx(e1 - e0, abs=1e-6 + 1e-12 * scale)  # floating-point cancellation only


def test_shift_share_frame_adds_component_columns():
    frame = pd.DataFrame({"e_ir0": [1_000], "e_ir1": [1_200], "E_i0": [10_000], "E_i1": [11_000],
                          "E0": [100_000], "E1": [105_000]})
    out = metrics.shift_share_frame(frame)
    assert out.loc[0, ["national_share", "industry_mix", "competitive"]].tolist() == pytest.approx([50, 50, 100])
