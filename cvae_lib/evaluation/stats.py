"""Statistics over seeds and between judges: t-based intervals and rank agreement.

With 3 seeds a mean's 95 % interval is mean +/- t(0.975, 2) * s / sqrt(3), and t(0.975, 2) = 4.30, not 1.96 or
2: "two standard errors" claims far more than three runs show. Comparisons between methods are read from these
intervals, one quantity at a time.
"""
import math
from typing import NamedTuple

from scipy import stats as _stats


class Interval(NamedTuple):
    mean: float
    half_width: float
    """t(1 - (1 - confidence)/2, n - 1) * s / sqrt(n); nan with one value"""
    n: int

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width


def t_interval(values, confidence: float = 0.95) -> Interval:
    """Mean of ``values`` and the half-width of its t-based confidence interval."""
    values = [float(v) for v in values]
    if not values:
        raise ValueError("t_interval needs at least one value")
    n = len(values)
    mean = sum(values) / n
    if n == 1:
        return Interval(mean, math.nan, 1)
    s = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    return Interval(mean, float(_stats.t.ppf(0.5 + confidence / 2, n - 1)) * s / math.sqrt(n), n)


def kendall_tau(a, b) -> tuple:
    """(Kendall's tau-b, two-sided p-value) between two scorings of the same methods."""
    result = _stats.kendalltau(list(a), list(b))
    return float(result.statistic), float(result.pvalue)


def welch_p(a, b) -> float:
    """Welch's two-sided t-test p-value between two lists of per-seed values; nan with fewer than two values on
    either side, or with no spread at all (nothing can be shown then)."""
    a, b = [float(v) for v in a], [float(v) for v in b]
    if min(len(a), len(b)) < 2 or (len(set(a)) == 1 and len(set(b)) == 1):
        return math.nan
    import warnings
    with warnings.catch_warnings():  # one side constant up to rounding: scipy warns, the test stays valid
        warnings.simplefilter("ignore", RuntimeWarning)
        return float(_stats.ttest_ind(a, b, equal_var=False).pvalue)


def prediction_p(x: float, values) -> float:
    """Two-sided p-value of one new run's value ``x`` against the seeds' ``values`` of the same recipe: is ``x``
    outside what another seed would give? t = (x - mean) / (s * sqrt(1 + 1/n)) with n - 1 degrees of freedom (the
    prediction interval's test; the pooled two-sample t-test with one value on one side). nan with fewer than two
    values or no spread among them."""
    values = [float(v) for v in values]
    n = len(values)
    if n < 2 or len(set(values)) == 1:
        return math.nan
    mean = sum(values) / n
    s = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    t = (float(x) - mean) / (s * math.sqrt(1 + 1 / n))
    return float(2 * _stats.t.sf(abs(t), n - 1))


def welch_differ(a, b, alpha: float = 0.05) -> bool:
    """Whether Welch's t-test rejects equal means of ``a`` and ``b`` at level ``alpha`` (False where welch_p is
    nan: fewer than two values on either side, or no spread at all)."""
    return welch_p(a, b) < alpha


def welch_p_from_intervals(a: dict, b: dict, confidence: float = 0.95) -> float:
    """Welch's two-sided p-value for two means known only as {mean, half_width, n} (a summary's t-based intervals,
    as review.json stores them): each standard deviation is recovered as half_width * sqrt(n) / t(n - 1). nan
    with fewer than two values on either side."""
    def std(x):
        return x["half_width"] * math.sqrt(x["n"]) / float(_stats.t.ppf(0.5 + confidence / 2, x["n"] - 1))
    if min(a["n"], b["n"]) < 2 or not (a["half_width"] == a["half_width"] and b["half_width"] == b["half_width"]):
        return math.nan
    return float(_stats.ttest_ind_from_stats(a["mean"], std(a), a["n"], b["mean"], std(b), b["n"],
                                             equal_var=False).pvalue)


def paired_p(a, b) -> float:
    """The paired t-test's two-sided p-value between two equally long lists of per-seed values (the same trained
    models scored two ways, seed by seed); nan with fewer than two pairs."""
    a, b = [float(v) for v in a], [float(v) for v in b]
    if len(a) != len(b):
        raise ValueError(f"paired values need equal lengths, got {len(a)} and {len(b)}")
    if len(a) < 2:
        return math.nan
    return float(_stats.ttest_rel(a, b).pvalue)


def holm_adjusted(p_values: dict) -> dict:
    """Holm's adjusted p-values (key -> p): the i-th smallest of m, times m - i + 1, made non-decreasing and capped
    at 1, so that Holm's procedure at level alpha rejects exactly the keys whose adjusted p is at most alpha (a NaN
    p stays NaN and still counts in m, as in reporting.compare.holm)."""
    order = sorted((p, k) for k, p in p_values.items() if p == p)
    out, running = {k: p for k, p in p_values.items() if p != p}, 0.0
    for i, (p, key) in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - i) * p))
        out[key] = running
    return out


def sign_test(k: int, n: int) -> float:
    """Two-sided sign test: the probability, with n fair coin flips, of a count at least as far from n/2 as k."""
    from scipy.stats import binomtest
    return float(binomtest(k, n, 0.5).pvalue)


def seed_test_p(a: dict, b: dict) -> float:
    """Two-sided p-value of a t-test between two methods' per-seed values (run -> value): paired where both hold
    the same runs (two samplers of the same trained models, seed by seed), Welch's otherwise; nan with fewer than
    two values on either side or no spread at all (nothing can be shown: a tie)."""
    x, y = [a[k] for k in sorted(a)], [b[k] for k in sorted(b)]
    if min(len(x), len(y)) < 2 or (len(set(x)) == 1 and len(set(y)) == 1):
        return math.nan
    return paired_p(x, y) if set(a) == set(b) else welch_p(x, y)


class Difference(NamedTuple):
    """mean(a) - mean(b) and the bounds of its t-based confidence interval (nan where fewer than two values on a
    side leave it undefined)."""
    difference: float
    low: float
    high: float
    paired: bool


def difference_interval(a: dict, b: dict, confidence: float = 0.95) -> Difference:
    """The effect of one method over another from their per-seed values (run -> value), with scipy's t interval
    for it: the per-seed differences' (paired) where both hold the same runs, as seed_test_p tests them, Welch's
    (Welch-Satterthwaite degrees of freedom) otherwise; so the interval excludes 0 exactly when seed_test_p is
    below 1 - confidence."""
    x, y = [a[k] for k in sorted(a)], [b[k] for k in sorted(b)]
    paired = set(a) == set(b)
    difference = sum(x) / len(x) - sum(y) / len(y)
    if min(len(x), len(y)) < 2:
        return Difference(difference, math.nan, math.nan, paired)
    import warnings
    with warnings.catch_warnings():  # no spread on either side: scipy warns and gives nan bounds
        warnings.simplefilter("ignore", RuntimeWarning)
        result = _stats.ttest_rel(x, y) if paired else _stats.ttest_ind(x, y, equal_var=False)
        interval = result.confidence_interval(confidence)
    return Difference(difference, float(interval.low), float(interval.high), paired)
