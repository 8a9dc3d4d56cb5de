"""The VAE-GAN's ablations: their configs, their place beside the review's methods, and the study's statistics."""
import json
import math

import pytest
from scipy import stats

from cvae_lib.base.config import GAN_ABLATIONS, ConfigError, RunSpec, TrainConfig
from cvae_lib.evaluation.stats import prediction_p
from cvae_lib.modelling.vaegan import ABLATIONS
from cvae_lib.reporting import ablation, review_table


def test_the_config_names_validates_and_keys_the_ablation():
    assert GAN_ABLATIONS == ABLATIONS
    spec = RunSpec.from_params({"architecture": "conv", "extension": "vaegan", "gan_gamma": 0.1,
                                "learning_rate": 3e-4, "gan_ablation": "no_prior"})
    assert spec.name == "conv-s0-vaegan-gamma0.1-lr0.0003-no_prior"
    assert RunSpec.from_params({**spec.params(), "gan_ablation": "none"}).name == "conv-s0-vaegan-gamma0.1-lr0.0003"
    with pytest.raises(ConfigError, match="gan_ablation must be one of"):
        TrainConfig(extension="vaegan", gan_ablation="no_gan")
    with pytest.raises(ConfigError, match="needs extension 'vaegan'"):
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


def _run(folder, name, fd, acc, sharp=1.0, rate=20.0, gan_ablation="none"):
    """A run folder with what the study reads: config, review.json (both samplers, both judges, tau 0.8 and 1) and
    metrics.json; fd/acc: sampler -> judge -> value at tau = 1 (tau = 0.8 gets other numbers, which must not be read)."""
    run = folder / name
    run.mkdir()
    config = TrainConfig(architecture="conv", extension="vaegan", gan_gamma=0.1, learning_rate=3e-4,
                         gan_ablation=gan_ablation)
    (run / "config.json").write_text(json.dumps(config.to_dict()))
    curves = {s: [{"tau": tau, "test": {j: {"fd": fd[s][j] * (1 if tau == 1.0 else 9), "accuracy": acc}
                                         for j in ablation.JUDGES}} for tau in (0.8, 1.0)] for s in ablation.SAMPLERS}
    (run / "review.json").write_text(json.dumps({"curves": curves}))
    (run / "metrics.json").write_text(json.dumps({"metrics": {"relative_sharpness": sharp, "test_kl": rate}}))
    return run


def test_the_study_tests_each_ablation_against_the_full_models_seeds(tmp_path):
    full_fd = [28.9, 34.2, 27.0]
    full = [_run(tmp_path, f"conv-s{i}-vaegan-gamma0.1-lr0.0003",
                 {s: {"classifier": fd, "judge": fd / 5} for s in ablation.SAMPLERS}, 0.88, rate=25.0 + i)
            for i, fd in enumerate(full_fd)]
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
    assert table["tests"] == 4 and table["control"]["runs"] == []
    with pytest.raises(ValueError, match="need at least 2"):
        ablation.summarize(full[:1], {"no_prior": cut})
