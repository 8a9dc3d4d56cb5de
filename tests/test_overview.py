"""Section 4's overview table (cvae_lib.reporting.overview): one row per extension against its backbone's
original, tested over seeds with Holm's correction, checked against scipy's tests and a by-hand Holm."""
import pandas as pd
import pytest
from scipy import stats

from cvae_lib.reporting import overview
from cvae_lib.reporting.document import fill
from cvae_lib.reporting.document import texts

BASE = {"fd": [180.0, 179.0, 181.0], "accuracy": [0.80, 0.81, 0.79], "recall": [0.10, 0.11, 0.09]}


def row(label, kind, fd, accuracy, recall=(0.1, 0.1, 0.1), same_runs=True, architecture="mlp", tau=None):
    """A row as review_rows and board_rows build them: per quantity (values, the original's), keyed by run."""
    runs = ["a", "b", "c"]
    mine = runs if same_runs else ["x", "y", "z"]
    values = {q: (dict(zip(mine, new)), dict(zip(runs, BASE[q])))
              for q, new in (("fd", fd), ("accuracy", accuracy), ("recall", recall))}
    return {"label": label, "kind": kind, "tau": tau, "architecture": architecture, "values": values}


@pytest.fixture
def word():
    words = texts("en")["words"]
    return lambda key, **v: fill(words[key], v)


def test_p_values_are_paired_for_samplers_of_the_same_runs_and_welch_otherwise():
    sampler = row("GMM", "sampler", [120.0, 126.0, 125.0], [0.86, 0.88, 0.85])
    model = row("VampPrior", "retrained", [110.0, 114.0, 113.0], [0.84, 0.85, 0.85], same_runs=False)
    p = overview.p_values([sampler, model])
    assert p[(0, "fd")] == pytest.approx(stats.ttest_rel([120.0, 126.0, 125.0], BASE["fd"]).pvalue)
    assert p[(1, "fd")] == pytest.approx(stats.ttest_ind([110.0, 114.0, 113.0], BASE["fd"], equal_var=False).pvalue)
    assert set(p) == {(0, "fd"), (0, "accuracy"), (1, "fd"), (1, "accuracy")}  # recall is descriptive


def test_the_fd_change_interval_is_the_paired_or_welch_t_interval_and_excludes_0_where_p_is_below_5_percent():
    import math
    from cvae_lib.evaluation.stats import difference_interval, seed_test_p
    base = dict(zip("abc", BASE["fd"]))
    paired = {"a": 120.0, "b": 126.0, "c": 125.0}
    d = [paired[k] - base[k] for k in "abc"]  # by hand: the t interval of the per-seed differences
    mean, s = sum(d) / 3, math.sqrt(sum((x - sum(d) / 3) ** 2 for x in d) / 2)
    got = difference_interval(paired, base)
    assert got.paired and got.difference == pytest.approx(mean)
    assert (got.low, got.high) == pytest.approx((mean - stats.t.ppf(0.975, 2) * s / math.sqrt(3),
                                                 mean + stats.t.ppf(0.975, 2) * s / math.sqrt(3)))
    other = {"x": 110.0, "y": 114.0, "z": 113.0}  # other runs: Welch's interval, Welch-Satterthwaite df by hand
    vx, vy = (sum((v - sum(g) / 3) ** 2 for v in g) / 2 / 3 for g in (list(other.values()), BASE["fd"]))
    df = (vx + vy) ** 2 / (vx ** 2 / 2 + vy ** 2 / 2)
    got = difference_interval(other, base)
    half = stats.t.ppf(0.975, df) * math.sqrt(vx + vy)
    assert not got.paired and (got.low, got.high) == pytest.approx((got.difference - half, got.difference + half))
    assert got.difference == pytest.approx(sum(other.values()) / 3 - 180.0)
    for new in (paired, other, {"a": 179.0, "b": 181.0, "c": 178.0}, {"a": 176.0, "b": 178.5, "c": 177.0}):
        interval, p = difference_interval(new, base), seed_test_p(new, base)
        assert (interval.low > 0 or interval.high < 0) == (p < 0.05)
    assert math.isnan(difference_interval({"a": 1.0}, base).low)  # one seed: no interval


