import json
import math
from dataclasses import asdict

import pytest
import torch

from cvae_lib.training import runs
from cvae_lib.evaluation.classifier import load_classifier, train_classifier
from cvae_lib.base.config import ClassifierConfig, EvalConfig
from cvae_lib.base.config import TrainConfig
from cvae_lib.evaluation.evaluate import active_units, conditional_accuracy, frechet_distance, iwae_bound
from cvae_lib.modelling.losses import continuous_bernoulli_log_norm
from cvae_lib.evaluation.metrics import evaluate_run
from cvae_lib.modelling.models import build_model
from cvae_lib.modelling.losses import evaluate_loss
from cvae_lib.training.train import train


@pytest.fixture(scope="module")
def trained(tmp_path_factory, fashion):
    run_dir = tmp_path_factory.mktemp("run") / "mlp"
    train(TrainConfig(epochs=1, train_subset=3000, test_subset=500, device="cpu"), run_dir, data=fashion,
          progress=False)
    return run_dir, runs.load_model(run_dir)[1]


def test_iwae_with_one_sample_is_the_elbo_in_expectation(trained, fashion):
    _, model = trained
    x, y = fashion.test_images[:300], fashion.test_labels[:300]
    l1 = torch.stack([iwae_bound(model, x, y, k=1, seed=s) for s in range(20)])  # (repeats, images)
    # Independent route: closed-form KL plus a many-sample reconstruction term.
    elbo = -sum(evaluate_loss(model, x, y, 1.0, torch.Generator().manual_seed(100 + s))["total"]
                for s in range(20)) / 20
    se = float(l1.mean(0).std() / math.sqrt(l1.shape[1]))
    assert abs(float(l1.mean()) - elbo) < 4 * se + 0.05


def test_iwae_does_not_decrease_with_k(trained, fashion):
    _, model = trained
    x, y = fashion.test_images[:200], fashion.test_labels[:200]
    bounds = {k: iwae_bound(model, x, y, k=k, seed=1) for k in (1, 10, 100)}
    for small, large in ((1, 10), (10, 100)):
        gain = bounds[large] - bounds[small]  # paired per image
        assert gain.mean() > 3 * gain.std() / math.sqrt(len(gain)), (small, large, float(gain.mean()))


def test_continuous_bernoulli_normalizer_matches_torch_distributions():
    logits = torch.tensor([-30.0, -5.0, -0.5, -1e-4, 0.0, 1e-5, 2e-3, 0.7, 4.0, 25.0], dtype=torch.float64)
    x = torch.tensor([0.0, 0.1, 0.3, 0.5, 0.5, 0.9, 1.0, 0.2, 0.6, 1.0], dtype=torch.float64)
    bernoulli_part = x * torch.nn.functional.logsigmoid(logits) + (1 - x) * torch.nn.functional.logsigmoid(-logits)
    reference = torch.distributions.ContinuousBernoulli(logits=logits).log_prob(x)
    torch.testing.assert_close(bernoulli_part + continuous_bernoulli_log_norm(logits), reference,
                               rtol=1e-5, atol=1e-5)


def test_frechet_distance_of_a_set_to_itself_is_zero_and_grows_with_noise():
    g = torch.Generator().manual_seed(0)
    a = torch.randn(2000, 16, generator=g) @ torch.randn(16, 16, generator=g)
    assert abs(frechet_distance(a, a)) < 1e-6
    noisy = [frechet_distance(a, a + s * torch.randn(a.shape, generator=g)) for s in (0.1, 0.5, 1.0, 2.0)]
    assert noisy == sorted(noisy) and noisy[0] > 0


def test_frechet_distance_between_gaussians_matches_the_closed_form():
    g = torch.Generator().manual_seed(1)
    shift = torch.tensor([1.0, -2.0, 0.5, 0.0])
    a, b = torch.randn(200_000, 4, generator=g), 2 * torch.randn(200_000, 4, generator=g) + shift
    # N(0, I) vs N(m, 4I): |m|^2 + tr(I + 4I - 2 * 2I) = |m|^2 + 4
    assert frechet_distance(a, b) == pytest.approx(float(shift.pow(2).sum()) + 4, abs=0.1)


def test_encoder_that_ignores_x_has_no_active_units(fashion):
    model = build_model("mlp")
    with torch.no_grad():
        model.fc1.weight[:, :784] = 0  # the encoder now sees only the label
    assert active_units(model, fashion.test_images[:1000], fashion.test_labels[:1000])["active_units"] == 0
    with torch.no_grad():  # one unit that copies the mean pixel intensity (times 10) is active
        model.fc1.weight[0, :784] = 10 / 784
        model.fc1.bias[0] = 1.0
        model.fc2.weight.zero_()
        model.fc2.weight[3, 0] = 1.0
    assert active_units(model, fashion.test_images[:1000], fashion.test_labels[:1000])["active_units"] == 1


def test_the_committed_classifier_reaches_91_percent_and_real_test_set_conditional_accuracy_equals_it(fashion):
    # the evaluation classifier the report uses, trained by the default recipe (ClassifierConfig()); training it
    # again takes 90 s of CI's 10 minutes and gives the same weights (its run folder is deterministic)
    clf_dir = runs.project_root() / "report" / "runs" / "classifier"
    assert runs.read_json(clf_dir / "config.json") == json.loads(json.dumps(asdict(ClassifierConfig())))
    accuracy = runs.read_json(clf_dir / "metrics.json")["test_accuracy"]
    assert accuracy >= 0.91
    overall, per_class, _ = conditional_accuracy(load_classifier(clf_dir), fashion.test_images, fashion.test_labels)
    assert overall == pytest.approx(accuracy, abs=1e-6)
    assert sum(per_class) / 10 == pytest.approx(accuracy, abs=1e-6)  # 1,000 test images per class


def test_evaluate_run_writes_finite_metrics_and_reuses_them(trained, fashion, tmp_path):
    run_dir, _ = trained
    clf_dir = train_classifier(tmp_path / "clf", ClassifierConfig(epochs=1, train_subset=2000), data=fashion,
                               progress=False)
    config = EvalConfig(iwae_k=20, samples_per_class=30, interpolation_pairs=10, test_subset=300)
    result = evaluate_run(run_dir, clf_dir, config, data=fashion, progress=False)
    m = result["metrics"]
    for key in ("test_neg_elbo", "test_neg_iwae", "test_neg_iwae_continuous_bernoulli", "fd",
                "conditional_accuracy", "reconstruction_accuracy"):
        assert math.isfinite(m[key]), key
    assert m["test_neg_iwae"] <= m["test_neg_elbo"] + 3 * m["test_neg_iwae_stderr"]
    assert 0 <= m["active_units"] <= 64 and len(m["fd_per_class"]) == 10
    assert set(m["interpolation"]) == {"same_class", "cross_class"}
    stamp = (run_dir / "metrics.json").stat().st_mtime_ns
    assert evaluate_run(run_dir, clf_dir, config, data=fashion, progress=False)["metrics"] == m
    assert (run_dir / "metrics.json").stat().st_mtime_ns == stamp
