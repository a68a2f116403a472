"""The rate test, the Benjamini-Hochberg correction and the change flags, against values worked out here.

The expected p-values come from two places that do not use SciPy: literal values worked out by
hand in the comments (small binomial distributions), and :func:`exact_two_sided`, which sums the
binomial probabilities as exact fractions.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest

from cyberplan.analytics import stats
from tests.analytics.support import exact_two_sided, hand_bh

# -- the rate test ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "previous", "current_days", "previous_days", "expected"),
    [
        # 10 against 0 over equal periods: X ~ Bin(10, 1/2); P(X=10) = 1/1024 and only X=0 is as
        # unlikely, so p = 2/1024.
        (10, 0, 30, 30, 2 / 1024),
        # 5 against 5: the most likely outcome, p = 1.
        (5, 5, 30, 30, 1.0),
        # 3 against 1 over one day each: Bin(4, 1/2) has probabilities 1, 4, 6, 4, 1 (/16); outcomes
        # no more likely than X=3 (4/16) are 0, 1, 3, 4: p = 10/16.
        (3, 1, 1, 1, 10 / 16),
        # Periods of different length: 1 day against 3, so X ~ Bin(2, 1/4) with probabilities
        # 9/16, 6/16, 1/16. Two events, both in the short period: only X=2 is that unlikely, p = 1/16.
        (2, 0, 1, 3, 1 / 16),
        # The same two events in the long period: X=0 is the most likely outcome, p = 1.
        (0, 2, 1, 3, 1.0),
        # 0 against 6 over equal periods: P(X=0) = P(X=6) = 1/64, p = 2/64.
        (0, 6, 7, 7, 2 / 64),
        # 1 against 0 over a 31-day month and a 30-day one: Bin(1, 31/61); X=1 (31/61) is the most
        # likely outcome, p = 1.
        (1, 0, 31, 30, 1.0),
    ],
)
def test_rate_test_matches_hand_computed_binomial_tails(
    current: int, previous: int, current_days: int, previous_days: int, expected: float
) -> None:
    assert stats.rate_test(current, previous, current_days, previous_days) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("current", "previous", "current_days", "previous_days"),
    [
        (k1, k2, d1, d2)
        for (k1, k2), (d1, d2) in itertools.product(
            [(0, 1), (1, 4), (7, 2), (12, 30), (40, 10), (25, 26), (0, 17), (60, 0)],
            [(30, 30), (31, 30), (28, 31), (92, 90), (1, 7)],
        )
    ],
)
def test_rate_test_is_the_exact_conditional_binomial_test(
    current: int, previous: int, current_days: int, previous_days: int
) -> None:
    share = Fraction(current_days, current_days + previous_days)
    expected = exact_two_sided(current, current + previous, share)
    assert stats.rate_test(current, previous, current_days, previous_days) == pytest.approx(float(expected), rel=1e-9)


def test_rate_test_has_nothing_to_test_without_events_or_days() -> None:
    assert stats.rate_test(0, 0, 30, 30) is None
    for days in (0, -1):
        assert stats.rate_test(3, 1, days, 30) is None
        assert stats.rate_test(3, 1, 30, days) is None


# -- Benjamini-Hochberg ------------------------------------------------------------------------------


def test_benjamini_hochberg_by_hand() -> None:
    # p = 0.01, 0.04, 0.03, 0.005 (m = 4). Sorted: 0.005 (rank 1), 0.01 (2), 0.03 (3), 0.04 (4).
    # p * m / rank: 0.02, 0.02, 0.04, 0.04; the running minimum from the top changes nothing.
    # Back in the order given: 0.02, 0.04, 0.04, 0.02.
    assert stats.benjamini_hochberg([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.02, 0.04, 0.04, 0.02])
    # p = 0.5, 0.01: 0.01 * 2 / 1 = 0.02; 0.5 * 2 / 2 = 0.5.
    assert stats.benjamini_hochberg([0.5, 0.01]) == pytest.approx([0.5, 0.02])
    # p = 0.9, 0.8: 0.8 * 2 / 1 = 1.6 is larger than the 0.9 above it, so it takes 0.9.
    assert stats.benjamini_hochberg([0.9, 0.8]) == pytest.approx([0.9, 0.9])
    # p = 0.04, 0.03, 0.02 (m = 3): 0.02 * 3 = 0.06, 0.03 * 3 / 2 = 0.045, 0.04 * 3 / 3 = 0.04; running
    # minimum from the top: 0.04, 0.04, 0.04. One series alone would pass at 0.05; three need more.
    assert stats.benjamini_hochberg([0.04, 0.03, 0.02]) == pytest.approx([0.04, 0.04, 0.04])
    assert stats.benjamini_hochberg([1.0]) == [1.0]
    assert stats.benjamini_hochberg([]) == []


def test_benjamini_hochberg_matches_the_procedure_written_out() -> None:
    pvalues = [0.001, 0.2, 0.049, 0.7, 0.012, 0.012, 0.03, 1.0, 0.0004, 0.5]
    assert stats.benjamini_hochberg(pvalues) == pytest.approx(hand_bh(pvalues))


# -- flags -------------------------------------------------------------------------------------------


def _rows(*pairs: tuple[str, int, int]) -> list[dict[str, object]]:
    return [{"dimension": "type", "series": name, "current": c, "previous": p} for name, c, p in pairs]


def test_annotate_changes_ratios_pvalues_q_and_flags() -> None:
    rows = stats.annotate_changes(
        _rows(
            ("rise", 40, 10),
            ("fall", 10, 40),
            ("new", 12, 0),
            ("gone", 0, 12),
            ("flat", 11, 10),
            ("empty", 0, 0),
            ("small-but-sure", 11000, 10000),
        ),
        30,
        30,
    )
    by = {row["series"]: row for row in rows}
    # Equal periods: the ratio is current / previous.
    assert (by["rise"]["ratio"], by["rise"]["change"]) == (4.0, 3.0)
    assert (by["fall"]["ratio"], by["fall"]["change"]) == (0.25, -0.75)
    assert (by["gone"]["ratio"], by["gone"]["change"]) == (0.0, -1.0)
    assert (by["flat"]["ratio"], by["flat"]["change"]) == (1.1, 0.1)
    assert (by["small-but-sure"]["ratio"], by["small-but-sure"]["change"]) == (1.1, 0.1)
    assert by["new"]["ratio"] is None and by["new"]["change"] is None
    # Nothing in either period: nothing to test, no q, no flag.
    assert (by["empty"]["p"], by["empty"]["q"], by["empty"]["flag"], by["empty"]["ratio"]) == (None, None, "", None)
    # p-values: the exact binomial test with share 1/2. 12 against 0: 2 / 2^12.
    half = Fraction(1, 2)
    names = ["rise", "fall", "new", "gone", "flat", "small-but-sure"]
    expected_p = {
        name: float(exact_two_sided(by[name]["current"], by[name]["current"] + by[name]["previous"], half))
        for name in names
        if name != "small-but-sure"
    }
    assert expected_p["new"] == expected_p["gone"] == 2 / 4096
    for name, p in expected_p.items():
        assert by[name]["p"] == pytest.approx(p, rel=1e-9)
    # 11,000 against 10,000 is about 6.9 standard deviations from an even split: p is tiny.
    assert by["small-but-sure"]["p"] < 1e-9
    # q: Benjamini-Hochberg over the six tested series only.
    tested = [by[name]["p"] for name in names]
    for name, q in zip(names, hand_bh(tested), strict=True):
        assert by[name]["q"] == pytest.approx(q, rel=1e-9)
    assert {row["series"]: row["flag"] for row in rows} == {
        "rise": "rise",
        "fall": "fall",
        "new": "new",
        "gone": "gone",
        "flat": "",  # not significant
        "empty": "",
        "small-but-sure": "",  # significant, but a rise of 10 % is below the 1.25 ratio
    }


def test_ratio_is_a_ratio_of_rates_per_day() -> None:
    # 31 events in a 31-day month against 30 in a 30-day month: the same rate, ratio 1.
    [row] = stats.annotate_changes(_rows(("a", 31, 30)), 31, 30)
    assert (row["ratio"], row["change"]) == (1.0, 0.0)
    # 2,800 in February (28 days) against 3,100 in January (31 days): 100 a day each, ratio 1, no flag
    # although the count fell by 10 %.
    [row] = stats.annotate_changes(_rows(("a", 2800, 3100)), 28, 31)
    assert (row["ratio"], row["flag"]) == (1.0, "")
    # The same counts over equal periods are a significant fall of 10 %: below the threshold, no flag.
    [row] = stats.annotate_changes(_rows(("a", 2800, 3100)), 31, 31)
    assert row["ratio"] == round(2800 / 3100, 4) and row["q"] < stats.ALPHA and row["flag"] == ""


@pytest.mark.parametrize(
    ("current", "previous", "flag"),
    [
        (1250, 1000, "rise"),  # exactly 1.25
        (1249, 1000, ""),
        (124996, 100000, ""),  # 1.24996 shows as 1.25 once rounded, but is below the threshold
        (800, 1000, "fall"),  # exactly 1 / 1.25
        (801, 1000, ""),
    ],
)
def test_the_ratio_threshold_is_inclusive_and_exact(current: int, previous: int, flag: str) -> None:
    [row] = stats.annotate_changes(_rows(("a", current, previous)), 30, 30)
    assert row["q"] < stats.ALPHA  # every case here is statistically significant
    assert row["flag"] == flag


def test_the_correction_can_remove_a_flag_a_single_test_would_give() -> None:
    # 6 against 0 over equal periods: p = 2/64 = 0.03125, a "new" series on its own.
    [alone] = stats.annotate_changes(_rows(("a", 6, 0)), 30, 30)
    assert alone["p"] == pytest.approx(2 / 64) and alone["q"] == pytest.approx(2 / 64) and alone["flag"] == "new"
    # With two flat series beside it (p = 1 each), its q is 0.03125 * 3 / 1 = 0.09375: no flag.
    rows = stats.annotate_changes(_rows(("a", 6, 0), ("b", 5, 5), ("c", 7, 7)), 30, 30)
    assert rows[0]["q"] == pytest.approx(0.09375) and rows[0]["flag"] == ""


def test_zero_length_periods_and_no_rows() -> None:
    assert stats.annotate_changes([], 30, 30) == []
    [row] = stats.annotate_changes(_rows(("a", 5, 3)), 30, 0)
    assert (row["ratio"], row["p"], row["q"], row["flag"]) == (None, None, None, "")
