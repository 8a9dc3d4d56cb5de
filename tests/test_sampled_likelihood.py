"""The likelihood of what a sampler draws: tempered densities against independent formulas, and the bound under a
sampler's prior against the run's own bound where the two priors are the same."""
import math

import numpy as np
import pytest
import torch
from scipy.special import logsumexp
from scipy.stats import multivariate_normal

from cvae_lib.base.config import TrainConfig
from cvae_lib.base.review_config import ReviewConfig
from cvae_lib.evaluation.evaluate import iwae_bound
from cvae_lib.evaluation.sampled_likelihood import SAMPLED, sampled_likelihood, tempered_normal_log_prob
from cvae_lib.modelling.priors import fit_gmms
from cvae_lib.training import runs
from cvae_lib.training.train import train


def test_the_tempered_prior_is_the_normal_with_standard_deviation_tau():
    z = torch.randn(50, 8, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    for tau in (0.5, 0.8, 1.0, 2.0):
        expected = torch.distributions.Normal(0.0, tau).log_prob(z).sum(-1)
        assert torch.allclose(tempered_normal_log_prob(z, tau), expected)
    with pytest.raises(ValueError, match="positive"):
        tempered_normal_log_prob(z, 0.0)


def test_the_tempered_mixture_density_scales_each_covariance_by_tau_squared():
    g = torch.Generator().manual_seed(1)
    codes = torch.cat([torch.randn(200, 3, generator=g) + 3, torch.randn(200, 3, generator=g) - 3])
    labels = torch.zeros(400, dtype=torch.long)
    mixture = fit_gmms(codes, labels, 2, seed=0, candidates=(2,))
    z = torch.randn(20, 3, generator=g, dtype=torch.float64) * 2
    fitted = mixture.mixtures[0]
    weights = fitted.mixture_distribution.probs.numpy()
    means = fitted.component_distribution.loc.numpy()
    covariances = fitted.component_distribution.covariance_matrix.numpy()
    for tau in (0.7, 1.0, 1.5):
        by_hand = logsumexp([math.log(w) + multivariate_normal(m, tau ** 2 * c).logpdf(z.numpy())
                             for w, m, c in zip(weights, means, covariances)], axis=0)
        got = mixture.log_prob(z, torch.zeros(20, dtype=torch.long), tau)
        assert np.allclose(got.numpy(), by_hand, atol=1e-8)
    with pytest.raises(ValueError, match="positive"):
        mixture.log_prob(z, torch.zeros(20, dtype=torch.long), -1.0)


def test_the_bound_under_the_untempered_prior_is_the_runs_own_and_results_are_cached(tmp_path, fashion):
    run_dir = train(TrainConfig(epochs=1, train_subset=512, test_subset=256, batch_size=128), tmp_path / "seed",
                    data=fashion, progress=False)
    config = ReviewConfig(gmm_components=(1, 2), train_subset=2000)
    out = sampled_likelihood(run_dir, {"prior": 1.0, "gmm": 1.0}, n_images=20, k=10, config=config, data=fashion)
    # N(0, 1^2 I) is N(0, I): the same bound, image by image, as the run's own (an independent code path)
    _, model = runs.load_model(run_dir)
    own = iwae_bound(model, fashion.test_images[:20], fashion.test_labels[:20], 10, seed=config.seed)
    assert out["standard"]["mean"] == pytest.approx(float(own.double().mean()), abs=1e-4)
    assert out["prior"]["mean"] == pytest.approx(out["standard"]["mean"])
    assert out["prior"]["gain"]["mean"] == pytest.approx(0.0, abs=1e-9)
    assert math.isfinite(out["gmm"]["mean"]) and out["gmm"]["stderr"] > 0 and out["gmm"]["tau"] == 1.0
    # a narrower prior moves the bound; the result is cached on the settings and the weights
    stamp = (run_dir / SAMPLED).stat().st_mtime_ns
    assert sampled_likelihood(run_dir, {"prior": 1.0, "gmm": 1.0}, n_images=20, k=10, config=config,
                              data=fashion) == out and (run_dir / SAMPLED).stat().st_mtime_ns == stamp
    cold = sampled_likelihood(run_dir, {"prior": 0.5}, n_images=20, k=10, config=config, data=fashion)
    assert cold["prior"]["gain"]["mean"] != pytest.approx(0.0) and "gmm" not in cold
    with pytest.raises(ValueError, match="'prior' or 'gmm'"):
        sampled_likelihood(run_dir, {"vamp": 1.0}, n_images=20, k=10, config=config, data=fashion)
