"""The VAE-GAN's ablations: their configs, their place beside the review's methods, and the study's statistics."""
import json
import math

import pytest
from scipy import stats

from cvae_lib.base.config import GAN_ABLATIONS, ConfigError, RunSpec, TrainConfig
from cvae_lib.evaluation.stats import prediction_p
from cvae_lib.modelling.vaegan import ABLATIONS
from cvae_lib.reporting import ablation, holes, review_table


def test_the_config_names_validates_and_keys_the_ablation():
    assert GAN_ABLATIONS == ABLATIONS
    spec = RunSpec.from_params({"architecture": "conv", "extension": "vaegan", "gan_gamma": 0.1,
                                "learning_rate": 3e-4, "gan_ablation": "no_prior"})
    assert spec.name == "conv-s0-vaegan-gamma0.1-lr0.0003-no_prior"
    assert RunSpec.from_params({**spec.params(), "gan_ablation": "none"}).name == "conv-s0-vaegan-gamma0.1-lr0.0003"
    with pytest.raises(ConfigError, match="gan_ablation must be one of"):
        TrainConfig(extension="vaegan", gan_ablation="no_gan")
    with pytest.raises(ConfigError, match="needs extension 'vaegan' unless 'none'; got 'no_feature' with extension 'none'"):
        TrainConfig(gan_ablation="no_feature")
    # a committed run's config.json has no gan_ablation: it reads back as the full model
    saved = {k: v for k, v in TrainConfig(extension="vaegan").to_dict().items() if k != "gan_ablation"}
    assert TrainConfig.from_dict(saved).gan_ablation == "none"


def test_ablations_stay_out_of_the_reviews_comparison_and_its_methods():
    assert review_table.MAIN_RUN.match("conv-s1-vaegan-gamma0.1-lr0.0003")
    assert review_table.MAIN_RUN.match("mlp-s0-vaegan-lr3e-05")
    for name in ("conv-s0-vaegan-gamma0.1-lr0.0003-no_prior", "conv-s0-vaegan-gamma0.1-lr0.0003-no_feature"):
        assert not review_table.MAIN_RUN.match(name)
    full = TrainConfig(architecture="conv", extension="vaegan", gan_gamma=0.1, learning_rate=3e-4)
    cut = TrainConfig(**{**full.to_dict(), "gan_ablation": "no_prior"})
    assert review_table.method_of(full, "prior") != review_table.method_of(cut, "prior")
    assert review_table.describe_method(review_table.method_of(cut, "prior"))["gamma"] == 0.1


def test_prediction_p_is_the_pooled_t_test_with_one_value_on_one_side():
    values = [28.9, 34.2, 27.0]
    for x in (30.0, 45.0, 80.0, 10.0):
        want = stats.ttest_ind([x], values, equal_var=True).pvalue
        assert math.isclose(prediction_p(x, values), want, rel_tol=1e-9)
    assert prediction_p(100.0, values) < 0.05 < prediction_p(40.0, values)
    assert math.isnan(prediction_p(1.0, [2.0])) and math.isnan(prediction_p(1.0, [2.0, 2.0]))


def _run(folder, name, fd, acc, sharp=1.0, rate=20.0, gan_ablation="none", seed=0):
    """A run folder with what the study reads: config, review.json (both samplers, both judges, tau 0.8 and 1) and
    metrics.json; fd/acc: sampler -> judge -> value at tau = 1 (tau = 0.8 gets other numbers, which must not be read)."""
    run = folder / name
    run.mkdir()
    config = TrainConfig(architecture="conv", extension="vaegan", gan_gamma=0.1, learning_rate=3e-4,
                         gan_ablation=gan_ablation, seed=seed)
    (run / "config.json").write_text(json.dumps(config.to_dict()))
    curves = {s: [{"tau": tau, "test": {j: {"fd": fd[s][j] * (1 if tau == 1.0 else 9), "accuracy": acc}
                                         for j in ablation.JUDGES}} for tau in (0.8, 1.0)] for s in ablation.SAMPLERS}
    (run / "review.json").write_text(json.dumps({"curves": curves}))
    (run / "metrics.json").write_text(json.dumps({"metrics": {"relative_sharpness": sharp, "test_kl": rate}}))
    return run