def test_the_table_orders_kinds_tests_with_holm_and_marks_what_it_keeps(word):
    rows = [row("both", "combined", [60.0, 58.0, 61.0], [0.90, 0.91, 0.905], same_runs=False),
            row("flat", "sampler", [181.0, 178.0, 183.0], [0.80, 0.82, 0.79]),
            row("worse", "sampler", [228.0, 226.0, 231.0], [0.801, 0.809, 0.792]),
            row("gan", "retrained", [93.0, 90.0, 97.0], [0.87, 0.86, 0.88], same_runs=False, tau=0.7)]
    cells, n_tests = overview.table_rows(rows, word)
    assert n_tests == 8
    assert [c[0] for c in cells] == ["gan (τ* = 0.7)", "flat", "worse", "both"]  # retrained, samplers, combined
    fixed = dict(row("two", "sampler", [181.0, 178.0, 183.0], [0.80, 0.82, 0.79]), key=("mlp", "two_stage", None))
    assert overview.table_rows([fixed], word)[0][0][0] == "two (τ = 1)"  # Section 5's setting, not τ*
    assert [c[1] for c in cells] == ["retrained", "sampler", "sampler", "both"]
    from cvae_lib.evaluation.stats import difference_interval
    gan = difference_interval(rows[3]["values"]["fd"][0], rows[3]["values"]["fd"][1])
    assert cells[0][2] == "180 → 93.3" and cells[0][4] == "0.800 → 0.870\u00a0*"  # the rise Holm keeps: marked
    assert cells[0][3] == f"\u2212{-gan.difference:.0f} [\u2212{-gan.low:.0f},\u00a0\u2212{-gan.high:.0f}]\u00a0*"
    assert cells[1][3].startswith("+0.7 [") and not cells[1][3].endswith("*")  # flat: an interval across 0, no mark
    assert cells[2][3].startswith("+48 [") and cells[2][3].endswith("*") and not cells[2][4].endswith("*")
    assert cells[0][6] == "–"  # no CAS measured for these rows
    # Holm by hand: a p-value that passes 0.05 alone but not its Holm threshold is no verdict
    p = overview.p_values(overview.tested(rows)[0])
    order = sorted(p.values())
    kept = next((i for i, x in enumerate(order) if x > 0.05 / (len(order) - i)), len(order))
    assert len(overview.tested(rows)[1]) == kept


def test_the_beta_row_shows_its_lowest_fd_beta_and_judges_every_beta_untested(word):
    betas = pd.DataFrame({"beta": [0.5, 2.0, 4.0], "fd": [188.0, 230.0, 281.0],
                          "conditional_accuracy": [0.81, 0.77, 0.75], "recall": [0.16, 0.05, 0.0]})
    one = pd.Series({"fd": 179.0, "conditional_accuracy": 0.798, "recall": 0.10})
    cells, n_tests = overview.table_rows([overview.beta_row(betas, one, "β-VAE")], word)
    assert n_tests == 0
    assert cells[0][2:] == ["179 → 188", "+9.0 (1 seed)", "0.798 → 0.810", "0.10 → 0.16", "–"]  # beta = 0.5: lowest FD
    assert overview.beta_row(betas, one, "β-VAE")["shown"] == 0.5
    assert overview.single_direction(overview.beta_row(betas, one, "β-VAE")) == "higher"  # as every beta's FD is
    betas.loc[0, "fd"] = 170.0
    assert overview.single_direction(overview.beta_row(betas, one, "β-VAE")) == "mixed"
    betas.loc[:, "fd"] = 150.0
    assert overview.single_direction(overview.beta_row(betas, one, "β-VAE")) == "lower"


