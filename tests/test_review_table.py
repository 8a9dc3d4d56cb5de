"""The review's table chooses each operating point on the validation curves only, and reads the test set there."""
import pytest

from cvae_lib.base.config import TrainConfig
from cvae_lib.reporting import answer, review_figures, review_table
from cvae_lib.evaluation.stats import t_interval


def scores(fd, accuracy=0.9):
    one = {"accuracy": accuracy, "fd": fd, "precision": 0.8, "recall": 0.5, "density": 1.0, "coverage": 0.9,
           "relative_accuracy": accuracy / 0.95, "log_sharpness_distance": 0.1}
    return {"classifier": dict(one), "judge": {**one, "fd": fd / 10}}


def curve(validation_fds, test_fds, shift=0.0):
    return [{"tau": tau, "validation": scores(v + shift), "test": scores(t + shift)}
            for tau, v, t in zip((0.5, 0.7, 1.0), validation_fds, test_fds)]


def test_the_operating_point_comes_from_validation_and_the_test_is_read_there():
    # validation is best at 0.7, test would be best at 1.0: the table must take 0.7
    reviews = {f"mlp-s{s}": {"curves": {"prior": curve([30, 20, 25], [30, 22, 10], shift=s)}} for s in range(3)}
    configs = {name: TrainConfig(seed=int(name[-1])) for name in reviews}
    real = {"validation": scores(5.0), "test": scores(5.0)}
    table = review_table.summarize(reviews, configs, real, cas={"mlp · prior": [0.80, 0.82, 0.81]})
    entry = table["methods"]["mlp · prior"]
    assert entry["tau"] == 0.7 and entry["runs"] == ["mlp-s0", "mlp-s1", "mlp-s2"]
    expected = t_interval([22.0, 23.0, 24.0])
    assert entry["test"]["classifier"]["fd"]["mean"] == pytest.approx(expected.mean)
    assert entry["test"]["classifier"]["fd"]["half_width"] == pytest.approx(expected.half_width)
    assert entry["cas"]["mean"] == pytest.approx(0.81)


def test_methods_are_named_by_run_kind_and_judges_rank_agreement_is_reported():
    gan = TrainConfig(extension="vaegan", gan_gamma=0.1, learning_rate=3e-4)
    assert review_table.method_of(gan, "gmm") == "mlp vaegan γ=0.1 lr=0.0003 · gmm"
    assert review_table.MAIN_RUN.match("conv-s2-vaegan-gamma0.1-lr0.0003") and not review_table.MAIN_RUN.match(
        "mlp-s0-beta4")
    reviews = {"mlp-s0": {"curves": {"prior": curve([30, 20, 25], [31, 21, 26]),
                                     "gmm": curve([12, 11, 13], [12, 10, 14])}}}
    table = review_table.summarize(reviews, {"mlp-s0": TrainConfig()}, {"validation": scores(5.0), "test": scores(5.0)})
    assert set(table["methods"]) == {"mlp · prior", "mlp · gmm"}
    # the second judge's FD is the first's over 10 here: the rankings agree perfectly
    assert table["kendall_tau"]["methods_at_operating_points_test_fd"][0] == pytest.approx(1.0)
    assert table["kendall_tau"]["every_curve_point_validation_fd"][0] == pytest.approx(1.0)


def test_a_method_name_reads_back_as_its_kind_and_methods_sort_as_the_leaderboard():
    kinds = {"mlp · prior": TrainConfig(), "conv · gmm": TrainConfig(architecture="conv"),
             "mlp vampprior · prior": TrainConfig(extension="vampprior"),
             "conv vaegan γ=0.1 lr=0.0003 · gmm": TrainConfig(architecture="conv", extension="vaegan", gan_gamma=0.1,
                                                              learning_rate=3e-4)}
    for method, config in kinds.items():
        assert review_table.method_of(config, method.split(" · ")[1]) == method
    assert review_table.describe_method("conv vaegan γ=0.1 lr=0.0003 · gmm") == {
        "architecture": "conv", "extension": "vaegan", "gamma": 0.1, "sampler": "gmm", "name": "vaegan_gmm"}
    assert review_table.describe_method("mlp vampprior · prior")["name"] == "vampprior"
    assert review_table.ordered(["conv · gmm", "mlp vaegan γ=1 lr=0.0003 · prior", "mlp vampprior · prior",
                                 "mlp vaegan γ=0.1 lr=0.0003 · prior", "mlp · prior"]) == [
        "mlp · prior", "mlp vampprior · prior", "mlp vaegan γ=1 lr=0.0003 · prior",
        "mlp vaegan γ=0.1 lr=0.0003 · prior", "conv · gmm"]


