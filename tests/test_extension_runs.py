"""The extension models wired into runs: training, resuming, saving, evaluation, the latent samplers and the
leaderboard, each against an independent computation or a known case."""
import math

import pandas as pd
import pytest
import torch
from torch.distributions import Categorical, Independent, MixtureSameFamily, Normal

from cvae_lib.reporting import leaderboard, names
from cvae_lib.training import runs
from cvae_lib.evaluation.classifier import load_classifier, predict
from cvae_lib.base.config import ConfigError, EvalConfig, RunSpec, SamplerConfig, Scale, TrainConfig
from cvae_lib.reporting.document import fill, texts
from cvae_lib.evaluation.evaluate import log_weights
from cvae_lib.evaluation.extensions import VAEGAN_KINDS, evaluate_samplers, sampler_images
from cvae_lib.modelling.losses import evaluate_loss
from cvae_lib.evaluation.metrics import evaluate_run, sample_quality
from cvae_lib.modelling.models import one_hot
from cvae_lib.modelling.priors import VampPrior, log_prior_fn
from cvae_lib.reporting.report import EXTENSIONS_FILE
from cvae_lib.reporting.sweep import load_sweep, run_specs
from cvae_lib.training.train import train

TINY = dict(epochs=2, train_subset=256, test_subset=100, device="cpu")
TINY_EVAL = EvalConfig(iwae_k=4, samples_per_class=20, interpolation_pairs=4, test_subset=100)


def test_extension_options_are_validated_and_named():
    assert RunSpec.from_params({"extension": "vampprior"}).name == "mlp-s0-vampprior"
    assert RunSpec.from_params({"extension": "vaegan", "gan_gamma": 0.1, "learning_rate": 3e-4}).name == \
        "mlp-s0-vaegan-gamma0.1-lr0.0003"
    with pytest.raises(ConfigError, match="extension must be one of"):
        TrainConfig(extension="flow")
    with pytest.raises(ConfigError, match="replaces the pixel likelihood"):
        TrainConfig(extension="vaegan", likelihood="gaussian")
    with pytest.raises(ConfigError, match="vamp_pseudo_inputs must be a positive integer"):
        TrainConfig(extension="vampprior", vamp_pseudo_inputs=0)
    with pytest.raises(ConfigError, match="cannot be overridden"):
        Scale(overrides={"extension": "vaegan"})
    with pytest.raises(ConfigError, match="gmm_components"):
        SamplerConfig(gmm_components=(0,))


@pytest.mark.parametrize("extension", ["vampprior", "vaegan"])
def test_an_interrupted_extension_run_resumes_to_the_same_weights(tmp_path, fashion, extension):
    config = TrainConfig(extension=extension, **TINY)
    train(config, tmp_path / "straight", data=fashion, progress=False)
    resumed = tmp_path / "resumed"
    from cvae_lib.training import train as train_module
    calls = []
    original = train_module.train_epoch

    def stop_after_first(*args, **kwargs):
        if calls:
            raise KeyboardInterrupt
        calls.append(1)
        return original(*args, **kwargs)
    train_module.train_epoch = stop_after_first
    try:
        with pytest.raises(KeyboardInterrupt):
            train(config, resumed, data=fashion, progress=False)
    finally:
        train_module.train_epoch = original
    assert runs.read_status(resumed)["epochs_done"] == 1
    train(config, resumed, data=fashion, progress=False)
    a, b = runs.load_torch(tmp_path / "straight" / runs.MODEL), runs.load_torch(resumed / runs.MODEL)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert any(k.startswith("vamp." if extension == "vampprior" else "discriminator.") for k in a)
    history = runs.read_history(resumed)
    assert len(history) == 2 and ("train_discriminator" in history) == (extension == "vaegan")


