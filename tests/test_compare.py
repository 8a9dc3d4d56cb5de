"""compare.py's statistics and verdicts on hand-made tables, checked against direct computations."""
import math

import numpy as np
import pandas as pd
import pytest

from cvae_lib.reporting import compare


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
    from scipy import stats
    welch = stats.ttest_ind(b, a, equal_var=False)  # the verdict is scipy's Welch test at 5 %
    assert d["resolved"] == (welch.pvalue < 0.05)
    close = compare.difference(_table({"fd": [10.0, 12.0, 14.0]}, {"fd": [14.0, 16.0, 18.0]}), "fd", "mlp", "conv")
    assert abs(close["diff"]) > 2 * close["se"] and not close["resolved"]  # two SE pass, the t-test does not
    assert stats.ttest_ind([14.0, 16.0, 18.0], [10.0, 12.0, 14.0], equal_var=False).pvalue > 0.05
    one_seed = compare.difference(_table({"fd": [1.0]}, {"fd": [2.0]}), "fd", "mlp", "conv")
    assert math.isnan(one_seed["se"])


def test_mean_std_strings():
    table = _table({"fd": [1.0, 2.0, 3.0]}, {"fd": [5.0]})
    assert compare.mean_std(table, "fd").to_dict() == {"mlp": "2.00 ± 1.00", "conv": "5.00"}


def test_metrics_are_ranked_by_direction_and_welchs_t_test_and_descriptive_ones_are_not():
    table = _table(
        {"test_neg_iwae": [236.8, 236.9, 236.7], "conditional_accuracy": [0.80, 0.79, 0.81],
         "fd": [178.0, 182.0, 180.0], "interp_cross_mean_step_change": [1.0, 1.1, 0.9], "active_units": [12, 13, 13],
         "test_neg_elbo": [240.0, 240.1, 239.9]},
        {"test_neg_iwae": [236.2, 236.3, 236.1],  # lower, but a likelihood bound: described, not ranked
         "conditional_accuracy": [0.70, 0.71, 0.69],  # lower: worse
         "fd": [179.0, 181.0, 183.0],  # within noise
         "interp_cross_mean_step_change": [9.0, 9.1, 8.9], "active_units": [25, 24, 25],  # descriptive
         "test_neg_elbo": [239.0, 239.1, 238.9]})  # a looser bound of the same likelihood
    groups = compare.rank_metrics(table)
    assert groups == {"better": [], "worse": ["conditional_accuracy"], "tied": ["fd"],
                      "descriptive": ["test_neg_elbo", "test_neg_iwae", "active_units", "interp_cross_mean_step_change"]}
    assert compare.verdict_key(groups) == "mostly_worse"


def test_verdict_key_follows_the_counts():
    key = lambda b, w, t: compare.verdict_key({"better": ["x"] * b, "worse": ["x"] * w, "tied": ["x"] * t})  # noqa: E731
    assert key(3, 0, 1) == "beats" and key(0, 0, 4) == "tied" and key(0, 3, 0) == "all_worse"
    assert key(1, 3, 0) == "mostly_worse" and key(3, 1, 1) == "except"


def test_one_seed_makes_every_difference_unresolved():
    groups = compare.rank_metrics(_table({"fd": [100.0]}, {"fd": [200.0]}))
    assert groups["tied"] == ["fd"] and compare.verdict_key(groups) == "tied"


def test_a_test_loss_that_runs_away_at_the_end_is_called_unstable(tmp_path):
    import pandas as pd
    from cvae_lib.reporting.findings import loss_stability
    steady = pd.DataFrame({"epoch": [1, 2, 3], "train_total": [300.0, 250.0, 240.0], "test_total": [290.0, 245.0, 242.0]})
    steady.to_csv(tmp_path / "history.csv", index=False)
    assert loss_stability(tmp_path) == {"min_test": 242.0, "min_epoch": 3, "last_test": 242.0, "last_train": 240.0,
                                             "last_epoch": 3, "unstable": False}
    runaway = steady.assign(test_total=[4000.0, 9000.0, 5.3e7], train_total=[-1400.0, -1450.0, -1417.0])
    runaway.to_csv(tmp_path / "history.csv", index=False)
    found = loss_stability(tmp_path)
    assert found["unstable"] and found["min_epoch"] == 1 and found["last_test"] == 5.3e7


def test_the_iwae_gain_carries_the_standard_error_of_paired_differences():
    import torch
    from cvae_lib.evaluation.evaluate import iwae_bound
    from cvae_lib.modelling.models import build_model
    from cvae_lib.reporting.demos import elbo_gap
    torch.manual_seed(0)
    model = build_model("mlp").eval()
    images, labels = torch.rand(40, 1, 28, 28), torch.arange(40) % 10
    gap = elbo_gap(model, images, labels, ks=(1, 5), seed=3)
    first, fifth = (iwae_bound(model, images, labels, k, seed=3) for k in (1, 5))
    paired = (fifth - first).std().item() / 40 ** 0.5
    assert gap.loc[1, "gain over k=1"] == pytest.approx((fifth - first).mean().item(), rel=1e-5)
    assert gap.loc[1, "gain_std_error"] == pytest.approx(paired, rel=1e-5)


def test_holm_steps_down_and_stops_at_the_first_p_that_fails():
    # m = 3: 0.01 <= 0.05/3 is rejected; 0.03 > 0.05/2 stops, so 0.04 <= 0.05 is not tested
    assert compare.holm({"a": 0.01, "b": 0.04, "c": 0.03}) == {"a"}
    assert compare.holm({"a": 0.01, "b": 0.02, "c": 0.04}) == {"a", "b", "c"}  # 0.0167, 0.025, 0.05
    assert compare.holm({"a": float("nan"), "b": 0.02}) == {"b"}  # m counts the NaN: 0.02 <= 0.05/2
    assert compare.holm({"a": 0.03, "b": float("nan")}) == set()  # 0.03 > 0.05/2