def test_a_curve_is_the_seed_mean_and_t_interval_at_each_temperature():
    from scipy import stats
    curves = {f"mlp-s{s}": curve([30, 20, 25], [30, 22, 10], shift=2 * s) for s in range(3)}
    got = review_table.curve(curves, "test", "classifier", "fd")
    assert [tau for tau, *_ in got] == [0.5, 0.7, 1.0]
    for (tau, mean, half), base in zip(got, (30, 22, 10)):
        values = [base, base + 2, base + 4]
        sem = stats.sem(values)
        assert mean == pytest.approx(base + 2) and half == pytest.approx(stats.t.ppf(0.975, 2) * sem)


def test_the_document_rows_and_the_sentences_follow_the_numbers():
    reviews = {f"mlp-s{s}": {"curves": {"prior": curve([30, 20, 25], [31, 21, 26], shift=s),
                                        "gmm": curve([12, 11, 13], [12, 10, 14], shift=s)}} for s in range(3)}
    configs = {name: TrainConfig(seed=int(name[-1])) for name in reviews}
    real = {"validation": scores(0.5), "test": scores(0.5)}
    table = review_table.summarize(reviews, configs, real, cas={"mlp · prior": [0.80, 0.80, 0.80],
                                                                "mlp · gmm": [0.70, 0.72, 0.71]})
    table["real"]["cas"] = 0.9
    labels = {"mlp · prior": "original", "mlp · gmm": "GMM"}
    rows = review_table.document_rows(table, labels)
    assert [r[0] for r in rows] == ["original", "GMM"] and rows[0][1] == "0.7" and rows[1][1] == "0.7"
    assert rows[0][3] == "22.0/2.20" and rows[0][-1] == "0.800"
    assert review_table.real_row(table, "real")[-1] == "0.900"

    def word(key, **values):
        return key if not values else f"{key}({','.join(f'{k}={v}' for k, v in sorted(values.items()))})"
    values = review_table.text_values(table, labels, word)
    assert values["taus_chosen"] == "0.7"
    assert values["best_fd_classifier"] == "GMM" and values["judges_best_clause"] == "review_judges_agree(name=GMM)"
    assert values["gmm_cas_clause"] == word("review_gmm_cas_lower", cas_gmm=values["cas_gmm"],
                                            cas_original=values["cas_original"])
    assert (values["cas_gmm"], values["cas_original"]) == (pytest.approx(0.71), pytest.approx(0.8))
    assert values["best_cas_name"] == "original" and values["cas_gap"] == pytest.approx(0.1)
    assert values["cas_sentence"].startswith("review_cas(") and values["best_cas_text"] == "0.800\u00a0[0.800,\u00a00.800]"
    # a best CAS that Welch's test cannot tell from the original's is not called the best
    table["methods"]["mlp · gmm"]["cas"] = {**t_interval([0.79, 0.83, 0.81])._asdict(), "values": [0.79, 0.83, 0.81]}
    values = review_table.text_values(table, labels, word)
    assert values["best_cas_name"] == "GMM" and values["cas_sentence"].startswith("review_cas_tied(")
    assert values["gmm_cas_clause"].startswith("review_gmm_cas_same(")
    assert (values["cas_low"], values["cas_high"]) == (pytest.approx(0.8), pytest.approx(0.81))
    table["methods"]["mlp · gmm"]["cas"] = {**t_interval([0.90, 0.91, 0.92])._asdict(), "values": [0.90, 0.91, 0.92]}
    values = review_table.text_values(table, labels, word)
    assert values["cas_sentence"].startswith("review_cas_beats(") and values["gmm_cas_clause"].startswith(
        "review_gmm_cas_higher(")  # the best, told apart from the original's, is said to be above it
    assert "base_name=original," in values["cas_sentence"]  # compared with its own backbone's original CVAE
    assert review_table.backbone_original("conv vaegan γ=0.1 lr=0.0003 · gmm") == "conv · prior"
    assert review_table.backbone_original("mlp vampprior · prior") == review_table.ORIGINAL
    del table["methods"]["mlp · prior"]["cas"], table["methods"]["mlp · gmm"]["cas"]  # no CAS: no sentence on it
    values = review_table.text_values(table, labels, word)
    assert values["cas_sentence"] == values["gmm_cas_clause"] == "" and "best_cas" not in values
    assert review_table.widest_interval(table, "fd", "classifier") == pytest.approx(
        t_interval([21, 22, 23]).half_width)