def _full_runs(folder):
    """The full model's three seeds as run folders (judge A's FD 28.9, 34.2, 27.0; judge B's a fifth): (FDs, runs)."""
    full_fd = [28.9, 34.2, 27.0]
    return full_fd, [_run(folder, f"conv-s{i}-vaegan-gamma0.1-lr0.0003",
                          {s: {"classifier": fd, "judge": fd / 5} for s in ablation.SAMPLERS}, 0.88, rate=25.0 + i)
                     for i, fd in enumerate(full_fd)]


def test_the_study_tests_each_ablation_against_the_full_models_seeds(tmp_path):
    full_fd, full = _full_runs(tmp_path)
    cut = _run(tmp_path, "conv-s0-vaegan-gamma0.1-lr0.0003-no_prior",
               {"prior": {"classifier": 90.0, "judge": 18.0}, "gmm": {"classifier": 31.0, "judge": 6.0}}, 0.8,
               sharp=0.7, gan_ablation="no_prior")
    assert ablation.find_runs(tmp_path) == {"no_prior": cut}
    table = ablation.summarize(full, {"no_prior": cut})
    assert table["full"]["prior"]["classifier"]["fd"] == full_fd and table["full"]["rate"] == [25.0, 26.0, 27.0]
    entry = table["ablations"]["no_prior"]
    assert entry["prior"]["classifier"]["fd"] == 90.0 and entry["sharpness"] == 0.7
    assert math.isclose(entry["prior"]["classifier"]["p"], prediction_p(90.0, full_fd))
    raw = {(s, j): entry[s][j]["p"] for s in ablation.SAMPLERS for j in ablation.JUDGES}
    ordered = sorted(raw, key=raw.get)  # Holm over the 4 tests: the smallest p times 4
    assert math.isclose(entry[ordered[0][0]][ordered[0][1]]["p_holm"], min(1.0, 4 * raw[ordered[0]]))
    assert entry["prior"]["classifier"]["p_holm"] < 0.05 < entry["gmm"]["classifier"]["p_holm"]
    assert table["tests"] == 4 and table["control"]["runs"] == [] and "prior" not in table["original"]
    original = [_run(tmp_path, f"conv-s{i}", {s: {"classifier": 150.0 + i, "judge": 17.0} for s in ablation.SAMPLERS},
                     0.82, sharp=0.45) for i in range(2)]
    table = ablation.summarize(full, {"no_prior": cut}, {"original": original})
    assert table["original"]["prior"]["classifier"]["fd"] == [150.0, 151.0] and table["original"]["sharpness"] == [0.45] * 2
    assert table["ablations"]["no_prior"] == entry  # the baselines are for scale: they change no test
    labels = {"full": "full", "full_seed": "seed 0", "no_prior": "no prior", "original": "original"}
    body = ablation.rows(table, labels)
    assert [r[0] for r in body] == ["full", "seed 0", "no prior", "original"]
    sd = stats.tstd(full_fd)
    assert body[0][1] == f"{sum(full_fd) / 3:.1f} ± {sd:.1f}" and body[1][1] == "28.9" and body[1][6] == "25.0"
    assert body[2][1] == "90.0*" and body[2][3] == "31.0" and body[2][5] == "0.70"  # * only where Holm rejects
    assert body[3][1] == "150.5"  # a baseline, for scale: its seeds' mean
    assert ablation.verdict(entry, "prior", table["full"]) == "higher"
    assert ablation.verdict(entry, "gmm", table["full"]) == "same"
    one = {**entry, "gmm": {"classifier": {**entry["gmm"]["classifier"], "p_holm": 0.01},
                            "judge": entry["gmm"]["judge"]}}  # significant in judge A alone
    side = "higher" if entry["gmm"]["classifier"]["fd"] > sum(table["full"]["gmm"]["classifier"]["fd"]) / 3 else "lower"
    assert ablation.verdict(one, "gmm", table["full"]) == f"{side}_one"
    opposite = {**one, "gmm": {"classifier": one["gmm"]["classifier"],
                               "judge": {**one["gmm"]["judge"], "p_holm": 0.01,
                                         "fd": (-1 if side == "higher" else 1) * 1e3}}}  # both, opposite ways
    assert ablation.verdict(opposite, "gmm", table["full"]) == "split"
    with pytest.raises(ValueError, match="unknown baseline"):
        ablation.summarize(full, {"no_prior": cut}, {"others": original})
    with pytest.raises(ValueError, match="need at least 2"):
        ablation.summarize(full[:1], {"no_prior": cut})


