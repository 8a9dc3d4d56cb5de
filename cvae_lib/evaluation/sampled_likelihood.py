"""The likelihood of what a sampler draws: the IWAE bound L_k on log p(x | y) with the N(0, I) prior replaced by
the distribution the review's operating point samples z from -- the prior at temperature tau, N(0, tau^2 I), or the
review's per-class GMM (review.review_gmm) with its covariances scaled by tau^2 -- and the encoder as proposal.

Section 4's likelihood column scores every run under N(0, I); the review's answer samples another distribution, so
its likelihood price is read here, beside N(0, I) on the same test images and the same importance samples (paired),
for each run of the methods asked. Results go to the run folder's sampled_likelihood.json, cached on the
settings and the weights:

    python scripts/sampled_likelihood.py [--images 1000] [--k 1000]
"""
import math
from pathlib import Path

import torch

from ..base.data import load_fashion_mnist
from ..base.fileio import sha256_file, write_json
from ..base.review_config import ReviewConfig
from ..modelling.priors import LOG_2PI, encode_dataset
from ..training import runs
from .evaluate import iwae_bounds
from .review import review_gmm

SAMPLED = "sampled_likelihood.json"


def tempered_normal_log_prob(z, tau: float):
    """log N(z; 0, tau^2 I), summed over the last dimension."""
    if not tau > 0:
        raise ValueError(f"tau must be positive, got {tau}")
    return -0.5 * (LOG_2PI + 2 * math.log(tau) + (z / tau).pow(2)).sum(-1)


def mean_and_stderr(values) -> dict:
    """Mean over test images and its standard error."""
    values = values.double()
    return {"mean": float(values.mean()), "stderr": float(values.std() / math.sqrt(len(values)))}


def sampled_key(run_dir, samplers: dict, n_images: int, k: int, config: ReviewConfig) -> dict:
    return {"samplers": {name: float(tau) for name, tau in sorted(samplers.items())}, "images": n_images, "k": k,
            "gmm_components": list(config.gmm_components), "seed": config.seed, "train_subset": config.train_subset,
            "model_sha256": sha256_file(Path(run_dir) / runs.MODEL)}


def sampled_likelihood(run_dir, samplers: dict, *, n_images: int = 1000, k: int = 1000,
                       config: ReviewConfig = ReviewConfig(), data=None, device="cpu") -> dict:
    """{"key", "standard": {mean, stderr}, name: {"tau", mean, stderr, "gain": {mean, stderr}}} for one finished run
    whose prior is N(0, I): the Bernoulli L_k (nats per image) of its first ``n_images`` test images under N(0, I)
    and under each sampler ``samplers`` names ("prior" or "gmm" -> its temperature), with the paired per-image gain
    over N(0, I) (same images, same importance samples)."""
    run_dir = Path(run_dir)
    runs.require_finished(run_dir)
    unknown = sorted(set(samplers) - {"prior", "gmm"})
    if unknown:
        raise ValueError(f"samplers must be 'prior' or 'gmm', got {unknown}")
    key = sampled_key(run_dir, samplers, n_images, k, config)
    path = run_dir / SAMPLED
    cached = runs.read_json(path) if path.exists() else {}
    if cached.get("key") == key:
        return cached
    data = data if data is not None else load_fashion_mnist()
    run_config, model = runs.load_model(run_dir, map_location=device)
    if run_config.extension == "vampprior":
        raise ValueError(f"{run_dir} has a VampPrior, not N(0, I): its samplers are not tempered Gaussians")
    x, y = data.test_images[:n_images], data.test_labels[:n_images]
    priors = {"standard": lambda z, labels: tempered_normal_log_prob(z, 1.0)}
    if "prior" in samplers:
        priors["prior"] = lambda z, labels: tempered_normal_log_prob(z, samplers["prior"])
    if "gmm" in samplers:
        n = config.train_subset or None
        codes = encode_dataset(model, data.train_images[:n], data.train_labels[:n])[0]
        mixture = review_gmm(codes, data.train_labels[:n], config)
        priors["gmm"] = lambda z, labels: mixture.log_prob(z, labels, samplers["gmm"]).to(z.device)
    bounds = {name: iwae_bounds(model, x, y, k, seed=config.seed, likelihood=run_config.likelihood,
                                log_prior=fn)[0] for name, fn in priors.items()}
    out = {"key": key, "standard": mean_and_stderr(bounds["standard"])}
    for name in samplers:
        out[name] = {"tau": samplers[name], **mean_and_stderr(bounds[name]),
                     "gain": mean_and_stderr(bounds[name] - bounds["standard"])}
    write_json(path, out)
    return out
