"""The decoder likelihoods against torch.distributions, the KL warm-up, and training with each."""
import math

import pytest
import torch

from cvae_lib.training import runs
from cvae_lib.base.config import TrainConfig
from cvae_lib.evaluation.evaluate import iwae_bounds
from cvae_lib.modelling.losses import LIKELIHOODS, decoder_mean, reconstruction_nll
from cvae_lib.training.train import kl_weight, train

D = torch.distributions


@pytest.fixture
def batch():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(4, 1, 28, 28, generator=g, dtype=torch.float64)
    x[0, 0, :3] = 0.0  # exact 0 and 1 pixels, as in FashionMNIST
    x[1, 0, :3] = 1.0
    logits = 3 * torch.randn(4, 1, 28, 28, generator=g, dtype=torch.float64)
    return x, logits


def test_continuous_bernoulli_is_torchs(batch):
    x, logits = batch
    expected = -D.ContinuousBernoulli(logits=logits).log_prob(x).flatten(1).sum(1)
    torch.testing.assert_close(reconstruction_nll(logits, x, "continuous_bernoulli"), expected)


@pytest.mark.parametrize("likelihood", ["gaussian", "gaussian_learned"])
def test_gaussian_is_torchs(batch, likelihood):
    x, logits = batch
    log_sigma = torch.tensor(math.log(0.2), dtype=torch.float64)
    expected = -D.Normal(torch.sigmoid(logits), 0.2).log_prob(x).flatten(1).sum(1)
    torch.testing.assert_close(reconstruction_nll(logits, x, likelihood, log_sigma), expected)


def test_bernoulli_is_the_bce_that_torchs_bernoulli_gives_on_binary_pixels(batch):
    x, logits = batch
    binary = (x > 0.5).double()
    expected = -D.Bernoulli(logits=logits).log_prob(binary).flatten(1).sum(1)
    torch.testing.assert_close(reconstruction_nll(logits, binary, "bernoulli"), expected)


def test_decoder_means(batch):
    _, logits = batch
    torch.testing.assert_close(decoder_mean(logits, "continuous_bernoulli"),
                               D.ContinuousBernoulli(logits=logits).mean)
    torch.testing.assert_close(decoder_mean(logits, "gaussian"), torch.sigmoid(logits))


def test_kl_warmup_schedule():
    assert kl_weight(2.0, 0, epoch=0, batch=0, batches_per_epoch=10) == 2.0
    # 2 warm-up epochs of 10 batches: step s (1-based) has weight beta * s / 20
    assert kl_weight(2.0, 2, epoch=0, batch=0, batches_per_epoch=10) == pytest.approx(0.1)
    assert kl_weight(2.0, 2, epoch=0, batch=9, batches_per_epoch=10) == pytest.approx(1.0)
    assert kl_weight(2.0, 2, epoch=1, batch=9, batches_per_epoch=10) == pytest.approx(2.0)
    assert kl_weight(2.0, 2, epoch=5, batch=3, batches_per_epoch=10) == 2.0


def test_warmup_changes_training_only_through_the_kl_weight(tmp_path, fashion):
    small = dict(epochs=1, train_subset=512, test_subset=256, device="cpu")
    plain = runs.read_history(train(TrainConfig(**small), tmp_path / "a", data=fashion, progress=False))
    warm = runs.read_history(train(TrainConfig(**small, kl_warmup_epochs=3), tmp_path / "b", data=fashion,
                                   progress=False))
    # Under warm-up the first batches see almost no KL pressure, so the train KL ends higher.
    assert warm["train_kl"].iloc[0] > plain["train_kl"].iloc[0]


@pytest.mark.parametrize("likelihood", LIKELIHOODS)
def test_training_and_iwae_under_each_likelihood(tmp_path, fashion, likelihood):
    config = TrainConfig(epochs=1, train_subset=1024, test_subset=200, device="cpu", likelihood=likelihood)
    run_dir = train(config, tmp_path / likelihood, data=fashion, progress=False)
    history = runs.read_history(run_dir)
    assert math.isfinite(history["test_total"].iloc[0])
    _, model = runs.load_model(run_dir)  # the run folder alone rebuilds the model with its likelihood
    name, log_sigma = model.likelihood
    assert name == likelihood
    if likelihood == "gaussian_learned":
        assert float(log_sigma) != pytest.approx(math.log(0.1))  # it was learned
    else:
        assert float(log_sigma) == pytest.approx(math.log(0.1))
    own, density = iwae_bounds(model, fashion.test_images[:50], fashion.test_labels[:50], k=5,
                               likelihood=likelihood, log_sigma=log_sigma)
    assert torch.isfinite(own).all() and torch.isfinite(density).all()
    if likelihood != "bernoulli":
        torch.testing.assert_close(own, density)
