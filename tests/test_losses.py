import math

import torch

from cvae_lib.modelling import reference as seed_reference
from cvae_lib.modelling.losses import gaussian_kl, negative_elbo


def test_closed_form_kl_matches_monte_carlo():
    g = torch.Generator().manual_seed(0)
    mu = torch.tensor([[0.5, -1.0, 2.0]], dtype=torch.float64)
    log_var = torch.tensor([[-1.0, 0.3, 0.0]], dtype=torch.float64)
    n = 100_000
    std = torch.exp(0.5 * log_var)
    z = mu + std * torch.randn(n, 3, generator=g, dtype=torch.float64)
    log_q = torch.distributions.Normal(mu, std).log_prob(z).sum(1)
    log_p = torch.distributions.Normal(0.0, 1.0).log_prob(z).sum(1)
    mc = (log_q - log_p).mean().item()
    closed = gaussian_kl(mu, log_var).item()
    assert abs(closed - mc) / closed < 0.01


def test_loss_equals_a_hand_computation():
    # Two images of 784 pixels, each pixel either 0.25 or 1; logits 0 (p = 0.5) except one pixel.
    x = torch.full((2, 1, 28, 28), 0.25)
    x[1] = 1.0
    logits = torch.zeros(2, 1, 28, 28)
    logits[0, 0, 0, 0] = 2.0
    mu = torch.tensor([[1.0, 0.0], [0.0, -2.0]])
    log_var = torch.tensor([[0.0, math.log(4.0)], [0.0, 0.0]])
    p = 1 / (1 + math.exp(-2.0))
    bce0 = 783 * math.log(2) - (0.25 * math.log(p) + 0.75 * math.log(1 - p))
    bce1 = 784 * math.log(2)
    kl0 = 0.5 * (1.0) + 0.5 * (4.0 - 1 - math.log(4.0))  # per dim: (mu^2 + s^2 - 1 - log s^2) / 2
    kl1 = 0.5 * 4.0
    loss = negative_elbo(logits, x, mu, log_var, beta=3.0)
    assert math.isclose(loss.reconstruction.item(), (bce0 + bce1) / 2, rel_tol=1e-6)
    assert math.isclose(loss.kl.item(), (kl0 + kl1) / 2, rel_tol=1e-6)
    assert math.isclose(loss.total.item(), (bce0 + bce1) / 2 + 3.0 * (kl0 + kl1) / 2, rel_tol=1e-6)


def test_loss_is_the_seeds_summed_loss_per_image():
    torch.manual_seed(1)
    x = torch.rand(7, 1, 28, 28)
    logits = torch.randn(7, 1, 28, 28) * 3
    mu, log_var = torch.randn(7, 64), torch.randn(7, 64) * 0.5
    ours = negative_elbo(logits, x, mu, log_var).total
    seed = seed_reference.seed_loss(torch.sigmoid(logits), x, mu, log_var) / 7
    torch.testing.assert_close(ours, seed, rtol=1e-5, atol=1e-3)


def test_beta_defaults_to_one():
    x = torch.rand(3, 1, 28, 28)
    logits, mu, log_var = torch.randn(3, 1, 28, 28), torch.randn(3, 4), torch.randn(3, 4)
    loss = negative_elbo(logits, x, mu, log_var)
    torch.testing.assert_close(loss.total, loss.reconstruction + loss.kl)