def _word(language):
    from cvae_lib.reporting.document import fill, texts
    words = texts(language)["words"]
    return lambda key, **v: fill(words[key], v)


def _table(prior_cut, gmm_cut, feature_cut=None, recon_cut=None):
    """A summarize()-shaped table: the full model's three seeds, ablations with the given judge A / judge B FDs of
    each sampler; p-values from the prediction-interval test, Holm over all of them (as summarize computes)."""
    from cvae_lib.evaluation.stats import holm_adjusted
    full_a, full_b = [28.9, 34.2, 27.0], [4.9, 7.2, 5.7]
    full = {s: {"classifier": {"fd": full_a}, "judge": {"fd": full_b}} for s in ablation.SAMPLERS}
    full.update(runs=["a", "b", "c"], sharpness=[1.06, 1.08, 1.10], rate=[24.8, 25.8, 25.9])
    cuts = {"no_prior": {"prior": prior_cut, "gmm": gmm_cut}}
    if feature_cut:
        cuts["no_feature"] = {"prior": feature_cut, "gmm": feature_cut}
    if recon_cut:  # (prior draws' FDs, GMM draws' FDs)
        cuts["no_recon_gan"] = dict(zip(("prior", "gmm"), recon_cut))
    table = {"full": full, "ablations": {}, "tests": 4 * len(cuts)}
    raw = {}
    for name, fds in cuts.items():
        table["ablations"][name] = {"sharpness": 0.9, "rate": 20.0}
        for s, (a, b) in fds.items():
            table["ablations"][name][s] = {"classifier": {"fd": a}, "judge": {"fd": b}}
            for j, x in (("classifier", a), ("judge", b)):
                raw[(name, s, j)] = prediction_p(x, full[s][j]["fd"])
    for (name, s, j), p in holm_adjusted(raw).items():
        table["ablations"][name][s][j]["p_holm"] = p
    return table


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_text_says_what_the_verdicts_support(language):
    word = _word(language)
    # without the prior-sample term only the prior sampler gets worse: the term trains the decoder where the prior
    # reaches beyond the codes
    only_prior = ablation.values(_table((150.0, 40.0), (31.0, 6.0)), word)
    untested = word("abl_feature_untested")  # the feature term was not ablated here: the text says its share is open
    unmeasured = word("abl_hole_unmeasured")  # the hole test (add_holes) not run: the text says so
    assert only_prior["abl_mechanism"] == word("abl_mech_prior") + " " + unmeasured + " " + untested
    assert only_prior["abl_no_feature_sentence"] == "" and only_prior["abl_intro"] == word("abl_intro_one")
    assert "150.0" in only_prior["abl_no_prior_sentence"] and "30.0" in only_prior["abl_no_prior_sentence"]
    assert only_prior["abl_n"] == 3 and only_prior["abl_df"] == 2 and only_prior["abl_tests"] == 4
    both = ablation.values(_table((150.0, 40.0), (150.0, 40.0)), word)
    assert both["abl_mechanism"] == word("abl_mech_prior_gmm") + " " + unmeasured + " " + untested
    sharp = _table((150.0, 40.0), (31.0, 6.0))
    sharp["ablations"]["no_prior"]["sharpness"] = 1.04  # as sharp as the full model (mean 1.08): said
    assert ablation.values(sharp, word)["abl_mechanism"] == " ".join(
        [word("abl_mech_prior"), word("abl_sharp_kept", sharp=1.04, full=1.08), unmeasured, untested])
    neither = ablation.values(_table((31.0, 6.0), (30.0, 5.0), feature_cut=(200.0, 50.0)), word)
    assert neither["abl_mechanism"] == word("abl_mech_prior_none") + " " + word("abl_mech_feature")
    assert neither["abl_intro"] == word("abl_intro_many")
    one = ablation.values(_table((150.0, 6.0), (31.0, 6.0)), word)  # judge A alone: the reading, said as weaker
    assert one["abl_mechanism"] == word("abl_mech_prior_one") + " " + unmeasured + " " + untested
    p_a = [e for e in [_table((150.0, 6.0), (31.0, 6.0))["ablations"]["no_prior"]["prior"]["classifier"]["p_holm"]]][0]
    assert word("abl_higher_one", fd=150.0, full=30.03, fd_b=6.0, full_b=5.93, p_a=f"p = {p_a:.2g}",
                p_b="p = 1")[:12] in one["abl_no_prior_sentence"]
    assert word("abs_mech_prior_one") in ablation.abstract_reason(_table((150.0, 6.0), (31.0, 6.0)), word)
    reason = ablation.abstract_reason(_table((150.0, 40.0), (31.0, 6.0), feature_cut=(31.0, 6.0)), word)
    assert word("abl_short_higher") in reason and word("abl_short_same") not in reason  # the GMM's: Section 5's
    assert word("abs_mech_prior") in reason and word("abl_runs_one") in reason
    assert word("abstract_abl_no_feature_same") not in reason  # neither sampler moved: Section 5 says so, not here
    nothing = ablation.abstract_reason(_table((31.0, 6.0), (31.0, 6.0), feature_cut=(31.0, 6.0)), word)
    assert word("abstract_abl_no_feature_same") in nothing and word("abl_runs_many") in nothing  # all null: all said
    assert nothing.index(word("abstract_abl_no_feature_same")) > nothing.index(word("abstract_abl_no_prior_same"))
    both = ablation.abstract_reason(_table((150.0, 40.0), (31.0, 6.0), feature_cut=(150.0, 40.0)), word)
    assert both.index(word("abl_short_higher")) < both.index(word("abstract_abl_no_feature", verdict=word(
        "abl_short_higher"), fd=150.0))  # both moved: both said, the prior-sample term first
    assert ablation.abstract_reason(_table((31.0, 6.0), (150.0, 40.0)), word) == word(  # no reading: no mechanism
        "abstract_abl_bare", runs=word("abl_runs_one"), parts=word(
            "abstract_abl_no_prior", verdict=word("abl_short_same"), gmm=word("abl_short_higher"), fd=31.0, repeat="",
            full=sum([28.9, 34.2, 27.0]) / 3))


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_text_gives_the_terms_share_of_the_gain_and_the_rate_confound(language):
    word = _word(language)
    table = _table((104.5, 19.8), (30.0, 4.9))
    plain = ablation.values(table, word)["abl_mechanism"]
    assert word("abl_rate_higher", rate=20.0, full=25.5)[:6] not in plain  # its rate (20) is below the full model's
    table["original"] = {"prior": {"classifier": {"fd": [160.8, 158.7, 160.2]}}}  # mean 159.9
    table["ablations"]["no_prior"]["rate"] = 28.8  # above every seed of the full model (24.8, 25.8, 25.9)
    said = ablation.values(table, word)["abl_mechanism"]
    full = sum([28.9, 34.2, 27.0]) / 3
    share = ablation.gain_share(table)
    assert share["share"] == pytest.approx(100 * (104.5 - full) / (159.9 - full))  # by hand: about 57 %
    assert word("abl_share", **share) in said and word("abl_rate_higher", rate=28.8, full=25.5) in said
    assert said.startswith(word("abl_mech_prior")) and "share_b" not in share  # judge B's original not scored
    table["original"]["prior"]["judge"] = {"fd": [19.3, 19.1, 19.2]}  # judge B: 19.8 without the term, above 19.2
    share = ablation.gain_share(table)
    full_b = sum([4.9, 7.2, 5.7]) / 3
    assert share["share_b"] == pytest.approx(100 * (19.8 - full_b) / (19.2 - full_b)) and share["share_b"] > 100
    assert word("abl_share_b_all", **share) in ablation.values(table, word)["abl_mechanism"]  # all of judge B's gain
    table["ablations"]["no_prior"]["prior"]["judge"]["fd"] = 12.0  # half of it, about
    assert word("abl_share_b", **ablation.gain_share(table)) in ablation.values(table, word)["abl_mechanism"]
    table["original"]["prior"]["classifier"]["fd"] = [20.0, 20.0, 20.0]  # no gain over the original: no share
    assert ablation.gain_share(table) == {}