def test_a_vampprior_run_is_scored_under_its_own_prior(tmp_path, fashion):
    run_dir = train(TrainConfig(extension="vampprior", vamp_pseudo_inputs=3, **TINY), tmp_path / "vamp",
                    data=fashion, progress=False)
    _, model = runs.load_model(run_dir)
    assert isinstance(model.vamp, VampPrior) and model.vamp.pseudo_logits.shape == (10, 3, 1, 28, 28)
    x, labels = fashion.test_images[:5], fashion.test_labels[:5]
    z = torch.randn(5, model.latent_size, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():  # independent: the class's mixture of the encoder's posteriors at its pseudo-images
        expected = []
        for row, c in zip(z, labels.tolist()):
            mu, log_var = model.encode(torch.sigmoid(model.vamp.pseudo_logits[c]), one_hot(torch.full((3,), c)))
            mixture = MixtureSameFamily(Categorical(torch.ones(3)), Independent(Normal(mu, (0.5 * log_var).exp()), 1))
            expected.append(mixture.log_prob(row))
        torch.testing.assert_close(log_prior_fn(model)(z, labels), torch.stack(expected), rtol=1e-5, atol=1e-4)
        # the IWAE weights use the same prior: log p(x|z) + log p(z|y) - log q(z|x,y) at the drawn z
        w, _ = log_weights(model, x, one_hot(labels), 2, torch.Generator().manual_seed(1), compiled=False)
        g = torch.Generator().manual_seed(1)
        mu, log_var = model.encode(x, one_hot(labels))
        zz = mu + (0.5 * log_var).exp() * torch.randn(2, 5, model.latent_size, generator=g)
        log_px = -torch.nn.functional.binary_cross_entropy_with_logits(
            model.decode_logits(zz.flatten(0, 1), one_hot(labels).repeat(2, 1)).flatten(1),
            x.flatten(1).repeat(2, 1), reduction="none").sum(1).view(2, 5)
        log_q = Independent(Normal(mu, (0.5 * log_var).exp()), 1).log_prob(zz)
        log_p = log_prior_fn(model)(zz.flatten(0, 1), labels.repeat(2)).view(2, 5)
        torch.testing.assert_close(w, log_px + log_p - log_q, rtol=1e-5, atol=1e-3)
    result = evaluate_run(run_dir, runs.COMMITTED_CLASSIFIER, TINY_EVAL, data=fashion, progress=False)
    m = result["metrics"]
    assert m["likelihood_trained"] and math.isfinite(m["test_neg_iwae"]) and m["test_neg_iwae"] <= m["test_neg_elbo"] + 5
    elbo = evaluate_loss(model, x, labels, 1.0, torch.Generator().manual_seed(0), log_prior=log_prior_fn(model))
    assert elbo["kl"] != pytest.approx(evaluate_loss(model, x, labels, 1.0, torch.Generator().manual_seed(0))["kl"])


def test_a_vaegan_run_has_sample_metrics_and_its_bounds_under_its_own_decoder(tmp_path, fashion):
    run_dir = train(TrainConfig(extension="vaegan", learning_rate=3e-4, **TINY), tmp_path / "gan", data=fashion,
                    progress=False)
    m = evaluate_run(run_dir, runs.COMMITTED_CLASSIFIER, TINY_EVAL, data=fashion, progress=False)["metrics"]
    # its encoder and Bernoulli decoder give the ELBO as for any CVAE; IWAE is the tighter bound
    _, model = runs.load_model(run_dir)
    n = TINY_EVAL.test_subset
    direct = evaluate_loss(model, fashion.test_images[:n], fashion.test_labels[:n], 1.0, torch.Generator().manual_seed(0))
    assert m["likelihood_trained"] is False and m["test_neg_elbo"] == pytest.approx(direct["total"], rel=1e-4)
    assert math.isfinite(m["test_neg_iwae"]) and m["test_neg_iwae"] <= m["test_neg_elbo"] + 1e-3
    assert 0 <= m["precision"] <= 1 and 0 <= m["recall"] <= 1 and m["relative_sharpness"] > 0
    # its prior is N(0, I), so the samplers apply to it; only the kinds asked for are computed
    config = SamplerConfig.quick(temperatures=(0.5,), temperature=0.5, samples_per_class=20, test_subset=100)
    out = evaluate_samplers(run_dir, runs.COMMITTED_CLASSIFIER, config, kinds=VAEGAN_KINDS, data=fashion,
                            progress=False)
    assert set(out["samplers"]) == {"temperature_0.5", "gmm"} and out["key"]["kinds"] == ["temperature", "gmm"]
    assert set(sampler_images(run_dir)) == {"temperature_0.5", "gmm"}
    with pytest.raises(ValueError, match="unknown or no sampler kinds"):
        evaluate_samplers(run_dir, runs.COMMITTED_CLASSIFIER, config, kinds=("gmm", "flow"), data=fashion)


def test_the_samplers_refuse_a_model_whose_prior_is_not_the_standard_normal(tmp_path, fashion):
    run_dir = train(TrainConfig(extension="vampprior", vamp_pseudo_inputs=2, **{**TINY, "epochs": 1}),
                    tmp_path / "vamp", data=fashion, progress=False)
    with pytest.raises(ValueError, match="whose prior is not N\\(0, I\\)"):
        evaluate_samplers(run_dir, runs.COMMITTED_CLASSIFIER, SamplerConfig.quick(), data=fashion, progress=False)


def test_sample_quality_of_the_test_images_themselves_is_perfect(fashion):
    classifier = load_classifier(runs.COMMITTED_CLASSIFIER)
    x, y = fashion.test_images[:600], fashion.test_labels[:600]
    features = predict(classifier, x)[1]
    q = sample_quality(classifier, x, y, x, y, features)
    assert q["precision"] == 1.0 and q["recall"] == 1.0
    assert q["relative_sharpness"] == pytest.approx(1.0) and q["fd"] == pytest.approx(0.0, abs=1e-4)
    assert q["conditional_accuracy"] == pytest.approx(float((predict(classifier, x)[0].argmax(1) == y).float().mean()))


def test_the_samplers_are_scored_cached_and_kept_as_images(tmp_path, fashion):
    run_dir = train(TrainConfig(**TINY), tmp_path / "seed", data=fashion, progress=False)
    config = SamplerConfig.quick(temperatures=(0.5,), temperature=0.5, samples_per_class=20, test_subset=200)
    out = evaluate_samplers(run_dir, runs.COMMITTED_CLASSIFIER, config, data=fashion, progress=False)
    assert set(out["samplers"]) == {"temperature_0.5", "gmm", "two_stage"}
    assert all(n in (1, 2) for n in out["details"]["gmm"]["components"])
    images = sampler_images(run_dir)
    assert images["gmm"].shape == (10, 8, 1, 28, 28) and 0 <= images["gmm"].min() and images["gmm"].max() <= 1
    stamp = (run_dir / runs.SAMPLERS).stat().st_mtime_ns
    assert evaluate_samplers(run_dir, runs.COMMITTED_CLASSIFIER, config, data=fashion, progress=False) == out
    assert (run_dir / runs.SAMPLERS).stat().st_mtime_ns == stamp


def _fake_run(root, name, config: TrainConfig, metrics: dict, samplers: dict = None):
    d = root / name
    d.mkdir()
    runs.write_json(d / runs.CONFIG, config.to_dict())
    runs.write_json(d / runs.METRICS, {"metrics": metrics})
    if samplers:
        runs.write_json(d / runs.SAMPLERS, {"samplers": samplers, "details": {}})
    return d


def _metrics(acc, fd, sharp=0.5):
    """A run's metrics.json entries for the leaderboard tests: accuracy, FD and sharpness vary, the rest is fixed."""
    return {"conditional_accuracy": acc, "fd": fd, "precision": 0.9, "recall": 0.1, "relative_sharpness": sharp,
            "reconstruction_accuracy": 0.86, "test_neg_iwae": 234.0}


def _english_word(key, **values):
    return fill(texts("en")["words"][key], values)


def test_the_leaderboard_averages_each_method_over_seeds(tmp_path):
    def m(acc, fd, iwae=None):
        out = {"conditional_accuracy": acc, "fd": fd, "precision": 0.9, "recall": 0.1, "relative_sharpness": 0.5,
               "reconstruction_accuracy": 0.86}
        return out if iwae is None else {**out, "test_neg_iwae": iwae}
    mains = [_fake_run(tmp_path, f"mlp-s{s}", TrainConfig(seed=s), m(0.8 + s / 100, 180 - s, 234 + s),
                       {"gmm": {**m(0.85 + s / 100, 120 + s), "fit_seconds": 10.0}}) for s in (0, 1)]
    gans = [_fake_run(tmp_path, f"gan-s{s}", TrainConfig(seed=s, extension="vaegan", gan_gamma=0.1), m(0.7, 100 + 2 * s))
            for s in (0, 1)]
    summary = leaderboard.leaderboard_summary(leaderboard.leaderboard(mains, gans, 0.7))
    assert list(summary.method) == ["prior", "gmm", "vaegan"]
    gmm = summary[summary.method == "gmm"].iloc[0]
    assert gmm.conditional_accuracy == pytest.approx(0.855) and gmm.fd_std == pytest.approx(pd.Series([120, 121]).std())
    assert math.isnan(gmm.test_neg_iwae) and math.isnan(summary[summary.method == "vaegan"].iloc[0].test_neg_iwae)
    words = {"m_prior": "prior", "m_gmm": "GMM", "m_vaegan": "GAN {{gamma:g}}", "not_defined": "n/a"}
    word = lambda key, **v: fill(words[key], v)  # noqa: E731
    labels = leaderboard.method_labels(summary, word, 0.7)
    rows = leaderboard.leaderboard_rows(summary, labels, word)
    assert rows[1][0] == "GMM" and rows[1][6] == "n/a" and rows[2][0] == "GAN 0.1"
    assert rows[0][6] == f"234.50 ± {pd.Series([234, 235]).std():.2f}"
    narrow = leaderboard.leaderboard_rows(summary, labels, word, std_columns=("fd",))
    assert narrow[0][1] == "0.805" and narrow[0][2] == f"179.5 ± {pd.Series([180, 179]).std():.1f}" and narrow[0][6] == "234.50"
    sure = leaderboard.leaderboard_rows(summary, labels, word, std_columns=("fd",), confirmed={("mlp", "gmm", -1.0, "fd")})
    assert sure[1][2].endswith("\u00a0*") and not sure[1][1].endswith("*") and sure[0] == narrow[0]  # the named cell
    assert leaderboard.best_method(summary)["method"] == "vaegan"


def test_samplers_on_a_vaegan_and_conv_rows_join_the_leaderboard_and_the_target_check(tmp_path):
    mains = [_fake_run(tmp_path, f"{a}-s0", TrainConfig(architecture=a), _metrics(0.8, 180.0),
                       {"gmm": {**_metrics(0.87, 120.0), "fit_seconds": 1.0}}) for a in ("mlp", "conv")]
    gan = {"conditional_accuracy": 0.89, "fd": 30.0, "precision": 0.7, "recall": 0.7, "relative_sharpness": 1.0,
           "reconstruction_accuracy": 0.92}
    gans = [_fake_run(tmp_path, "conv-gan", TrainConfig(architecture="conv", extension="vaegan", gan_gamma=0.1), gan,
                      {"gmm": {**gan, "conditional_accuracy": 0.92, "fd": 44.0, "fit_seconds": 1.0},
                       "temperature_0.7": {**gan, "conditional_accuracy": 0.95, "fd": 95.0, "fit_seconds": 0.0}})]
    summary = leaderboard.leaderboard_summary(leaderboard.leaderboard(mains, gans, 0.7))
    assert [(r.architecture, r.method) for r in summary.itertuples()] == [
        ("mlp", "prior"), ("mlp", "gmm"), ("conv", "prior"), ("conv", "gmm"), ("conv", "vaegan"),
        ("conv", "vaegan_temperature"), ("conv", "vaegan_gmm")]
    assert summary.iloc[-1].gamma == 0.1 and math.isnan(summary.iloc[-1].test_neg_iwae)
    word = _english_word
    labels = leaderboard.method_labels(summary, word, 0.7)
    assert labels[("conv", "vaegan_gmm", 0.1)] == "conv VAE-GAN + GMM"
    v = leaderboard.extension_values(summary, labels, {}, word, real_accuracy=0.93)
    assert v["max_acc_name"] == "conv VAE-GAN at τ = 0.7" and v["min_fd_name"] == "conv VAE-GAN"
    assert (v["cgmm_acc"], v["ctau_fd"], v["conv_gan_fd"]) == (0.92, 95.0, 30.0)
    assert v["cgmm_acc_dir"] == word("rises") and v["cgmm_fd_dir"] == word("rises")
    # the MLP GMM beats the reconstructions' accuracy: the text must not speak of closing more than the gap
    assert v["gap_sentence"] == word("gap_exceeds", racc=0.86, gmm_recall=v["gmm_recall"], prior_recall=v["prior_recall"])
    # only tau = 0.7 on the conv VAE-GAN beats the classifier on real test images (0.95 > 0.93)
    assert v["acc_above_real"] == word("acc_above_real", real_acc=0.93, names="conv VAE-GAN at τ = 0.7",
                                       max_acc_name="conv VAE-GAN at τ = 0.7", recall=0.7)
    assert leaderboard.extension_values(summary, labels, {}, word)["acc_above_real"] == ""


def test_a_conv_vampprior_is_said_beside_the_conv_vaegan_and_leaves_the_limits(tmp_path):
    word = _english_word
    mains = [_fake_run(tmp_path, f"{a}-s0", TrainConfig(architecture=a), _metrics(0.8, 180.0)) for a in ("mlp", "conv")]
    gan = _fake_run(tmp_path, "conv-gan", TrainConfig(architecture="conv", extension="vaegan", gan_gamma=0.1),
                    _metrics(0.93, 30.0))
    without = leaderboard.leaderboard_summary(leaderboard.leaderboard(mains, [gan], 0.7))
    v = leaderboard.extension_values(without, leaderboard.method_labels(without, word, 0.7), {}, word)
    assert v["conv_vamp_clause"] == "" and v["open_vamp"] == word("open_no_conv_vamp")
    assert v["conv_gan_clause"] == word("conv_gan_trained") and v["conv_scope"] == word("conv_scope")
    for fd, key in ((104.0, "conv_vamp_behind"), (20.0, "conv_vamp_ahead")):
        vamp = _fake_run(tmp_path, f"conv-vamp-{fd:g}", TrainConfig(architecture="conv", extension="vampprior"),
                         {**_metrics(0.85, fd), "test_neg_iwae": 231.0})
        summary = leaderboard.leaderboard_summary(leaderboard.leaderboard(mains, [gan, vamp], 0.7))
        v = leaderboard.extension_values(summary, leaderboard.method_labels(summary, word, 0.7), {}, word)
        assert (v["cvamp_fd"], v["cvamp_acc"], v["cvamp_iwae"]) == (fd, 0.85, 231.0)
        assert v["conv_vamp_clause"] == word(key, **v) and str(fd) in v["conv_vamp_clause"]
        assert v["open_vamp"] == "" and v["conv_gan_clause"] == word("conv_gan_trained_vamp")
        assert v["conv_scope"] == word("conv_scope_vamp")
    assert v["cvamp_fd_dir"] == word("falls") and v["cvamp_acc_dir"] == word("rises")  # 180 -> 20, 0.80 -> 0.85


def test_the_conclusion_adds_not_the_backbone_only_after_its_reason_and_with_the_vampprior_behind():
    word = _english_word
    # the conclusion's sentence: after its reason only, with the VampPrior behind, and "together" where the same
    # losses do better on conv than on the MLP
    from cvae_lib.reporting import backbone
    v = {"conclusion_reason": "R.", "cvamp_fd": 104.0, "cvamp_acc": 0.85, "conv_gan_fd": 30.0, "gan_fd": 98.0,
         "backbone_p": "p = 0.01"}
    assert backbone.conclusion_backbone(v, word) == word("conclusion_backbone_both", **v)
    assert "Welch's test, p = 0.01" in backbone.conclusion_backbone(v, word)
    assert backbone.conclusion_backbone({**v, "gan_fd": 20.0}, word) == word("conclusion_backbone", **v)
    assert backbone.conclusion_backbone({**v, "conclusion_reason": ""}, word) == ""
    assert backbone.conclusion_backbone({**v, "cvamp_fd": 25.0}, word) == ""


def test_the_same_vaegan_losses_on_both_backbones_are_compared_by_welchs_test_over_seeds():
    import pandas as pd
    from scipy import stats

    from cvae_lib.reporting import backbone
    seeds = pd.DataFrame({"architecture": ["mlp"] * 3 + ["conv"] * 3 + ["mlp"] * 3, "method": ["vaegan"] * 6 + ["prior"] * 3,
                          "gamma": [0.1] * 6 + [float("nan")] * 3, "fd": [84.0, 98.0, 112.0, 27.0, 30.0, 33.0, 180, 181, 179]})
    grouped = seeds[seeds.method == "vaegan"].groupby(["architecture", "method", "gamma"]).fd  # the leaderboard's summary
    ext = pd.concat([grouped.mean(), grouped.std(ddof=1).rename("fd_std"), grouped.size().rename("n_seeds")],
                    axis=1).reset_index()
    raw = stats.ttest_ind([84.0, 98.0, 112.0], [27.0, 30.0, 33.0], equal_var=False).pvalue  # Welch on the seeds
    assert backbone.backbone_gap_p(ext, 0.1, 0.1) == pytest.approx(raw) and raw < 0.05
    assert backbone.backbone_gap_p(ext, 1.0, 0.1) != backbone.backbone_gap_p(ext, 1.0, 0.1)  # no MLP row at 1: NaN


def test_the_extension_cost_measures_the_sweep_files_own_configs():
    specs = run_specs(load_sweep(EXTENSIONS_FILE))
    seen = []

    def measure(config):
        seen.append(config)
        return {"mlp": 1.0, "conv": 4.0}[config.architecture] * (10.0 if config.extension == "vaegan" else 1.0)
    board = pd.DataFrame({"method": ["gmm", "gmm"], "architecture": ["mlp", "mlp"], "fit_seconds": [2.0, 4.0]})
    cost = leaderboard.extension_cost(measure, board, [s.train for s in specs])
    assert {c.learning_rate for c in seen if c.extension == "vaegan"} == {
        s.train.learning_rate for s in specs if s.train.extension == "vaegan"}
    assert set(cost["epoch_seconds"]) == {f"{s.train.architecture}/{e}" for s in specs for e in ("none", s.train.extension)}
    expected = sum(s.train.epochs * cost["epoch_seconds"][f"{s.train.architecture}/{s.train.extension}"] for s in specs)
    assert cost["training_hours"] == pytest.approx(expected / 3600) and cost["runs"] == len(specs)
    assert cost["fit_seconds"] == {"gmm": 3.0}


def test_the_vaegan_is_compared_with_the_cvae_trained_by_its_optimizer(tmp_path):
    word = _english_word
    mains = [_fake_run(tmp_path, "mlp-s0", TrainConfig(), _metrics(0.8, 180.0))]
    gan = _fake_run(tmp_path, "mlp-gan", TrainConfig(extension="vaegan", gan_gamma=0.1), _metrics(0.85, 60.0, 1.1))
    clauses = {}
    for fd in (240.0, 100.0, 50.0):  # worse than the original; between the original and the VAE-GAN; better
        base = _fake_run(tmp_path, f"mlp-rms-{fd:g}", TrainConfig(optimizer="rmsprop", learning_rate=3e-4),
                         _metrics(0.7, fd))
        summary = leaderboard.leaderboard_summary(leaderboard.leaderboard(mains, [gan, base], 0.7))
        labels = leaderboard.method_labels(summary, word, 0.7)
        assert labels[("mlp", "rmsprop", leaderboard.NO_GAMMA)] == "MLP CVAE (RMSprop)"
        v = leaderboard.extension_values(summary, labels, {}, word)
        assert v["rms_fd"] == fd
        clauses[fd] = v["gan_baseline_clause"]
    args = dict(rms_acc=0.7, gan_fd=60.0, prior_fd=180.0)
    assert clauses == {240.0: word("gan_baseline_worse", rms_fd=240.0, **args),
                       100.0: word("gan_baseline_part", rms_fd=100.0, **args),
                       50.0: word("gan_baseline_all", rms_fd=50.0, **args)}
    summary = leaderboard.leaderboard_summary(leaderboard.leaderboard(mains, [gan], 0.7))
    assert leaderboard.extension_values(summary, leaderboard.method_labels(summary, word, 0.7), {}, word)[
        "gan_baseline_clause"] == ""


def test_the_answer_names_the_runner_up_only_when_welch_cannot_tell_it_from_the_best():
    import pandas as pd
    from cvae_lib.reporting import answer
    from cvae_lib.reporting.document import fill, texts
    words = texts("en")["words"]
    word = lambda key, **v: fill(words[key], v)  # noqa: E731

    def board(runner_fd, runner_acc):
        rows = [{"architecture": "mlp", "method": "vaegan_gmm", "gamma": 0.1, "seed": s, "fd": fd,
                 "conditional_accuracy": acc} for s, (fd, acc) in enumerate([(55, .90), (60, .91), (65, .91)])]
        rows += [{"architecture": "mlp", "method": "vaegan_gmm", "gamma": 1.0, "seed": s, "fd": fd,
                  "conditional_accuracy": acc} for s, (fd, acc) in enumerate(zip(runner_fd, runner_acc))]
        return pd.DataFrame(rows)
    every = board([64, 67, 70], [.88, .90, .91]).groupby(["architecture", "method", "gamma"])[
        ["fd", "conditional_accuracy"]].mean()
    # 7 FD apart with a seed std of 5 and 3, accuracy 0.01 apart: Welch's test tells them apart on neither measure
    assert answer.runner_up(every, board([64, 67, 70], [.88, .90, .91])) == ("mlp", "vaegan_gmm", 1.0)
    # far apart on FD (seed std 1): named alone
    far = board([99, 100, 101], [.89, .89, .90])
    assert answer.runner_up(far.groupby(["architecture", "method", "gamma"])[["fd", "conditional_accuracy"]]
                                 .mean(), far) is None
    prior = pd.Series({"fd": 180.0, "conditional_accuracy": 0.8})
    v = {"min_fd": 60.0, "max_acc": 0.907, "runner_name": "VAE-GAN (γ = 1) + GMM", "runner_fd": 67.0,
         "runner_acc": 0.893, "n_ext_seeds": 3}
    out = answer.best_sentences(v, "A", "A", True, prior, word)
    assert out["best_clause"].endswith("; VAE-GAN (γ = 1) + GMM (FD 67.0, accuracy 0.893) is not distinguishable "
                                       "from it with 3 seeds (Welch's t-test on either measure)")
    del v["runner_name"]
    assert "Welch" not in answer.best_sentences(v, "A", "A", True, prior, word)["best_short"]


def test_method_names_are_short_and_one_per_method():
    words = texts("zh")["words"]
    word = lambda key, **v: fill(words[key], v)  # noqa: E731
    keys = [("mlp", "vaegan_gmm", 0.1), ("mlp", "vaegan_gmm", 1.0), ("conv", "prior", 0.0), ("conv", "vaegan_gmm", 0.1)]
    labels = names.method_labels(keys, word, 0.7)
    # every name says its backbone first; the MLP study trains two weights, so its names say γ; the conv one
    # trains one, so its names do not
    assert labels[keys[0]] == "MLP VAE-GAN（γ = 0.1）+ GMM" and labels[keys[2]] == "原始卷积模型"
    assert labels[keys[3]] == "卷积 VAE-GAN + GMM"
    assert names.method_labels(keys + [("conv", "vaegan_gmm", 1.0)], word, 0.7)[keys[3]] == "卷积 VAE-GAN（γ = 0.1） + GMM"
    with pytest.raises(ValueError, match="share the name"):
        names.method_labels(keys, lambda key, **v: "same", 0.7)


def test_the_gmm_control_repeats_the_samplers_gmm_and_fits_wider_samples(tmp_path, fashion):
    from cvae_lib.base.fileio import write_json
    from cvae_lib.evaluation.controls import CONTROL, gmm_control, sampler_config_of
    run_dir = train(TrainConfig(**TINY), tmp_path / "seed", data=fashion, progress=False)
    config = SamplerConfig.quick(temperatures=(0.5,), temperature=0.5, samples_per_class=20, test_subset=200)
    samplers = evaluate_samplers(run_dir, runs.COMMITTED_CLASSIFIER, config, kinds=("gmm",), data=fashion,
                                 progress=False)
    assert sampler_config_of(run_dir) == config  # read back from samplers.json's key
    out = gmm_control(run_dir, runs.COMMITTED_CLASSIFIER, config, data=fashion)
    # the means' fit is the extensions' GMM itself: same sizes, same draws, same scores
    assert out["means"]["components"] == samplers["details"]["gmm"]["components"]
    for metric in ("fd", "conditional_accuracy", "precision", "recall"):
        assert out["means"][metric] == pytest.approx(samplers["samplers"]["gmm"][metric], abs=1e-6)
    # one posterior sample per image spreads wider than the means: sigma adds its variance to each code
    assert out["samples"]["code_std"] > out["means"]["code_std"]
    # the sized fit: the same samples, every class at the largest size BIC chose for the means
    assert out["samples_sized"]["components"] == [max(out["means"]["components"])] * 10
    assert out["samples_sized"]["code_std"] == out["samples"]["code_std"]
    # a file without the sized fit (an older one) keeps its fits and gains only the missing one
    older = {k: v for k, v in out.items() if k != "samples_sized"}
    write_json(run_dir / CONTROL, {**older, "means": {**older["means"], "fd": -1.0}})  # marked: kept, not redone
    again = gmm_control(run_dir, runs.COMMITTED_CLASSIFIER, config, data=fashion)
    assert again["means"]["fd"] == -1.0 and again["samples_sized"]["fd"] == pytest.approx(out["samples_sized"]["fd"])
    write_json(run_dir / CONTROL, out)
    stamp = (run_dir / CONTROL).stat().st_mtime_ns
    assert gmm_control(run_dir, runs.COMMITTED_CLASSIFIER, config, data=fashion) == out  # cached
    assert (run_dir / CONTROL).stat().st_mtime_ns == stamp


def test_the_prose_gives_a_direction_exactly_where_the_tables_confirm_the_difference():
    from cvae_lib.reporting import answer, leaderboard
    ties = {("mlp", "temperature", leaderboard.NO_GAMMA, "conditional_accuracy"), ("mlp", "vaegan", 0.1, "fd"),
            ("mlp", "vaegan", 1.0, "conditional_accuracy")}
    v = {"gan_gamma": 0.1, "tau_acc_dir": "raises", "tau_fd_dir": "raises", "gan_fd_dir": "lowers", "gan_acc_dir": "raises"}
    dirs = answer.unconfirmed_dirs(v, ties, leaderboard.NO_GAMMA, lambda key: key.upper())
    assert dirs == {"tau_acc_dir": "DIR_UNCONFIRMED", "gan_fd_dir": "DIR_UNCONFIRMED"}  # tau's FD is confirmed
    # the VAE-GAN the prose describes is the one with gan_gamma: gamma 1's tie is not its
    other = answer.unconfirmed_dirs({**v, "gan_gamma": 1.0}, ties, leaderboard.NO_GAMMA, lambda key: key.upper())
    assert other == {"tau_acc_dir": "DIR_UNCONFIRMED", "gan_acc_dir": "DIR_UNCONFIRMED"}
    # the other weight's VAE-GAN, said beside the best one, gets its own gamma's
    both = answer.unconfirmed_dirs({**v, "gan_other_gamma": 1.0, "ogan_acc_dir": "raises", "ogan_fd_dir": "lowers"},
                                   ties, leaderboard.NO_GAMMA, lambda key: key.upper())
    assert both["ogan_acc_dir"] == "DIR_UNCONFIRMED" and "ogan_fd_dir" not in both
    assert answer.unconfirmed_dirs(v, set(), leaderboard.NO_GAMMA, lambda key: key.upper()) == {}
    assert set(answer.MARKED) >= {"tau", "gmm", "two", "vamp", "gan", "ogan", "conv_gan"}