def test_a_verdict_that_passes_alone_can_fail_holms_correction():
    from scipy import stats
    mlp = {"fd": [180.0, 181.0, 179.0], "conditional_accuracy": [0.800, 0.795, 0.808],
           "reconstruction_accuracy": [0.86, 0.87, 0.85], "interp_cross_max_over_mean": [1.5, 1.4, 1.6]}
    conv = {**{k: list(v) for k, v in mlp.items()}, "fd": [160.0, 161.0, 159.0],
            "conditional_accuracy": [0.821, 0.815, 0.830]}
    p_acc = stats.ttest_ind(conv["conditional_accuracy"], mlp["conditional_accuracy"], equal_var=False).pvalue
    assert 0.05 / 3 < p_acc < 0.05  # significant alone, not after Holm over 4 metrics (FD's tiny p goes first)
    table = _table(mlp, conv)
    assert compare.difference(table, "conditional_accuracy", "mlp", "conv")["p"] == pytest.approx(p_acc)
    groups = compare.rank_metrics(table)
    assert groups["better"] == ["fd"] and "conditional_accuracy" in groups["tied"]
    assert compare.difference(table, "conditional_accuracy", "mlp", "conv")["resolved"]  # the uncorrected test


def test_table_one_verdicts_end_with_the_holm_adjusted_p_of_welchs_test():
    from scipy import stats
    from cvae_lib.reporting.findings import comparison_rows
    mlp = {"fd": [180.0, 181.0, 179.0], "conditional_accuracy": [0.800, 0.795, 0.808],
           "reconstruction_accuracy": [0.86, 0.87, 0.85], "interp_cross_max_over_mean": [1.5, 1.4, 1.6]}
    conv = {**{k: list(v) for k, v in mlp.items()}, "fd": [160.0, 161.0, 159.0],
            "conditional_accuracy": [0.821, 0.815, 0.830]}
    raw = {k: stats.ttest_ind(conv[k], mlp[k], equal_var=False).pvalue for k in mlp}
    ordered = sorted(raw, key=raw.get)  # Holm by hand: the i-th smallest times (4 - i), kept non-decreasing
    adjusted, running = {}, 0.0
    for i, k in enumerate(ordered):
        running = max(running, min(1.0, (4 - i) * raw[k]))
        adjusted[k] = running
    def words(key, **v):  # the verdict with its p as the language file's "verdict_p" puts them
        return f"{v['verdict']} ({v['p']})" if key == "verdict_p" else key
    rows = {r[0]: r[-1] for r in comparison_rows(_table(mlp, conv), words)}
    assert rows["metric_fd"].startswith("verdict_conv_better (p ")
    accuracy = rows["metric_conditional_accuracy"]
    assert accuracy.startswith("verdict_tie (p = ")  # significant alone, not after the correction
    assert float(accuracy.split("= ")[1].rstrip(")")) == pytest.approx(adjusted["conditional_accuracy"], rel=0.01)
    assert adjusted["conditional_accuracy"] > 0.05 > raw["conditional_accuracy"]
    disputed = {r[0]: r[-1] for r in comparison_rows(_table(mlp, conv), words, disputed=("fd", "conditional_accuracy"))}
    assert disputed["metric_fd"].startswith("verdict_a_reversed (p ")  # judge A's winner, reversed in B, its p kept
    assert disputed["metric_fd"] == rows["metric_fd"].replace("verdict_conv_better", "verdict_a_reversed")
    assert disputed["metric_conditional_accuracy"] == accuracy.replace("verdict_tie", "verdict_first_judge")
    def named(key, **v):  # the reversed verdict with the winner it names; the p left out
        return v["verdict"] if key == "verdict_p" else f"{key}[{v['arch']}]" if "arch" in v else key
    fd = [r[-1] for r in comparison_rows(_table(mlp, conv), named, disputed=("fd",)) if r[0] == "metric_fd"]
    assert fd == ["verdict_a_reversed[conv]"]  # conv's FD is lower here
    elbo = {"test_neg_elbo": [236.9, 236.8, 237.0]}  # a bound: described, not ranked
    labels = {"metric_fd": "FD ↓", "metric_test_neg_elbo": "−ELBO ↓"}
    arrows = [r[0] for r in comparison_rows(_table({**mlp, **elbo}, {**conv, **elbo}), lambda key, **_: labels.get(key, key))]
    assert "FD ↓" in arrows and "−ELBO" in arrows  # a ranked row keeps its arrow, a described one loses it


def test_normalizer_split_matches_torchs_continuous_bernoulli():
    import torch
    from torch.distributions import ContinuousBernoulli
    from cvae_lib.modelling.models import build_model, one_hot
    from cvae_lib.reporting.findings import normalizer_split
    torch.manual_seed(0)
    model = build_model("mlp").eval()
    x = torch.rand(6, 1, 28, 28) * (torch.rand(6, 1, 28, 28) > 0.5)  # grey levels and exact zeros
    y = torch.arange(6) % 10
    out = normalizer_split(model, x, y, batch_size=4)
    with torch.no_grad():
        mu, _ = model.encode(x, one_hot(y))
        logits = model.decode_logits(mu, one_hot(y)).flatten(1)
        at_mu = ContinuousBernoulli(logits=logits).log_prob(x.flatten(1)).sum(1)
        assert out["bernoulli"] + out["normalizer"] == pytest.approx(float(at_mu.mean()), abs=1e-3)  # torch: a Taylor series near 1/2
        assert out["mean_log_abs_logit"] == pytest.approx(float(logits.abs().log().mean()), abs=1e-3)  # a mean near 0