def _holes(gaps: dict) -> dict:
    """A prior_holes.json: run -> (judge A gap, judge B gap), each from a covered half's FD of 30 / 5."""
    def result(a, b):
        return {"share_below": 0.95, "covered": {"classifier": {"fd": 30.0}, "judge": {"fd": 5.0}},
                "uncovered": {"classifier": {"fd": 30.0 + a}, "judge": {"fd": 5.0 + b}}}
    return {"groups": {"all": {run: result(*g) for run, g in gaps.items()}}}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_hole_gap_is_tested_against_the_full_models_seeds_in_its_own_family(language):
    from cvae_lib.evaluation.stats import holm_adjusted
    word = _word(language)
    table = _table((104.5, 19.8), (30.0, 4.9), feature_cut=(22.5, 4.4))
    table["ablations"]["no_prior"]["run"], table["ablations"]["no_feature"]["run"] = "cut", "feature"
    table["original"] = {"runs": ["o1", "o2"]}
    full_a, full_b = [-2.7, -1.7, 1.7], [3.7, 2.8, 3.9]
    measured = _holes({"a": (full_a[0], full_b[0]), "b": (full_a[1], full_b[1]), "c": (full_a[2], full_b[2]),
                    "cut": (36.9, 7.2), "feature": (-2.4, 3.3), "o1": (-4.5, 0.5), "o2": (5.9, 1.1)})
    out = holes.add_holes(table, measured)
    assert "hole" not in table["full"]  # a new table: the FD study is left as it was
    assert out["full"]["hole"]["classifier"]["fd"] == pytest.approx(full_a)
    assert out["original"]["hole"]["judge"]["fd"] == pytest.approx([0.5, 1.1])
    raw = {(n, j): prediction_p(g, f) for n, gaps in (("no_prior", (36.9, 7.2)), ("no_feature", (-2.4, 3.3)))
           for j, g, f in zip(ablation.JUDGES, gaps, (full_a, full_b))}
    adjusted = holm_adjusted(raw)  # the family: the hole gaps alone (2 ablations x 2 judges), not the FD tests
    for (n, j), p in adjusted.items():
        assert out["ablations"][n]["hole"][j]["p_holm"] == pytest.approx(p)
    assert out["hole_tests"] == 4 and out["tests"] == table["tests"]
    assert holes.hole_verdict(out) == "higher_one"  # judge A rejects (p 0.02), judge B does not (0.09)
    body = ablation.rows(out, {k: k for k in ablation.LABELS})
    assert ablation.headers(out)[-1] == "hole" and all(len(r) == 8 for r in body)
    assert body[0][-1] == f"{sum(full_a) / 3:+.1f} ± {stats.tstd(full_a):.1f}"  # the spread unsigned
    assert body[2][0] == "no_prior" and body[2][-1] == "+36.9*" and body[3][-1] == "-2.4"
    said = ablation.values(out, word, tab=3)
    assert word("abl_hole_v_higher_one") in said["abl_hole_paragraph"] and "3" in said["abl_hole_paragraph"]
    assert word("abl_hole_unmeasured") not in said["abl_mechanism"]  # measured: its own paragraph says it
    assert word("abl_theory_higher_one") in said["abl_theory"]
    # the abstract and the conclusion leave the uncalibrated hole test to Section 5
    assert ablation.abstract_reason(out, word) == ablation.abstract_reason(table, word)
    assert said["abl_short"] == ablation.values(table, word)["abl_short"]
    # not measured: the table keeps its six columns and the text says the regions were not measured
    plain = ablation.values(table, word)
    assert word("abl_hole_unmeasured") in plain["abl_mechanism"] and word("abl_theory_unmeasured") in plain["abl_theory"]
    assert plain["abl_hole_paragraph"] == ""
    assert len(ablation.rows(table, {k: k for k in ablation.LABELS})[0]) == 7 and ablation.headers(table)[-1] == "rate"
    # without the full model's seeds measured there is nothing to test against: unchanged
    assert holes.add_holes(table, _holes({"cut": (36.9, 7.2)})) is table


