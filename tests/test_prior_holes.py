"""The prior-hole measurement (cvae_lib.evaluation.prior_holes): the aggregate posterior's density ratio against
scipy's Gaussian densities, and the split of the draws against a mixture whose coverage is known."""
import math

import numpy as np
import pytest
import torch
from scipy import stats
from scipy.special import logsumexp


def test_the_log_ratio_matches_scipys_mixture_density():
    from cvae_lib.evaluation.prior_holes import aggregate_log_ratio
    g = torch.Generator().manual_seed(0)
    mu, log_var = torch.randn(7, 3, generator=g).double(), 0.5 * torch.randn(7, 3, generator=g).double()
    z = torch.randn(11, 3, generator=g).double()
    expected = []
    for row in z.numpy():
        comps = [stats.multivariate_normal(m, np.diag(np.exp(v))).logpdf(row) for m, v in zip(mu.numpy(), log_var.numpy())]
        expected.append(logsumexp(comps) - math.log(len(mu)) - stats.multivariate_normal(np.zeros(3)).logpdf(row))
    got = aggregate_log_ratio(z, mu, log_var, chunk=4)  # chunks that do not divide the rows
    assert got.numpy() == pytest.approx(np.array(expected), rel=1e-9, abs=1e-9)
    prior_itself = aggregate_log_ratio(z, torch.zeros(1, 3), torch.zeros(1, 3))  # q = p: the ratio is 0
    assert prior_itself.numpy() == pytest.approx(np.zeros(11), abs=1e-12)


def test_draws_far_from_every_code_fall_in_the_uncovered_half():
    from cvae_lib.evaluation.prior_holes import aggregate_log_ratio
    # codes packed at +2 in the first dimension: prior draws there are covered, draws at -2 are in a hole
    mu = torch.tensor([[2.0, 0.0]]).repeat(50, 1) + 0.01 * torch.randn(50, 2, generator=torch.Generator().manual_seed(1))
    log_var = torch.full((50, 2), math.log(0.25))
    z = torch.tensor([[2.0, 0.0], [-2.0, 0.0], [0.0, 0.0]])
    r = aggregate_log_ratio(z, mu, log_var)
    assert r[0] > 0 > r[2] > r[1]  # above the prior's density where the codes are, far below it in the hole


def test_the_split_halves_each_class_at_its_median():
    from cvae_lib.evaluation.prior_holes import split_draws

    class Codes(torch.nn.Module):  # an "encoder" whose codes are the image's mean pixel in every dimension
        latent_size = 4

        def __init__(self):
            super().__init__()
            self.unused = torch.nn.Parameter(torch.zeros(1))  # device_of reads the first parameter

        def encode(self, x, y):
            m = x.flatten(1).mean(1, keepdim=True).repeat(1, self.latent_size)
            return m, torch.full_like(m, -1.0)

    images = torch.rand(200, 1, 28, 28, generator=torch.Generator().manual_seed(2))
    labels = torch.arange(10).repeat(20)
    z, y, ratio, covered = split_draws(Codes(), images, labels, n_per_class=30, seed=3)
    assert z.shape == (300, 4) and (y.bincount() == 30).all()
    for c in range(10):
        assert int(covered[y == c].sum()) == 15  # half of each class, split at its own median
        assert ratio[(y == c) & covered].min() >= ratio[(y == c) & ~covered].max()
