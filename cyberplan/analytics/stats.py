"""Significance of period-over-period changes.

The test: for each series (an RSIT type, a sector), the counts in the two periods are treated as
Poisson with rates per day, and the exact conditional test compares the rates. Given the total
``k1 + k2``, the current count ``k1`` is binomial with probability ``d1 / (d1 + d2)`` under the
hypothesis that the rate did not change (``d1``, ``d2``: the periods' lengths in days, so a
31-day month is fairly compared with a 30-day one). The two-sided p-value is SciPy's exact
``binomtest``. Because a report tests many series at once, the p-values of one comparison are
corrected with the Benjamini-Hochberg procedure (false discovery rate), giving ``q``.

A change is flagged as a significant rise or fall when ``q`` is below :data:`ALPHA` **and** the
rate changed by at least :data:`MIN_RATIO` (or its inverse). The second condition matters for
CSIRT feeds: with hundreds of thousands of events even a 1 % change is statistically
"significant", but not worth a line in a national report. Events of automated feeds are not
independent (the same vulnerable host is reported every day), so the Poisson model understates the
variance; the ratio threshold and the correction keep the flags for changes that are large.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from scipy import stats as scipy_stats

ALPHA = 0.05
MIN_RATIO = 1.25


def rate_test(current: int, previous: int, current_days: int, previous_days: int) -> float | None:
    """Two-sided p-value of the exact conditional Poisson rate test, None when there is nothing to test."""
    total = current + previous
    if total == 0 or current_days <= 0 or previous_days <= 0:
        return None
    share = current_days / (current_days + previous_days)
    return float(scipy_stats.binomtest(current, total, share).pvalue)


def benjamini_hochberg(pvalues: list[float]) -> list[float]:
    """False-discovery-rate adjusted p-values, in the order given."""
    if not pvalues:
        return []
    return [float(q) for q in scipy_stats.false_discovery_control(pvalues, method="bh")]


def annotate_changes(rows: list[dict[str, Any]], current_days: int, previous_days: int) -> list[dict[str, Any]]:
    """Add ``ratio``, ``change``, ``p``, ``q`` and ``flag`` (rise, fall, new, gone or empty) to each row."""
    tested: list[int] = []
    pvalues: list[float] = []
    for index, row in enumerate(rows):
        current, previous = int(row["current"]), int(row["previous"])
        if previous > 0 and current_days > 0 and previous_days > 0:
            ratio = (current / current_days) / (previous / previous_days)
            row["ratio"] = round(ratio, 4)
            row["change"] = round(ratio - 1.0, 4)
        else:
            row["ratio"] = None
            row["change"] = None
        p = rate_test(current, previous, current_days, previous_days)
        row["p"] = p
        row["q"] = None
        row["flag"] = ""
        if p is not None:
            tested.append(index)
            pvalues.append(p)
    for index, q in zip(tested, benjamini_hochberg(pvalues), strict=True):
        row = rows[index]
        row["q"] = q
        if q >= ALPHA:
            continue
        if row["previous"] == 0:
            row["flag"] = "new"
        elif row["current"] == 0:
            row["flag"] = "gone"
        else:
            # The threshold is applied to the exact ratio of rates, in integers: the rounded
            # ``ratio`` shown would flag 1.24996 as a rise of 1.25.
            exact = Fraction(int(row["current"]) * previous_days, int(row["previous"]) * current_days)
            threshold = Fraction(str(MIN_RATIO))
            if exact >= threshold:
                row["flag"] = "rise"
            elif exact <= 1 / threshold:
                row["flag"] = "fall"
    return rows