def test_the_sentence_names_what_lowered_fd_and_what_did_not(word):
    rows = [row("VampPrior", "retrained", [110.0, 114.0, 113.0], [0.84, 0.85, 0.85], same_runs=False),
            row("two-stage", "sampler", [181.0, 186.0, 184.0], [0.80, 0.82, 0.83]),
            row("GAN + GMM", "combined", [60.0, 58.0, 61.0], [0.90, 0.91, 0.905], same_runs=False),
            row("conv GMM", "sampler", [118.0, 116.0, 121.0], [0.86, 0.88, 0.85], architecture="conv")]
    text = overview.lowered_sentence(rows, word)  # every backbone's rows, by name; the combination with the GMM too
    assert text == "VampPrior, conv GMM and GAN + GMM also lowered judge A's FD significantly; two-stage did not lower FD"
    every = overview.lowered_sentence(rows, word, exclude=("GAN + GMM",))  # the answer's own row, said elsewhere
    assert every == "VampPrior and conv GMM also lowered judge A's FD significantly; two-stage did not lower FD"
    assert overview.lowered_sentence([], word) == ""
    # every backbone: a name said the same on both backbones loses its backbone word and is said once; a name of one
    # backbone keeps it, and so does a name whose other backbone is said elsewhere (excluded) or in another group
    both = [row("MLP VampPrior", "retrained", [110.0, 114.0, 113.0], [0.84, 0.85, 0.85], same_runs=False),
            row("MLP GMM", "sampler", [120.0, 122.0, 121.0], [0.86, 0.87, 0.85]),
            row("conv GMM", "sampler", [118.0, 116.0, 121.0], [0.86, 0.88, 0.85], architecture="conv"),
            row("MLP GAN", "retrained", [181.0, 186.0, 184.0], [0.80, 0.82, 0.83]),
            row("conv GAN", "retrained", [31.0, 30.0, 32.0], [0.93, 0.93, 0.93], architecture="conv"),
            row("MLP two-stage", "sampler", [181.0, 186.0, 184.0], [0.80, 0.82, 0.83]),
            row("conv two-stage", "sampler", [185.0, 186.0, 187.0], [0.82, 0.82, 0.81], architecture="conv")]
    folded = overview.lowered_sentence(both, word, exclude=("conv GAN",))
    assert folded == ("MLP VampPrior and GMM also lowered judge A's FD significantly; MLP GAN and two-stage did not lower FD")
    assert "MLP GAN" in overview.lowered_sentence(both, word)  # conv GAN: another group
    tuned = [row("VAE-GAN (γ = 0.1)", "retrained", [110.0, 114.0, 113.0], [0.84, 0.85, 0.85], same_runs=False),
             row("β-VAE (β = 2, 4)", "retrained", [181.0, 186.0, 184.0], [0.80, 0.82, 0.83])]
    tuned[0]["tau"] = 0.7
    assert overview.lowered_sentence(tuned, word) == (  # names only, without their settings: Table 2 gives them
        "VAE-GAN also lowered judge A's FD significantly; β-VAE did not lower FD")
    # a row that lowered FD at a lower mean CAS says so (whatever its recall); on both backbones, once, without the backbone
    paid = [row("MLP GMM", "sampler", [120.0, 122.0, 121.0], [0.86, 0.87, 0.85], recall=(0.04, 0.05, 0.04)),
            row("conv GMM", "sampler", [118.0, 116.0, 121.0], [0.86, 0.88, 0.85], recall=(0.05, 0.05, 0.06),
                architecture="conv"),
            row("MLP GAN", "retrained", [60.0, 58.0, 61.0], [0.90, 0.91, 0.905], same_runs=False, recall=(0.2, 0.2, 0.2))]
    for r, cas in zip(paid, ((0.77, 0.78, 0.76), (0.74, 0.75, 0.73), (0.81, 0.82, 0.83))):
        r["values"]["cas"] = (dict(zip(r["values"]["fd"][0], cas)), {"a": 0.79, "b": 0.80, "c": 0.78})
    assert overview.lowered_sentence(paid, word) == (
        "MLP GAN and GMM also lowered judge A's FD significantly, though samples of the GMM give a slightly lower CAS (untested)")  # the GAN's CAS rose
    paid[1]["values"]["cas"] = ({"a": 0.8, "b": 0.8, "c": 0.8}, paid[1]["values"]["cas"][1])  # conv GMM's CAS rises
    assert overview.lowered_sentence(paid, word).endswith(", though samples of the MLP GMM give a slightly lower CAS (untested)")
    paid[1]["values"]["recall"] = ({"a": 0.2, "b": 0.2, "c": 0.2}, paid[1]["values"]["recall"][1])  # recall: not said
    paid[0]["values"]["recall"] = ({"a": 0.2, "b": 0.2, "c": 0.2}, paid[0]["values"]["recall"][1])
    assert overview.lowered_sentence(paid, word).endswith(", though samples of the MLP GMM give a slightly lower CAS (untested)")
    from cvae_lib.reporting.names import bare
    assert bare("MLP VAE-GAN（γ = 0.1，τ* = 0.7）") == "MLP VAE-GAN" and bare("MLP CVAE + 逐类 GMM") == "MLP CVAE + 逐类 GMM"
    assert bare("MLP VAE-GAN（γ = 0.1）+ GMM") == "MLP VAE-GAN + GMM" == bare("MLP VAE-GAN (γ = 0.1) + GMM")
    assert bare("MLP two-stage VAE (simplified)") == "MLP two-stage VAE (simplified)"  # part of the name, no setting


