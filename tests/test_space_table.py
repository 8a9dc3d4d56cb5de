"""The table of every method's FD in five feature spaces (cvae_lib.reporting.space_table), checked against numbers
worked out by hand."""
import pytest

from cvae_lib.reporting import space_table


def _entry(tau, fd_a, fd_b):
    return {"tau": tau, "test": {"classifier": {"fd": {"mean": fd_a}}, "judge": {"fd": {"mean": fd_b}}}}


def test_rows_give_each_method_at_its_operating_point_and_the_answers_pair_again_at_tau_one():
    review = {"methods": {"conv · prior": _entry(1.1, 151.01, 16.94), "conv gan · prior": _entry(0.8, 31.04, 4.428),
                          "mlp · prior": _entry(1.0, 179.9, 17.1), "conv gan · gmm": _entry(1.0, 40.4, 3.17)},
              "real": {"test": {"classifier": {"fd": 0.7105}, "judge": {"fd": 0.04347}}}}
    free = {"real": {"random_network": 2.2e-6, "autoencoder": 0.1938, "pixels": 0.02637},
            "methods": {"conv · prior": {"random_network": [1.2e-3, 1.3e-3], "autoencoder": [4.7, 4.8],
                                         "pixels": [0.39, 0.41], "tau": 1.1,
                                         "tau_one": {"random_network": [1e-3, 1e-3], "autoencoder": [6.0, 6.0],
                                                     "pixels": [0.5, 0.5]}},
                        "conv gan · prior": {"random_network": [1.5e-4, 2.5e-4], "autoencoder": [4.2, 4.36],
                                             "pixels": [0.48, 0.5], "tau": 0.8},
                        "mlp · prior": {"autoencoder": [6.6], "pixels": [0.65], "tau": 1.0}}}  # no random network
    labels = {"mlp · prior": "MLP", "conv · prior": "CONV", "conv gan · prior": "GAN", "conv gan · gmm": "GAN+GMM"}
    rows = space_table.rows(review, free, labels, "real", "{name} at 1")
    # the MLP lacks a space and the mixture was not scored: both left out; the labels' order is kept
    assert [r[0] for r in rows] == ["CONV", "CONV at 1", "GAN", "real"]
    # (1.2e-3 + 1.3e-3) / 2 = 1.25e-3, printed times 1,000; (4.7 + 4.8) / 2 = 4.75; (0.39 + 0.41) / 2 = 0.4
    assert rows[0] == ["CONV", "1.1", "151", "16.9", "1.25", "4.75", "0.400"]
    assert rows[1] == ["CONV at 1", "1", "–", "–", "1.00", "6.00", "0.500"]  # judges' tau = 1 FD: Appendix B
    assert rows[2] == ["GAN", "0.8", "31.0", "4.43", "0.200", "4.28", "0.490"]  # no tau_one: no second row
    assert rows[3] == ["real", "–", "0.711", "0.0435", "0.00220", "0.194", "0.0264"]
    only = space_table.rows(review, free, labels, "real", "{name} at 1", tau_one_for={"conv gan · prior"})
    assert [r[0] for r in only] == ["CONV", "GAN", "real"]  # the tau = 1 rows of the named methods only
    # with the review's curves the tau = 1 row gets the judges' test FDs too: seed means of the points at tau = 1
    point = lambda tau, a, b: {"tau": tau, "test": {"classifier": {"fd": a}, "judge": {"fd": b}}}  # noqa: E731
    curves = {"conv · prior": {"s0": [point(1.0, 158.0, 19.0), point(1.1, 1.0, 1.0)],
                               "s1": [point(1.0, 162.0, 20.0), point(1.1, 1.0, 1.0)]}}
    with_curves = space_table.rows(review, free, labels, "real", "{name} at 1", curves=curves)
    assert with_curves[1] == ["CONV at 1", "1", "160", "19.5", "1.00", "6.00", "0.500"]
    assert with_curves[0] == rows[0] and with_curves[2:] == rows[2:]