def test_the_judges_agreement_is_named_by_its_numbers():
    assert review_table.agreement(0.8, 0.001) == "review_rank_close"
    assert review_table.agreement(0.8, 0.2) == review_table.agreement(0.4, 0.3) == "review_rank_loose"
    assert review_table.agreement(0.1, 0.8) == review_table.agreement(-0.5, 0.1) == "review_rank_none"


def test_the_plan_reviews_a_run_only_when_its_weights_judges_or_config_moved(tmp_path):
    from cvae_lib.base.fileio import sha256_file, write_json
    from cvae_lib.base.review_config import ReviewConfig
    from cvae_lib.evaluation.review import REVIEW, review_key
    from cvae_lib.reporting import schedule
    from cvae_lib.reporting.steps import Step
    folders = {name: tmp_path / name for name in ("mlp-s0", "classifier", "judge")}
    for name, d in folders.items():
        d.mkdir()
        (d / "model.pt").write_bytes(name.encode())
    run, config = folders["mlp-s0"], ReviewConfig()
    step = Step("review", "review.ipynb", {}, "review",
                work=[("review", run, config, folders["classifier"], folders["judge"])])

    def reasons(**kw):
        return [t.reason for t in schedule.tasks_of(step, "cpu", {}, **kw)]
    assert reasons() == ["no review yet"]
    shas = {j: sha256_file(folders[j] / "model.pt") for j in ("classifier", "judge")}
    write_json(run / REVIEW, {"key": review_key(run, shas, config), "seconds": 12.0})
    assert reasons() == [] and reasons(retrained={run.resolve()}) == ["after training"]
    (folders["judge"] / "model.pt").write_bytes(b"another judge")
    assert reasons() == ["review keyed on another judge_sha256"]
    assert schedule.tasks_of(step, "cpu", {})[0].seconds == 12.0
    # a run whose samples CAS scores: one task per sampler until cas.json holds it for these weights
    (run / "config.json").write_text('{"architecture": "mlp"}')
    step.work = [(*step.work[0], tmp_path / "review")]
    assert [t.what for t in schedule.tasks_of(step, "cpu", {})][1:] == ["CAS of mlp-s0 · prior", "CAS of mlp-s0 · gmm"]
    write_json(tmp_path / "review" / "cas.json", {"mlp-s0 · prior · tau=1": {"model_sha256": sha256_file(run / "model.pt"),
                                                                            "seconds": 99.0}})
    cas = [t for t in schedule.tasks_of(step, "cpu", {}) if t.what.startswith("CAS")]
    assert [t.what for t in cas] == ["CAS of mlp-s0 · gmm"] and cas[0].seconds == 99.0