def test_in_figure_drops_the_backbone_and_the_settings():
    from cvae_lib.reporting.names import in_figure
    assert in_figure("MLP VAE-GAN（γ = 0.1）+ GMM", "MLP") == "VAE-GAN + GMM"
    assert in_figure("MLP CVAE + prior temperature (τ = 0.7)", "MLP") == "CVAE + prior temperature"
    assert in_figure("原始 MLP 模型", "MLP") == "原始 MLP 模型" and in_figure("MLPX", "MLP") == "MLPX"
    assert in_figure("MLP two-stage VAE (simplified)", "MLP") == "two-stage VAE"  # the bracket bare keeps


def test_one_family_with_the_other_tables_gives_one_verdict_and_counts_a_shared_test_once(word):
    from cvae_lib.reporting.compare import holm
    shared = row("two-stage", "sampler", [170.0, 171.0, 172.5], [0.80, 0.82, 0.83])
    shared["key"] = ("mlp", "two_stage", -1.0)  # a leaderboard row: Appendix B tests it too
    gan = row("gan", "retrained", [93.0, 90.0, 97.0], [0.87, 0.86, 0.88], same_runs=False)
    own = overview.family_p_values([shared, gan])
    key = ("mlp", "two_stage", -1.0, "fd")
    assert key in own and (0, "fd") in own  # the retrained row sorts first; the shared test has Appendix B's key
    # Appendix B's family: the same two-stage tests (same keys, same p) and ten that show nothing
    family = {key: own[key], ("mlp", "two_stage", -1.0, "conditional_accuracy"):
              own[("mlp", "two_stage", -1.0, "conditional_accuracy")], **{("conv", f"m{i}", -1.0, "fd"): 0.5 for i in range(10)}}
    rows, significant, n = overview.tested([shared, gan], family)
    assert n == 14  # the table's 4 and the family's 12, the 2 shared counted once
    kept = holm({**family, **own})
    for i, q in [(0, "fd"), (0, "accuracy"), (1, "fd"), (1, "accuracy")]:
        assert ((i, q) in significant) == (overview.test_key(rows[i], i, q) in kept)
    # the two-stage FD, significant in the table's own family, is not in the larger one, and the sentence says so
    assert (1, "fd") in overview.tested([shared, gan])[1] and (1, "fd") not in significant
    assert stats.ttest_rel([170.0, 171.0, 172.5], BASE["fd"]).pvalue == pytest.approx(own[key])
    assert "two-stage lowered FD too, but its seeds spread too widely for Holm's correction" in overview.lowered_sentence(
        [shared, gan], word, family=family)
    # equal p-values under keys of different kinds: Holm orders by p alone
    assert holm({(0, "fd"): 0.01, ("mlp", "gmm", -1.0, "fd"): 0.01}) == {(0, "fd"), ("mlp", "gmm", -1.0, "fd")}


