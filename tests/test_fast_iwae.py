"""The fast IWAE path computes the same numbers as the plain definitions it replaces."""
import math

import pytest
import torch

from cvae_lib.evaluation import evaluate
from cvae_lib.evaluation.evaluate import iwae_bounds, log_weights, pixel_log_likelihoods
from cvae_lib.modelling.losses import reconstruction_nll
from cvae_lib.modelling.models import FoldedConvDecoder, build_model, evaluation_decoder, one_hot


def _latents(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 64, generator=g) * 2, one_hot(torch.randint(0, 10, (n,), generator=g))


def test_folded_conv_decoder_equals_decode_logits():
    torch.manual_seed(3)
    model = build_model("conv").eval()
    for p in model.parameters():  # larger than the init, so that folding errors would show
        p.data.mul_(3)
    z, y = _latents(300)
    with torch.no_grad():
        expected = model.decode_logits(z, y)
        folded = FoldedConvDecoder(model)(z, y)
    assert folded.shape == expected.shape == (300, 1, 28, 28)
    assert torch.allclose(folded, expected, rtol=1e-4, atol=1e-4 * float(expected.abs().max()))
    assert evaluation_decoder(build_model("mlp")).__name__ == "decode_logits"


def test_log_weights_do_not_depend_on_the_block_size():
    model = build_model("mlp").eval()
    x, y = torch.rand(4, 1, 28, 28), one_hot(torch.tensor([1, 2, 3, 4]))
    weights = [log_weights(model, x, y, 30, torch.Generator().manual_seed(2), chunk_images=48, block_images=b)
               for b in (4, 20, 1000)]
    for other in weights[1:]:
        for a, b in zip(weights[0], other):
            assert a.shape == (30, 4) and torch.allclose(a, b, atol=1e-3)


def _distribution(likelihood, logits, log_sigma):
    """The same likelihood written with torch.distributions: an independent second code path."""
    if likelihood == "bernoulli":
        return torch.distributions.Bernoulli(logits=logits, validate_args=False)
    if likelihood == "continuous_bernoulli":
        return torch.distributions.ContinuousBernoulli(logits=logits)
    return torch.distributions.Normal(torch.sigmoid(logits), log_sigma.double().exp())


@pytest.mark.parametrize("likelihood", ["bernoulli", "continuous_bernoulli", "gaussian", "gaussian_learned"])
def test_pixel_log_likelihoods_match_torch_distributions_with_broadcast_images(likelihood):
    g = torch.Generator().manual_seed(1)
    logits = torch.randn(6, 5, 784, generator=g) * 6
    logits[0, 0, :50] = torch.linspace(-2e-3, 2e-3, 50)  # around the continuous Bernoulli's 0/0 point
    x = torch.rand(1, 5, 784, generator=g)  # one image per column, broadcast over the 6 samples
    log_sigma = torch.tensor(-2.0)
    own, density = pixel_log_likelihoods(logits, x, likelihood, log_sigma)
    expected = _distribution(likelihood, logits.double(), log_sigma).log_prob(x.double()).sum(-1)
    assert own.shape == (6, 5) and torch.allclose(own.double(), expected, rtol=1e-5, atol=1e-2)
    training = -reconstruction_nll(logits.reshape(30, 1, 28, 28), x.expand(6, -1, -1).reshape(30, 1, 28, 28),
                                   likelihood, log_sigma).view(6, 5)
    assert torch.equal(own, training)  # one implementation for training and evaluation
    if likelihood == "bernoulli":  # the true density is the continuous Bernoulli
        cb = torch.distributions.ContinuousBernoulli(logits=logits.double()).log_prob(x.double()).sum(-1)
        assert torch.allclose(density.double(), cb, rtol=1e-5, atol=1e-2)
    else:
        assert torch.equal(own, density)


def test_compiled_and_eager_paths_agree(monkeypatch):
    logits = torch.randn(4, 3, 784) * 5
    x = torch.rand(1, 3, 784)
    eager = pixel_log_likelihoods(logits, x, "bernoulli", torch.zeros(()))
    monkeypatch.setattr(evaluate, "_FUSED", {})
    monkeypatch.setenv("CVAE_COMPILE", "1")
    fused = evaluate._fused(logits, x, "bernoulli", torch.zeros(()))
    for a, b in zip(fused, eager):
        assert torch.allclose(a, b, rtol=1e-5, atol=1e-3)


def test_a_failing_compiler_falls_back_to_eager_with_a_warning(monkeypatch):
    def broken_compile(fn, **kwargs):
        def raise_(*args):
            raise RuntimeError("no C++ compiler")
        return raise_
    monkeypatch.setattr(evaluate, "_FUSED", {})
    monkeypatch.setattr(torch, "compile", broken_compile)
    monkeypatch.setenv("CVAE_COMPILE", "1")
    logits, x = torch.randn(2, 3, 784), torch.rand(1, 3, 784)
    with pytest.warns(RuntimeWarning, match="no C\\+\\+ compiler"):
        got = evaluate._fused(logits, x, "bernoulli", torch.zeros(()))
    for a, b in zip(got, pixel_log_likelihoods(logits, x, "bernoulli", torch.zeros(()))):
        assert torch.equal(a, b)


def test_log_weights_match_a_per_sample_computation():
    """The batched weights against one plain loop: the model's own decoder, one sample at a time."""
    torch.manual_seed(0)
    model = build_model("conv").eval()
    x = torch.rand(3, 1, 28, 28)
    y = one_hot(torch.tensor([0, 4, 9]))
    k = 7
    own, density = log_weights(model, x, y, k, torch.Generator().manual_seed(5), chunk_images=6)
    g = torch.Generator().manual_seed(5)
    with torch.no_grad():
        mu, log_var = model.encode(x, y)
        std = torch.exp(0.5 * log_var)
        eps = torch.cat([torch.randn(min(2, k - s), 3, 64, generator=g) for s in range(0, k, 2)])  # chunks of 6 // 3
        for i in range(k):
            for b in range(3):
                z = mu[b] + std[b] * eps[i, b]
                logits = model.decode_logits(z[None], y[b:b + 1]).flatten()
                log_px = -float(reconstruction_nll(logits.view(1, 1, 28, 28), x[b:b + 1]))
                log_pz = float(torch.distributions.Normal(0, 1).log_prob(z).sum())
                log_qz = float(torch.distributions.Normal(mu[b], std[b]).log_prob(z).sum())
                assert math.isclose(float(own[i, b]), log_px + log_pz - log_qz, rel_tol=1e-5, abs_tol=2e-3)
                cb = float(torch.distributions.ContinuousBernoulli(logits=logits.double()).log_prob(
                    x[b].flatten().double()).sum())
                assert math.isclose(float(density[i, b]), cb + log_pz - log_qz, rel_tol=1e-5, abs_tol=2e-3)
    assert iwae_bounds(model, x, y.argmax(1), k=5)[0].shape == (3,)