def test_tradeoff_figure_draws_real_images_where_they_are_and_stays_legible():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cvae_lib.reporting import review_figures
    from cvae_lib.reporting.legibility import legibility_problems, printed_width
    curves = {f"mlp-s{s}": curve([30, 20, 25], [30, 22, 10], shift=s) for s in range(3)}
    method = "mlp · prior"
    single = {"mlp-s0": [{"tau": p["tau"], "validation": p["validation"],
                          "test": {j: {**v, "recall": 0.6} for j, v in p["test"].items()}} for p in curves["mlp-s0"]]}
    wide = review_figures.tradeoff_curves({method: single}, {method: "one seed"}, {"test": {
        j: {"accuracy": 0.95, "precision": 0.86, "recall": 0.99} for j in ("classifier", "judge")}}, {method: 1.0})
    assert wide.axes[1].get_xlim()[1] > 0.6  # a one-seed method (no interval) still sets the axis: nothing clipped
    plt.close(wide)
    real = {"test": {"classifier": {"accuracy": 0.95, "precision": 0.86, "recall": 0.9},
                     "judge": {"accuracy": 0.93, "precision": 0.88, "recall": 0.55}}}
    fig = review_figures.tradeoff_curves({method: curves}, {method: "original CVAE"}, real, {method: 1.0})
    (_, pr_classifier), (_, pr_judge) = fig.axes[0:2], fig.axes[2:4]
    # the real images' star at its true place, however far right of the methods' recall (0.5): never at an edge
    star = [line for line in pr_classifier.lines if line.get_marker() == "*"][0]
    assert tuple(star.get_xydata()[0]) == (0.9, 0.86) and pr_classifier.get_xlim()[1] > 0.9
    assert pr_judge.get_xlim()[1] > 0.55 and not pr_classifier.texts and not pr_judge.texts
    assert legibility_problems(fig, printed_width(fig)) == []  # as Document.figure prints it
    bars = [c for ax in fig.axes for c in ax.collections if c.get_segments()]  # the seeds' intervals: drawn light
    assert bars and all(c.get_alpha() == 0.35 for c in bars)
    plt.close(fig)
    # the wide check's operating point: a hollow diamond on the curve where it moved, and a legend entry; none where
    # it stayed
    taus = [p["tau"] for p in curves["mlp-s0"]]
    moved = review_figures.tradeoff_curves({method: curves}, {method: "original CVAE"}, real, {method: taus[0]},
                                           wide={method: taus[-1]})
    diamonds = [line for line in moved.axes[0].lines if line.get_marker() == "D" and len(line.get_xdata())]
    assert len(diamonds) == 1 and diamonds[0].get_markerfacecolor() == "white"
    assert "lowest FD without the accuracy condition" in [t.get_text() for t in moved.legends[0].get_texts()]
    assert legibility_problems(moved, printed_width(moved)) == []
    plt.close(moved)
    stayed = review_figures.tradeoff_curves({method: curves}, {method: "original CVAE"}, real, {method: taus[0]},
                                            wide={method: taus[0]})
    assert not [line for line in stayed.axes[0].lines if line.get_marker() == "D" and len(line.get_xdata())]
    plt.close(stayed)


def test_tradeoff_figure_with_no_recall_at_all_keeps_readable_ticks():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from cvae_lib.reporting import review_figures
    from cvae_lib.reporting.legibility import legibility_problems, printed_width

    def flat(v):
        one = scores(v)
        for judge in one.values():
            judge["recall"] = 0.0  # a tiny model: no sample near any real one
        return one
    curves = {f"mlp-s{s}": [{"tau": tau, "validation": flat(20.0), "test": flat(20.0)} for tau in (0.5, 1.0)]
              for s in range(2)}
    real = {"test": {j: {"accuracy": 0.95, "precision": 0.86, "recall": 0.9} for j in ("classifier", "judge")}}
    fig = review_figures.tradeoff_curves({"mlp · prior": curves}, {"mlp · prior": "original"}, real, {"mlp · prior": 1.0})
    assert legibility_problems(fig, printed_width(fig)) == []
    plt.close(fig)


@pytest.mark.parametrize("p, text", [(0.0023, "p = 0.0023"), (0.00049, "p < 0.001"), (0.041, "p = 0.041"),
                                     (0.5, "p = 0.50"), (1.0, "p = 1.00")])
def test_a_p_value_is_never_printed_as_zero(p, text):
    assert answer.p_value(p) == text