@pytest.mark.parametrize("language", ["en", "zh"])
def test_an_ablation_at_several_seeds_is_compared_by_welch_and_one_run_by_the_prediction_interval(tmp_path, language):
    from cvae_lib.evaluation.stats import holm_adjusted
    word = _word(language)
    full_fd, full = _full_runs(tmp_path)
    cut_fd = {"classifier": [90.0, 95.0, 99.0], "judge": [18.0, 6.5, 19.0]}
    cuts = [_run(tmp_path, f"conv-s{i}-vaegan-gamma0.1-lr0.0003-no_prior",
                 {"prior": {j: cut_fd[j][i] for j in ablation.JUDGES}, "gmm": {"classifier": 31.0 + i, "judge": 6.0}},
                 0.8, sharp=0.7 + 0.1 * i, rate=28.0 + i, gan_ablation="no_prior", seed=i) for i in range(3)]
    feature = _run(tmp_path, "conv-s0-vaegan-gamma0.1-lr0.0003-no_feature",
                   {s: {"classifier": 22.5, "judge": 4.4} for s in ablation.SAMPLERS}, 0.8, gan_ablation="no_feature")
    table = ablation.summarize(full, {"no_prior": cuts, "no_feature": feature})
    entry = table["ablations"]["no_prior"]
    assert entry["runs"] == [c.name for c in cuts] and entry["rate"] == pytest.approx(29.0)
    assert entry["prior"]["classifier"]["fd"] == pytest.approx(sum(cut_fd["classifier"]) / 3)
    assert entry["prior"]["classifier"]["fds"] == cut_fd["classifier"]
    raw = {}
    for s in ablation.SAMPLERS:
        for j in ablation.JUDGES:  # several seeds: Welch's t-test by scipy; one run: the prediction interval
            mine = [c[s][j] for c in ([{"prior": {jj: cut_fd[jj][i] for jj in ablation.JUDGES},
                                        "gmm": {"classifier": 31.0 + i, "judge": 6.0}} for i in range(3)])]
            theirs = [fd if j == "classifier" else fd / 5 for fd in full_fd]
            raw[("no_prior", s, j)] = stats.ttest_ind(mine, theirs, equal_var=False).pvalue if len(set(mine)) > 1 \
                else math.nan
            raw[("no_feature", s, j)] = prediction_p(22.5 if j == "classifier" else 4.4, theirs)
    for key, p in raw.items():
        if not math.isnan(p):
            assert table["ablations"][key[0]][key[1]][key[2]]["p"] == pytest.approx(p)
    adjusted = holm_adjusted({k: p for k, p in raw.items()})
    assert entry["prior"]["classifier"]["p_holm"] == pytest.approx(adjusted[("no_prior", "prior", "classifier")])
    assert table["tests"] == 8
    body = ablation.rows(table, {k: k for k in ablation.LABELS}, lambda n: f" [{n}]")
    assert [r[0] for r in body[2:4]] == ["no_prior [3]", "no_feature [1]"]
    assert body[2][1] == f"{sum(cut_fd['classifier']) / 3:.1f} ± {stats.tstd(cut_fd['classifier']):.1f}*"
    assert body[3][1] == "22.5" and body[2][6] == "29.0"  # one run: its value; the rate: the seeds' mean
    said = ablation.values(table, word)
    assert said["abl_design"] == word("abl_design_mixed", n=3, df=2, k=3,  # each name in its own quotes
                                      many="“" + word("abl_no_prior") + "”", one="“" + word("abl_no_feature") + "”")
    assert word("abl_runs_seeds", n=3) in ablation.abstract_reason(table, word)
    assert said["abl_no_feature_sentence"] == word(  # neither sampler moved: one clause for both
        "abl_sentence_same", what=word("abl_what_no_feature"), fd=22.5, full=sum(full_fd) / 3, gmm_fd=22.5,
        full_gmm=sum(full_fd) / 3)
    alone = ablation.summarize(full, {"no_prior": cuts[0]})
    assert ablation.values(alone, word)["abl_design"] == word("abl_design_single", n=3, df=2)
    assert ablation.values(ablation.summarize(full, {"no_prior": cuts}), word)["abl_design"] == word(
        "abl_design_welch", n=3, df=2, k=3, many=word("abl_no_prior"), one="")
    # the full model's seed-0 row and its caption's mention only where some ablation has that seed alone
    assert said["abl_seed_row"] == word("abl_caption_seed_row") and body[1][0] == "full_seed"
    assert said["abl_test_kind"] == word("abl_test_kind_mixed")
    every = ablation.summarize(full, {"no_prior": cuts})
    labels = [r[0] for r in ablation.rows(every, {k: k for k in ablation.LABELS})]
    assert "full_seed" not in labels and labels[:2] == ["full", "no_prior"]
    assert ablation.values(every, word)["abl_seed_row"] == "" and ablation.values(every, word)[
        "abl_test_kind"] == word("abl_test_kind_welch")
    # the hole gap: the seeds' gaps, their mean and Welch's p against the full model's gaps
    gaps = {f.name: (g, 3.0 + g / 10) for f, g in zip(full, (-2.7, -1.7, 1.7))}
    gaps.update({c.name: (g, 7.0 + g / 20) for c, g in zip(cuts, (36.9, 52.3, 44.0))})
    gaps[feature.name] = (-2.4, 3.3)
    measured = holes.add_holes(table, _holes(gaps))
    hole = measured["ablations"]["no_prior"]["hole"]["classifier"]
    assert hole["fds"] == pytest.approx([36.9, 52.3, 44.0]) and hole["fd"] == pytest.approx(133.2 / 3)
    assert hole["p"] == pytest.approx(stats.ttest_ind([36.9, 52.3, 44.0], [-2.7, -1.7, 1.7], equal_var=False).pvalue)
    assert measured["hole_tests"] == 4
    text = holes.hole_sentence(measured, word, tab=3)
    assert f"+{133.2 / 3:.1f}\u00a0±\u00a0{stats.tstd([36.9, 52.3, 44.0]):.1f}" in text  # the seeds' spread, unbroken


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_gmm_samplers_gain_that_outlives_both_ablations_is_tied_to_what_both_keep(language):
    word = _word(language)
    # both ablations leave the GMM's draws where they were: the reading of what both keep, in the abstract and text
    both_kept = _table((150.0, 6.0), (31.0, 6.0), feature_cut=(31.0, 6.0))
    assert word("abs_gmm_kept", feature_seeds=word("abs_feature_one_seed")) in ablation.abstract_reason(both_kept, word)
    said = ablation.values(both_kept, word)["abl_mechanism"]
    assert word("abl_mech_gmm_kept") in said and word("abl_mech_feature_none") in said  # one run: inconclusive
    # the prior-sample ablation also hurt the GMM's draws: no such reading
    hurt = _table((150.0, 40.0), (150.0, 40.0), feature_cut=(31.0, 6.0))
    assert word("abs_gmm_kept", feature_seeds=word("abs_feature_one_seed")) not in ablation.abstract_reason(hurt, word)
    assert word("abl_mech_feature_none") in ablation.values(hurt, word)["abl_mechanism"]
    assert word("abl_mech_gmm_kept") not in ablation.values(hurt, word)["abl_mechanism"]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_feature_ablation_at_several_seeds_that_stays_as_sharp_credits_the_adversarial_loss(language):
    word = _word(language)
    table = _table((150.0, 40.0), (31.0, 6.0), feature_cut=(31.0, 6.0))  # neither sampler moved without the term
    one = ablation.values(table, word)
    assert word("abl_mech_feature_none") in one["abl_mechanism"]  # one run: inconclusive, nothing credited
    assert one["abl_larsen"] == word("abl_larsen_untested")
    table["ablations"]["no_feature"].update(runs=["x", "y", "z"], sharpness=1.07)  # three seeds, full model's mean 1.08
    many = ablation.values(table, word)
    assert word("abl_mech_feature_none") not in many["abl_mechanism"]
    assert word("abl_feature_sharp_kept", sharp=1.07, full=1.08) in many["abl_mechanism"]
    assert word("abl_mech_gmm_kept") in many["abl_mechanism"] and many["abl_larsen"] == word("abl_larsen_tested")
    table["ablations"]["no_feature"]["sharpness"] = 0.6  # blurrier without it: the feature term may sharpen, not said
    blurred = ablation.values(table, word)
    assert word("abl_feature_sharp_kept", sharp=0.6, full=1.08) not in blurred["abl_mechanism"]
    assert blurred["abl_larsen"] == word("abl_larsen_untested")
    assert one["open_feature"] == word("open_feature_one") and many["open_feature"] == ""  # the limits say one run
    assert word("abs_gmm_kept", feature_seeds="") in ablation.abstract_reason(table, word)  # no "one seed" there


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_third_ablation_says_whether_the_gmm_samplers_gain_rests_on_the_adversarial_loss_on_reconstructions(
        language):
    word = _word(language)
    # the GMM's draws outlive the first two ablations; without the adversarial loss on reconstructions they get worse
    # in both judges (one run: the prediction-interval test, Holm over all 12), and its prior draws lose sharpness
    table = _table((150.0, 40.0), (31.0, 6.0), feature_cut=(31.0, 6.0), recon_cut=((31.0, 6.0), (150.0, 40.0)))
    table["ablations"]["no_recon_gan"]["sharpness"] = 0.5  # against the full model's mean 1.08
    assert ablation.verdict(table["ablations"]["no_recon_gan"], "gmm", table["full"]) == "higher"
    said = ablation.values(table, word)
    assert said["abl_mechanism"].endswith(word("abl_recon_gmm_higher") + " " +
                                          word("abl_recon_sharp_lower", sharp=0.5, full=1.08))
    assert word("abl_mech_gmm_kept") not in said["abl_mechanism"]  # the conjecture is replaced by the test
    assert said["abl_no_recon_gan_sentence"].startswith(word("abl_sentence", what=word("abl_what_no_recon_gan"),
                                                             prior="", gmm="")[:8])
    assert said["open_recon"] == word("open_recon_one")
    reason = ablation.abstract_reason(table, word)
    assert word("abs_gmm_recon_higher") in reason and word("abs_gmm_kept", feature_seeds=word("abs_feature_one_seed")) \
        not in reason
    # the first two ablations at three seeds, the third once: the abstract's count of runs says both
    for name in ("no_prior", "no_feature"):
        table["ablations"][name]["runs"] = ["x", "y", "z"]
    assert word("abl_runs_but_one", n=3) in ablation.abstract_reason(table, word)
    assert reason.count(word("abl_what_no_recon_gan").split("（")[0].split(" (")[0]) == 1  # said once: its reading
    labels = {k: k for k in ablation.LABELS}
    assert [r[0] for r in ablation.rows(table, labels)] == ["full", "full_seed", "no_prior", "no_feature",
                                                            "no_recon_gan"]
    # its GMM draws where the full model's are, and as sharp: the gain rests on no single part
    kept = _table((150.0, 40.0), (31.0, 6.0), feature_cut=(31.0, 6.0), recon_cut=((31.0, 6.0), (31.0, 6.0)))
    kept["ablations"]["no_recon_gan"]["sharpness"] = 1.05
    assert ablation.values(kept, word)["abl_mechanism"].endswith(
        word("abl_recon_gmm_same") + " " + word("abl_recon_sharp_kept", sharp=1.05, full=1.08))
    assert word("abs_gmm_recon_same") in ablation.abstract_reason(kept, word)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_an_ablation_below_the_full_model_without_significance_is_named_not_ranked(language):
    word = _word(language)
    # the feature ablation's draws score 22.5 in judge A against the full model's mean 30.03, within its seeds' spread
    table = _table((150.0, 40.0), (31.0, 6.0), feature_cut=(22.5, 4.4))
    said = ablation.values(table, word)["abl_not_ranked"]
    full = sum([28.9, 34.2, 27.0]) / 3
    cells = [word("abl_lower_cell", name=word("abl_no_feature"), sampler=word(f"abl_sampler_{s}"), fd=22.5, full=full)
             for s in ablation.SAMPLERS]
    assert said == word("abl_not_ranked_lower", cells=word("list_sep").join(cells))
    # significantly higher (the prior-sample ablation's prior draws) or no lower: only the plain sentence
    higher = _table((150.0, 40.0), (31.0, 6.0), feature_cut=(31.0, 6.0))
    assert ablation.values(higher, word)["abl_not_ranked"] == word("abl_not_ranked")