def test_a_review_row_on_the_leaderboards_very_samples_takes_its_key():
    board = pd.DataFrame({"architecture": ["mlp"] * 6, "gamma": [-1.0] * 6,
                          "method": ["prior"] * 3 + ["gmm"] * 3, "run_dir": ["r/a", "r/b", "r/c"] * 2,
                          "fd": BASE["fd"] + [120.0, 126.0, 125.0], "conditional_accuracy": BASE["accuracy"] + [0.86, 0.88, 0.85]})
    same = row("GMM", "sampler", [120.0, 126.0, 125.0], [0.86, 0.88, 0.85])
    other = row("GMM at tau 0.9", "sampler", [121.0, 126.0, 125.0], [0.86, 0.88, 0.85])
    overview.match_leaderboard([same, other], board)
    assert same["key"] == ("mlp", "gmm", -1.0) and "key" not in other
    assert set(overview.family_p_values([same])) == {("mlp", "gmm", -1.0, "fd"), ("mlp", "gmm", -1.0, "conditional_accuracy")}


def test_grouped_rows_fold_the_kind_into_one_heading_per_kind(word):
    rows = [["a", word("ov_kind_retrained"), "1", "v"], ["b", word("ov_kind_retrained"), "2", "v"],
            ["c", word("ov_kind_sampler"), "3", "v"], ["d", word("ov_kind_combined"), "4", "v"]]
    out = overview.grouped_rows(rows, word)
    assert [r[0] for r in out] == [word("ov_group_retrained"), "a", "b", word("ov_group_sampler"), "c",
                                   word("ov_group_combined"), "d"]
    assert all(len(r) == 3 for r in out) and out[1] == ["a", "1", "v"] and out[0][1:] == ["", ""]


def test_review_rows_carry_each_seeds_cas_beside_the_originals_and_the_table_prints_its_means(word):
    def curve(fd, acc):
        return [{"tau": 1.0, "test": {"classifier": {"fd": fd, "accuracy": acc, "recall": 0.1}}}]
    grouped = {"mlp · prior": {"r0": curve(180.0, 0.80), "r1": curve(182.0, 0.81)},
               "mlp · gmm": {"r0": curve(120.0, 0.86), "r1": curve(126.0, 0.87)}}
    review = {"methods": {"mlp · prior": {"name": "prior", "tau": 1.0, "cas": {"values": [0.79, 0.80]}},
                          "mlp · gmm": {"name": "gmm", "extension": "none", "architecture": "mlp", "gamma": None,
                                        "tau": 1.0, "cas": {"values": [0.77, 0.76]}}}}
    rows = overview.review_rows(review, grouped, {"mlp · gmm": "GMM", "mlp · prior": "original"}, {})
    assert len(rows) == 1 and rows[0]["values"]["cas"] == ({"0": 0.77, "1": 0.76}, {"0": 0.79, "1": 0.80})
    cells, _ = overview.table_rows(rows, word)
    assert cells[0][6] == "0.795 → 0.765"  # the means over seeds, as the other columns
    del review["methods"]["mlp · prior"]["cas"]  # no CAS for the original: none said for the row either
    assert "cas" not in overview.review_rows(review, grouped, {"mlp · gmm": "GMM"}, {})[0]["values"]