def test_the_copy_verdict_and_the_showcase_columns():
    import torch
    from cvae_lib.reporting import review_figures, reviewing
    assert reviewing.copy_verdict({"ratio": 1.02, "share_closer": 0.01, "quantile": 0.01}) == "none"
    assert reviewing.copy_verdict({"ratio": 0.85, "share_closer": 0.007, "quantile": 0.01}) == "none"  # smooth means
    assert reviewing.copy_verdict({"ratio": 1.0, "share_closer": 0.2, "quantile": 0.01}) == "close"  # near-copies
    # the share's exact binomial interval, from the beta quantiles (Clopper-Pearson): 24 of 1,000 samples
    from scipy.stats import beta
    low, high = reviewing.share_interval({"share_closer": 0.024000000208616257, "n_samples": 1000})
    assert low == pytest.approx(100 * beta.ppf(0.025, 24, 977)) and high == pytest.approx(100 * beta.ppf(0.975, 25, 976))
    assert low > 1.0  # above the 1 % that samples as far from the training set as test images would give
    # and its one-sided test against that 1 %: P(X >= 24) for X ~ Binomial(1,000, 0.01), summed term by term
    from math import comb
    tail = sum(comb(1000, k) * 0.01 ** k * 0.99 ** (1000 - k) for k in range(24, 1001))
    assert reviewing.share_p({"share_closer": 0.024000000208616257, "n_samples": 1000, "quantile": 0.01}) == \
        pytest.approx(tail) and tail < 0.001
    assert reviewing.share_p({"share_closer": 0.01, "n_samples": 1000, "quantile": 0.01}) > 0.4  # at the quantile
    images = {k: torch.full((10, 3, 1, 28, 28), float(i), dtype=torch.float16)
              for i, k in enumerate(("mlp · prior", "best", "nearest", "real"))}
    blocks, names = review_figures.showcase_columns({"images": images}, {"mlp · prior": "original", "best": "winner"},
                                                    "real", "nearest")
    assert names == ["real", "original", "winner", "nearest"]
    assert [int(b[0, 0, 0, 0, 0]) for b in blocks] == [3, 0, 1, 2] and all(b.dtype == torch.float32 for b in blocks)
    # the best method stands last among the methods, beside its nearest training images, whatever the stored order
    images = {k: images[k] for k in ("best", "mlp · prior", "real", "nearest")}
    showcase = {"images": images, "best": "best"}
    assert review_figures.showcase_order(showcase) == ["mlp · prior", "best"]
    assert review_figures.showcase_columns(showcase, {"mlp · prior": "original", "best": "winner"}, "real",
                                           "nearest")[1] == ["real", "original", "winner", "nearest"]


def test_the_vae_gans_gamma_is_chosen_on_validation_at_each_ones_best_sampler():
    def run(gamma, seed):
        return TrainConfig(seed=seed, extension="vaegan", gan_gamma=gamma, optimizer="rmsprop", learning_rate=3e-4)
    # gamma 1's prior is worse than gamma 0.1's on validation, but its GMM is the best of all: gamma 1 is chosen,
    # although gamma 0.1 is better on the test set
    reviews = {f"g{g}-s{s}": {"curves": {"prior": curve([40, 30, 35], [40, 30, 35], shift=s + 10 * (g == 1)),
                                          "gmm": curve([25, 24, 26], [5, 5, 5], shift=s - 20 * (g == 1))}}
               for g in (0.1, 1) for s in range(3)}
    configs = {name: run(float(name[1:name.index("-")]), int(name[-1])) for name in reviews}
    real = {"validation": scores(2.0), "test": scores(2.0)}
    table = review_table.summarize(reviews, configs, real)
    choice = review_table.gamma_choice(table)
    assert choice["chosen"] == 1.0 and choice["scores"][1.0] < choice["scores"][0.1]
    assert choice["scores"][1.0] == pytest.approx(2.5)  # FD 4, 5, 6 at tau = 0.7 over seeds, over the floor 2
    one = {**table, "methods": {m: e for m, e in table["methods"].items() if e["gamma"] == 0.1}}
    assert review_table.gamma_choice(one) == {}
    table["real"]["cas"] = 0.9
    said = review_table.text_values(table, {m: m for m in table["methods"]},
                                    lambda key, **v: f"{key}[{v.get('edge_clause', '')}]")["gamma_sentence"]
    assert said == "review_gamma[review_gamma_edge[]]"  # two values tried: the chosen one lies at an end


def test_the_tradeoff_figure_draws_the_originals_and_the_first_by_the_criterion():
    def entry(validation_fd, test_fd):  # the second judge's FD a tenth of the classifier's, as its floor is
        return {"validation": {"classifier": {"fd": {"mean": validation_fd}}, "judge": {"fd": {"mean": validation_fd / 10}}},
                "test": {"classifier": {"fd": {"mean": test_fd}}, "judge": {"fd": {"mean": test_fd / 10}}}}
    table = {"methods": {"mlp · prior": entry(180, 180), "conv · prior": entry(160, 160), "mlp · gmm": entry(120, 10),
                         "mlp vampprior · prior": entry(110, 200), "conv · gmm": entry(118, 117)},
             "real": {"validation": {"classifier": {"fd": 1.0}, "judge": {"fd": 0.1}}}}
    # chosen on validation, never on the test FD (which would pick "mlp · gmm" first); shown in the table's order
    assert review_figures.figure_methods(table, n=2) == ["mlp · prior", "mlp vampprior · prior", "conv · prior",
                                                         "conv · gmm"]
    assert len(review_figures.figure_methods(table)) == 5  # fewer methods than n: all of them