def test_a_reversal_needs_both_judges_ahead_and_both_label_free_spaces_behind():
    review = {"methods": {"mlp · prior": _entry(1.0, 180, 17.1), "mlp gan · prior": _entry(0.7, 93.4, 10.0),
                          "mlp vamp · prior": _entry(1.0, 113, 11.6), "mlp rms · prior": _entry(1.0, 243, 20.2),
                          "mlp gan · gmm": _entry(1.0, 59.8, 4.47)}}
    free = {"methods": {"mlp · prior": {"autoencoder": [6.6, 6.7], "pixels": [0.65]},
                        "mlp gan · prior": {"autoencoder": [13.5], "pixels": [2.1]},  # judges ahead, both spaces behind
                        "mlp vamp · prior": {"autoencoder": [2.75], "pixels": [0.35]},  # ahead everywhere
                        "mlp rms · prior": {"autoencoder": [12.3], "pixels": [1.5]},  # behind everywhere: no reversal
                        "mlp gan · gmm": {"autoencoder": [20.0], "pixels": [3.0]}}}  # a mixture: not prior-sampled
    assert space_table.reversed_methods(review, free) == ["mlp gan · prior"]
    # the untrained network still puts it ahead of its original: (0.8e-3 + 0.82e-3) / 2 = 0.81e-3 against 1.82e-3
    free["methods"]["mlp gan · prior"]["random_network"] = [0.8e-3, 0.82e-3]
    free["methods"]["mlp · prior"]["random_network"] = [1.82e-3]
    assert space_table.random_favours(free, ["mlp gan · prior"]) == [
        ("mlp gan · prior", pytest.approx(0.81), pytest.approx(1.82))]
    free["methods"]["mlp gan · prior"]["random_network"] = [2.0e-3]  # behind there too: not favoured
    assert space_table.random_favours(free, ["mlp gan · prior"]) == []
    del free["methods"]["mlp · prior"]["random_network"]  # the original not scored there: nothing to say
    assert space_table.random_favours(free, ["mlp gan · prior"]) == []
    free["methods"]["mlp gan · prior"]["pixels"] = [0.6]  # behind in one space only
    assert space_table.reversed_methods(review, free) == []


def test_numbers_keep_three_significant_digits_without_exponents():
    assert [space_table.number(x) for x in (180.4, 31.04, 4.428, 0.3974, 0.04347, 0.0022094)] == \
        ["180", "31.0", "4.43", "0.397", "0.0435", "0.00221"]
    assert space_table.number(float("nan")) == "–"


def test_the_random_network_comparison_is_welchs_test_and_the_means_ratio():
    from scipy import stats
    free = {"methods": {"conv gan · prior": {"random_network": [1.5e-4, 2.5e-4, 2.0e-4]},
                        "conv · prior": {"random_network": [1.2e-3, 1.3e-3, 1.1e-3]}}}
    said = space_table.random_network(free, "conv gan · prior", "conv · prior")
    assert said["ratio"] == pytest.approx(1.2e-3 / 2.0e-4)
    assert said["p"] == pytest.approx(stats.ttest_ind([1.5e-4, 2.5e-4, 2.0e-4], [1.2e-3, 1.3e-3, 1.1e-3],
                                                      equal_var=False).pvalue)
    assert space_table.random_network(free, "conv gan · gmm", "conv · prior") == {}  # not scored there


