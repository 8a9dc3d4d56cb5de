"""compare.py's statistics and verdicts on hand-made tables, checked against direct computations."""
import math

import numpy as np
import pandas as pd

from cvae_lib import compare


def _table(mlp: dict, conv: dict) -> pd.DataFrame:
    rows = []
    for arch, params, values in (("mlp", 913_296, mlp), ("conv", 708_545, conv)):
        n = len(next(iter(values.values())))
        for i in range(n):
            rows.append({"run": f"{arch}-s{i}", "architecture": arch, "parameters": params,
                         **{k: v[i] for k, v in values.items()}})
    return pd.DataFrame(rows)


def test_difference_is_the_mean_difference_with_welch_standard_error():
    table = _table({"test_neg_elbo": [236.8, 236.9, 236.7]}, {"test_neg_elbo": [236.2, 236.6, 236.4, 236.0]})
    d = compare.difference(table, "test_neg_elbo", "mlp", "conv")
    a, b = np.array([236.8, 236.9, 236.7]), np.array([236.2, 236.6, 236.4, 236.0])
    assert math.isclose(d["diff"], b.mean() - a.mean())
    assert math.isclose(d["se"], math.sqrt(np.var(a, ddof=1) / 3 + np.var(b, ddof=1) / 4))
    assert d["n"] == (3, 4)
    one_seed = compare.difference(_table({"fd": [1.0]}, {"fd": [2.0]}), "fd", "mlp", "conv")
    assert math.isnan(one_seed["se"])


def test_mean_std_strings():
    table = _table({"fd": [1.0, 2.0, 3.0]}, {"fd": [5.0]})
    assert compare.mean_std(table, "fd").to_dict() == {"mlp": "2.00 ± 1.00", "conv": "5.00"}


def test_verdicts_rank_by_direction_and_two_standard_errors_and_skip_descriptive_metrics():
    table = _table(
        {"test_neg_elbo": [236.8, 236.9, 236.7], "conditional_accuracy": [0.80, 0.79, 0.81],
         "fd": [178.0, 182.0, 180.0], "interp_cross_mean_step_change": [1.0, 1.1, 0.9]},
        {"test_neg_elbo": [236.2, 236.3, 236.1],  # lower: better
         "conditional_accuracy": [0.70, 0.71, 0.69],  # lower: worse
         "fd": [179.0, 181.0, 183.0],  # within noise
         "interp_cross_mean_step_change": [9.0, 9.1, 8.9]})  # descriptive: never counted
    [sentence] = compare.metric_verdicts(table)
    assert "Across 3 ranked evaluation metrics" in sentence
    assert "better on 1 (test −ELBO (nats))" in sentence
    assert "worse on 1 (conditional accuracy)" in sentence
    assert "indistinguishable within two standard errors on 1" in sentence
    assert "matches or beats mlp on every ranked metric except conditional accuracy" in sentence
    assert "22% fewer parameters" in sentence
    assert "mean image change per interpolation step: shown, not ranked" in sentence


def test_one_seed_makes_every_difference_unresolved():
    [sentence] = compare.metric_verdicts(_table({"fd": [100.0]}, {"fd": [200.0]}))
    assert "one seed per architecture" in sentence and "worse on 0" in sentence
    assert "conv and mlp cannot be told apart on any ranked metric" in sentence


def test_verdict_words_follow_the_numbers_when_conv_loses():
    worse_everywhere = _table({"test_neg_elbo": [230.0, 230.1, 229.9], "fd": [100.0, 101.0, 99.0]},
                              {"test_neg_elbo": [240.0, 240.1, 239.9], "fd": [200.0, 201.0, 199.0]})
    [sentence] = compare.metric_verdicts(worse_everywhere)
    assert "better on 0 (none)" in sentence and "worse on 2" in sentence
    assert "conv is worse than mlp on every ranked metric" in sentence and "matches or beats" not in sentence
    mostly_worse = _table({"test_neg_elbo": [230.0, 230.1, 229.9], "fd": [100.0, 101.0, 99.0],
                           "conditional_accuracy": [0.8, 0.81, 0.79]},
                          {"test_neg_elbo": [240.0, 240.1, 239.9], "fd": [200.0, 201.0, 199.0],
                           "conditional_accuracy": [0.9, 0.91, 0.89]})
    [sentence] = compare.metric_verdicts(mostly_worse)
    assert "conv is worse than mlp on most ranked metrics" in sentence


def _sized(params_conv, epoch_mlp, epoch_conv):
    table = _table({"test_neg_elbo": [1.0]}, {"test_neg_elbo": [1.0]})
    table["parameters"] = [913_296, params_conv]
    table["seconds_per_epoch"] = [epoch_mlp, epoch_conv]
    table["checkpoint_bytes"] = [3_655_000, 4 * params_conv + 3000]
    table["checkpoint_ls_h"] = ["3.5M", "?"]
    return table


def test_size_and_speed_sentences_say_fewer_or_more_and_the_compute_remark_only_when_it_holds():
    assert "22.4% fewer" in compare.size_sentence(_sized(708_545, 3.0, 12.0))
    assert "9.5% more" in compare.size_sentence(_sized(1_000_000, 3.0, 12.0))
    slower_and_smaller = compare.speed_sentence(_sized(708_545, 3.0, 12.0))
    assert "4.0× as long" in slower_and_smaller and "fewer parameters but needs more compute" in slower_and_smaller
    assert "compute" not in compare.speed_sentence(_sized(708_545, 12.0, 3.0))  # smaller and faster: no remark
    assert "compute" not in compare.speed_sentence(_sized(1_000_000, 3.0, 12.0))  # larger and slower: no remark