def test_every_curve_of_the_tradeoff_figure_has_its_own_colour():
    methods = ["mlp · prior", "mlp · gmm", "mlp vaegan γ=0.1 lr=0.0003 · gmm", "conv · prior",
               "conv vaegan γ=0.1 lr=0.0003 · prior", "conv vaegan γ=0.1 lr=0.0003 · gmm"]
    colors = review_figures.method_colors(methods)
    assert len(set(colors.values())) == len(methods)  # the conv and MLP VAE-GAN + GMM no longer share a cyan
    assert colors["mlp · prior"] == review_figures.ORIGINAL_COLORS["mlp"]


def test_the_tradeoff_figures_dashed_curves_differ_in_greyscale():
    from matplotlib.colors import to_rgb
    # the figure's usual four curves: both originals and the two best methods, both conv (dashed like conv's original)
    methods = ["mlp · prior", "conv · prior", "conv vaegan γ=0.1 lr=0.0003 · gmm", "conv vaegan γ=0.1 lr=0.0003 · prior"]
    colors = review_figures.method_colors(methods)
    grey = {m: 255 * sum(w * c for w, c in zip((0.299, 0.587, 0.114), to_rgb(colors[m]))) for m in methods[1:]}
    levels = sorted(grey.values())
    assert min(b - a for a, b in zip(levels, levels[1:])) > 40, grey  # a printer's grey tells the dashed curves apart


def test_the_judges_disagreement_says_whether_welch_separates_their_choices():
    def entry(fd_c, fd_j, hw):
        return {"test": {"classifier": {"fd": {"mean": fd_c, "half_width": hw, "n": 3}},
                         "judge": {"fd": {"mean": fd_j, "half_width": hw / 10, "n": 3}}}}

    def word(key, **values):
        return key
    fd = {"classifier": "a", "judge": "b"}
    labels = {"a": "A", "b": "B"}
    assert review_table.judges_differ({"a": entry(31, 4.4, 10), "b": entry(40, 3.2, 15)}, fd, labels, word) == \
        "review_judges_differ_tied"  # p = 0.10 and 0.27 (test_answer recovers them with scipy)
    assert review_table.judges_differ({"a": entry(31, 4.4, 0.5), "b": entry(40, 3.2, 0.5)}, fd, labels, word) == \
        "review_judges_differ"


def test_the_gmm_cas_pairs_and_their_sign_test():
    from cvae_lib.evaluation.stats import sign_test
    from cvae_lib.reporting.review_table import gmm_cas_pairs
    cas = {"mlp · prior": 0.79, "mlp · gmm": 0.77, "conv · prior": 0.78, "conv · gmm": 0.74, "vamp · prior": 0.77}
    assert gmm_cas_pairs(cas) == {"mlp · prior": (0.79, 0.77), "conv · prior": (0.78, 0.74)}  # vamp has no GMM
    assert sign_test(5, 5) == pytest.approx(2 / 2 ** 5)  # all five one way: twice the one-sided 1/32
    assert sign_test(6, 7) == pytest.approx(2 * (7 + 1) / 2 ** 7)  # P(6 or 7 of 7), both tails
    assert sign_test(2, 4) == pytest.approx(1.0)
    from cvae_lib.reporting.document import fill, texts
    from cvae_lib.reporting.review_table import gmm_cas_pairs_clause
    words = texts("en")["words"]

    def word(key, **v):
        return fill(words[key], v)
    seven = {f"m{i} · prior": (0.80, 0.78 if i < 6 else 0.82) for i in range(7)}  # 6 of 7 lower: p = 0.125
    assert gmm_cas_pairs_clause(seven, word).endswith("(sign test, p = 0.12: a tendency, not significant)")
    eight = {f"m{i} · prior": (0.80, 0.78) for i in range(8)}  # 8 of 8: p = 2 / 256, a finding
    assert gmm_cas_pairs_clause(eight, word).endswith("for 8 of the 8 models that have both (sign test, p = 0.0078)")