def test_the_two_originals_are_compared_in_the_verdict_spaces_by_welch_tests_holm_adjusted():
    from scipy import stats
    mlp = {"tau": 1.0, "random_network": [1.81e-3, 1.85e-3, 1.79e-3], "autoencoder": [6.62, 6.62, 6.72],
           "pixels": [0.655, 0.648, 0.651]}
    conv = {"tau": 1.1, "random_network": [1.31e-3, 1.11e-3, 1.22e-3], "autoencoder": [4.91, 4.74, 4.62],
            "pixels": [0.428, 0.379, 0.386],
            "tau_one": {"random_network": [1.4e-3, 1.3e-3, 1.35e-3], "autoencoder": [5.0, 5.1, 4.9],
                        "pixels": [0.45, 0.44, 0.46]}}
    free = {"methods": {"mlp · prior": mlp, "conv · prior": conv}}
    out = space_table.backbones(free, "mlp · prior", "conv · prior")
    # the untrained network's features are left out (they reward noise): two tests, autoencoder codes and pixels
    assert space_table.VERDICT_SPACES == ("autoencoder", "pixels") and set(out["p"]) == {"autoencoder", "pixels"}
    raw = {s: stats.ttest_ind(conv[s], mlp[s], equal_var=False).pvalue for s in space_table.VERDICT_SPACES}
    order = sorted(raw, key=raw.get)  # Holm by hand: the i-th smallest of 2 times 2 - i, running maximum
    adjusted, running = {}, 0.0
    for i, s in enumerate(order):
        running = max(running, min(1.0, (2 - i) * raw[s]))
        adjusted[s] = running
    assert out["p"] == pytest.approx(adjusted) and max(adjusted.values()) < 0.05
    assert out["side"] == "lower"  # conv below the MLP in both, each significant after the correction
    mlp["random_network"] = [1e-4, 1e-4, 1.1e-4]  # the untrained network reversed: no verdict changes
    assert space_table.backbones(free, "mlp · prior", "conv · prior")["side"] == "lower"
    assert space_table.backbones(free, "mlp · prior", "conv · prior", space_table.FREE_SPACES)["side"] == ""
    assert out["spaces"]["pixels"] == pytest.approx({"mlp": (0.655 + 0.648 + 0.651) / 3, "conv": (0.428 + 0.379 + 0.386) / 3})
    assert out["same_at_one"] is True  # conv's tau = 1 draws (the MLP's operating point is 1 already) agree
    conv["tau_one"]["pixels"] = [0.65, 0.66, 0.64]  # at tau = 1 conv no longer beats the MLP in pixels
    assert space_table.backbones(free, "mlp · prior", "conv · prior")["same_at_one"] is False
    del conv["tau_one"]
    assert space_table.backbones(free, "mlp · prior", "conv · prior")["same_at_one"] is None
    conv["pixels"] = [0.66, 0.64, 0.65]  # one space without a difference: no side
    assert space_table.backbones(free, "mlp · prior", "conv · prior")["side"] == ""
    del mlp["autoencoder"]
    assert space_table.backbones(free, "mlp · prior", "conv · prior") == {}


def test_the_answers_two_samplers_are_split_space_by_space():
    review = {"methods": {"gan · gmm": _entry(1.0, 40.4, 3.17), "gan · prior": _entry(0.8, 31.0, 4.43)}}
    free = {"methods": {"gan · gmm": {"random_network": [4.6e-4, 4.8e-4], "autoencoder": [1.8, 1.84], "pixels": [0.27, 0.29]},
                        "gan · prior": {"random_network": [1.7e-4, 1.8e-4], "autoencoder": [4.2, 4.36], "pixels": [0.48, 0.5]}}}
    # judge A 40.4 > 31.0 and the random network 4.7e-4 > 1.75e-4: the prior's; judge B 3.17 < 4.43, the autoencoder
    # 1.82 < 4.28, pixels 0.28 < 0.49: the mixture's
    assert space_table.sampler_split(review, free, "gan · gmm", "gan · prior") == {
        "gmm": ["judge_b", "autoencoder", "pixels"], "prior": ["judge_a", "random_network"]}
    del free["methods"]["gan · gmm"]["pixels"]
    assert space_table.sampler_split(review, free, "gan · gmm", "gan · prior") == {}