def test_the_operating_point_keeps_the_accuracy_of_the_trained_prior_unless_fd_alone_is_asked():
    def point(tau, fd, accuracy, judge_accuracy=None):
        s = scores(fd, accuracy)
        s["judge"]["accuracy"] = accuracy if judge_accuracy is None else judge_accuracy
        return {"tau": tau, "validation": s, "test": s}
    real = {"validation": scores(5.0), "test": scores(5.0)}
    # FD falls all the way to 2, but accuracy falls below tau = 1's (0.80) above 1; below 1 it rises
    curve = [point(0.5, 60, 0.85), point(1.0, 40, 0.80), point(1.5, 30, 0.79), point(2.0, 20, 0.60)]
    assert review_table.operating_point({"s0": curve}, real) == 1.0
    assert review_table.operating_point({"s0": curve}, real, keep_accuracy=False) == 2.0
    # the condition is on the mean of the two judges and of the seeds: 1.5 keeps it when the judge gains what the
    # classifier loses, and then its lower FD wins
    kept = [point(0.5, 60, 0.85), point(1.0, 40, 0.80), point(1.5, 30, 0.79, 0.81), point(2.0, 20, 0.60)]
    assert review_table.mean_accuracy({"s0": kept}, 1.5) == pytest.approx(0.80)
    assert review_table.operating_point({"s0": kept}, real) == 1.5
    assert review_table.operating_point({"s0": curve, "s1": kept}, real) == 1.0  # the seeds' mean 0.795 < 0.80
    # without tau = 1 in the grid there is no trained-prior accuracy to keep: FD alone chooses
    assert review_table.operating_point({"s0": [curve[0], curve[2], curve[3]]}, real) == 2.0
    reviews = {"mlp-s0": {"curves": {"prior": curve}}}
    table = review_table.summarize(reviews, {"mlp-s0": TrainConfig()}, real)
    assert table["methods"]["mlp · prior"]["tau"] == 1.0
    assert review_table.summarize(reviews, {"mlp-s0": TrainConfig()}, real, keep_accuracy=False)[
        "methods"]["mlp · prior"]["tau"] == 2.0


def test_the_judge_caveat_compares_the_originals_at_tau_one_like_table_one():
    from scipy import stats
    from cvae_lib.reporting.findings import judge_caveat, second_judge_row
    from cvae_lib.reporting.review_table import CONV_ORIGINAL, ORIGINAL

    def seeds(classifier, judge):
        return {f"r{i}": [{"tau": 1.0, "test": {"classifier": {"fd": c}, "judge": {"fd": j}}}]
                for i, (c, j) in enumerate(zip(classifier, judge))}
    curves = {ORIGINAL: seeds((180, 181, 179), (17.0, 17.2, 17.1)),
              CONV_ORIGINAL: seeds((160, 161, 159), (19.1, 19.3, 19.2))}  # judge B reverses judge A at tau = 1

    def word(key, **v):
        return f"{key}({','.join(f'{k}={x}' for k, x in sorted(v.items()))})" if v else key
    said = judge_caveat({"methods": {}}, word, curves)
    p = stats.ttest_ind([17.0, 17.2, 17.1], [19.1, 19.3, 19.2], equal_var=False).pvalue
    assert said.startswith("judge_caveat(") and "better=judge_model_mlp" in said and "better_fd=17.1" in said
    assert f"p={answer.p_value(p)}" in said
    # the comparison table's row for judge B: both seeds' mean ± std, the difference ± its Welch standard error
    row = second_judge_row(curves, word)
    se = (stats.tvar([17.0, 17.2, 17.1]) / 3 + stats.tvar([19.1, 19.3, 19.2]) / 3) ** 0.5
    assert row[:4] == ["metric_fd_b", "17.10 ± 0.10", "19.20 ± 0.10", f"+2.10 ± {se:.2f}"]
    assert row[4] == f"verdict_contrast(p={answer.p_value(p)})"  # outside the table's Holm family: no winner named
    curves[CONV_ORIGINAL] = seeds((160, 161, 159), (16.0, 16.1, 16.2))  # both judges prefer conv: nothing to say
    assert judge_caveat({"methods": {}}, word, curves) == ""
    assert second_judge_row(curves, word)[3].startswith("-1.00 ± ")  # 16.1 - 17.1
    assert second_judge_row({ORIGINAL: curves[ORIGINAL]}, word) == []  # one original only: no row
