"""Likelihood bounds for a trained CVAE, batched over images and importance samples.

The importance-weighted bound (Burda, Grosse & Salakhutdinov 2016) with k samples z_i ~ q(z | x, y):

    log p(x | y) >= L_k = E[ log (1/k) sum_i p(x | z_i, y) p(z_i) / q(z_i | x, y) ]

L_1 is the ELBO, L_k never decreases with k and tends to log p(x | y). All values are in nats per
image; "negative" bounds (what the tables show) are -L_k, lower is better.
"""
import math
import os
import warnings

import torch

from .generate import interpolate
from ..modelling.losses import continuous_bernoulli_log_norm, log_likelihood
from ..modelling.models import NUM_CLASSES, device_of, evaluation_decoder, one_hot
from ..modelling.priors import log_prior_fn

LOG_2PI = math.log(2 * math.pi)


def _log_normal(z, mu, log_var):
    return -0.5 * (LOG_2PI + log_var + (z - mu).pow(2) / log_var.exp()).sum(-1)


def pixel_log_likelihoods(logits, x, likelihood: str = "bernoulli", log_sigma=None):
    """log p(x | z, y) summed over pixels, twice: under the run's likelihood (losses.log_likelihood) and under
    a true density on [0, 1]^784, the same for every likelihood but the Bernoulli, whose BCE on grey pixels is
    not normalized: that one gains the continuous-Bernoulli normalizer log C(l) (x broadcasts against logits)."""
    own = log_likelihood(logits, x, likelihood, log_sigma)
    if likelihood != "bernoulli":
        return own, own
    return own, own + continuous_bernoulli_log_norm(logits).sum(-1)


_FUSED = {}
COMPILE_MIN_SAMPLES = 1_000_000
"""decoded samples (k x images) from which compiling pays: compilation costs ~10-20 s per process, and a
quick evaluation (k = 10 on 1,000 images) takes less than that in eager mode"""


def _fused(logits, x, likelihood, log_sigma, compiled: bool = True):
    """pixel_log_likelihoods through torch.compile (about 5x faster on CPU: one pass instead of ~10),
    falling back to eager PyTorch, with a warning, where compilation is unavailable or fails.
    CVAE_COMPILE=0 (or compiled=False) forces eager."""
    if not compiled or os.environ.get("CVAE_COMPILE", "1") == "0" or _FUSED.get("broken"):
        return pixel_log_likelihoods(logits, x, likelihood, log_sigma)
    if "fn" not in _FUSED:
        _FUSED["fn"] = torch.compile(pixel_log_likelihoods, dynamic=False)
    try:
        return _FUSED["fn"](logits, x, likelihood, log_sigma)
    except Exception as error:  # a missing C++ compiler or an unsupported backend: same numbers, slower
        _FUSED["broken"] = True
        warnings.warn(f"torch.compile unavailable ({type(error).__name__}: {str(error)[:200]}); "
                      "computing the IWAE log-likelihoods in eager mode", RuntimeWarning, stacklevel=2)
        return pixel_log_likelihoods(logits, x, likelihood, log_sigma)


@torch.inference_mode()
def log_weights(model, x, y_onehot, k: int, generator, likelihood: str = "bernoulli", log_sigma=None,
                chunk_images: int = 50_000, decoder=None, block_images: int = 0, compiled: bool = True,
                log_prior=None):
    """(k, B) log importance weights log p(x|z,y) + log p(z) - log q(z|x,y) for a batch, twice: under
    the run's likelihood and under a true density (see pixel_log_likelihoods).

    The noise is drawn in chunks of about chunk_images latent samples (so the numbers do not depend on
    the block size); each chunk is decoded and scored in blocks of about block_images samples, which on
    CPU keeps a block's activations and logits in cache. block_images = 0 picks the decoder's own
    ``block_images`` (FoldedConvDecoder: 256), else 2,048; on a GPU the whole chunk is one block.
    decoder defaults to evaluation_decoder(model); log_prior, a callable (z, labels) -> log p(z | y), to
    priors.log_prior_fn(model) (N(0, I), or the run's VampPrior).
    """
    log_prior = log_prior if log_prior is not None else log_prior_fn(model)
    label_ids = y_onehot.argmax(1)
    decoder = decoder if decoder is not None else evaluation_decoder(model)
    mu, log_var = model.encode(x, y_onehot)
    std = torch.exp(0.5 * log_var)
    batch, latent = mu.shape
    flat_x = x.reshape(1, batch, -1)  # broadcast over the samples instead of copying x k times
    log_sigma = torch.zeros((), device=x.device) if log_sigma is None else log_sigma
    per_chunk = max(1, chunk_images // batch)
    if x.device.type != "cpu":
        block_images = chunk_images
    per_block = max(1, (block_images or getattr(decoder, "block_images", 2048)) // batch)
    labels = y_onehot.repeat(min(per_block, k), 1)
    own, density = [], []
    for start in range(0, k, per_chunk):
        n = min(per_chunk, k - start)
        eps = torch.randn(n, batch, latent, generator=generator, device=generator.device).to(mu.device)
        z = mu + std * eps
        log_p = log_prior(z.reshape(n * batch, latent), label_ids.repeat(n)).view(n, batch)
        log_prior_ratio = log_p - _log_normal(z, mu, log_var)
        for s in range(0, n, per_block):
            m = min(per_block, n - s)
            logits = decoder(z[s:s + m].reshape(m * batch, latent), labels[:m * batch]).view(m, batch, -1)
            log_px, log_density = _fused(logits, flat_x, likelihood, log_sigma, compiled)
            own.append(log_px + log_prior_ratio[s:s + m])
            density.append(log_density + log_prior_ratio[s:s + m])
    return torch.cat(own), torch.cat(density)


@torch.inference_mode()
def iwae_bound(model, images, labels, k: int, seed: int = 0, batch_size: int = 100,
               likelihood: str = "bernoulli", log_sigma=None) -> torch.Tensor:
    """Per-image L_k (nats; a lower bound on log p(x | y)); k = 1 is a one-sample ELBO estimate."""
    return iwae_bounds(model, images, labels, k, seed, batch_size, likelihood, log_sigma)[0]


@torch.inference_mode()
def iwae_bounds(model, images, labels, k: int, seed: int = 0, batch_size: int = 100, likelihood: str = "bernoulli",
                log_sigma=None, log_prior=None):
    """Per-image L_k under the run's likelihood and under a true density (see log_weights), same samples;
    ``log_prior`` (z, labels) -> log p(z | y) replaces the run's own prior (priors.log_prior_fn)."""
    model.eval()
    device = device_of(model)
    generator = torch.Generator().manual_seed(seed)
    decoder = evaluation_decoder(model)
    log_prior = log_prior if log_prior is not None else log_prior_fn(model)
    bern, cb = [], []
    for start in range(0, len(images), batch_size):
        x = images[start:start + batch_size].to(device)
        y = one_hot(labels[start:start + batch_size]).to(device)
        wb, wc = log_weights(model, x, y, k, generator, likelihood, log_sigma, decoder=decoder,
                             compiled=k * len(images) >= COMPILE_MIN_SAMPLES, log_prior=log_prior)
        bern.append((torch.logsumexp(wb.double(), 0) - math.log(k)).cpu())
        cb.append((torch.logsumexp(wc.double(), 0) - math.log(k)).cpu())
    return torch.cat(bern), torch.cat(cb)


@torch.inference_mode()
def active_units(model, images, labels, threshold: float = 0.01, batch_size: int = 1000) -> dict:
    """Burda et al. (2016): dimension u is active when Cov_x(E_q[z_u]) > threshold.

    In a CVAE the label is an input, so a unit that only echoes y would look active; the covariance
    is therefore taken over images *within* each class and averaged over classes: a unit counts as
    active when it carries information about x beyond its label.
    """
    device = device_of(model)
    means = torch.cat([model.encode(images[s:s + batch_size].to(device),
                                    one_hot(labels[s:s + batch_size]).to(device))[0].cpu()
                       for s in range(0, len(images), batch_size)]).double()
    present = [c for c in range(NUM_CLASSES) if (labels == c).sum() > 1]
    variance = torch.stack([means[labels == c].var(0) for c in present]).mean(0)
    return {"active_units": int((variance > threshold).sum()), "activity_per_dim": variance.tolist()}


def conditional_accuracy(classifier, images, conditioned):
    """How often the classifier names the class each image was generated for: (overall, per class, features)."""
    from .classifier import predict
    logits, features = predict(classifier, images)
    predicted = logits.argmax(1)
    return float((predicted == conditioned).float().mean()), per_class_accuracy(predicted, conditioned), features


def frechet_distance(a, b) -> float:
    """||mu_a - mu_b||^2 + Tr(C_a + C_b - 2 (C_a^1/2 C_b C_a^1/2)^1/2) between two feature sets (rows)."""
    a, b = a.double(), b.double()
    ca, cb = torch.cov(a.T), torch.cov(b.T)
    w, v = torch.linalg.eigh(ca)
    root_a = (v * w.clamp(min=0).sqrt()) @ v.T
    middle = root_a @ cb @ root_a
    trace_sqrt = torch.linalg.eigvalsh((middle + middle.T) / 2).clamp(min=0).sqrt().sum()
    return float((a.mean(0) - b.mean(0)).pow(2).sum() + ca.trace() + cb.trace() - 2 * trace_sqrt)


def per_class_accuracy(predicted, labels) -> list:
    return [float((predicted[labels == c] == c).float().mean()) for c in range(NUM_CLASSES)]


def interpolation_paths(model, images, labels, n_pairs: int, steps: int, same_class: bool, seed: int = 0,
                        likelihood: str = "bernoulli"):
    """Decoded images (n_pairs, steps, 1, 28, 28) along straight lines between posterior means of random
    test pairs (of one class, or of two different classes), with the endpoint labels."""
    g = torch.Generator().manual_seed(seed)
    by_class = [torch.nonzero(labels == c).flatten() for c in range(NUM_CLASSES)]
    a = torch.randint(len(images), (n_pairs,), generator=g)
    shift = torch.zeros_like(a) if same_class else torch.randint(1, NUM_CLASSES, (n_pairs,), generator=g)
    targets = (labels[a] + shift) % NUM_CLASSES
    pick = torch.rand(n_pairs, generator=g)
    b = torch.stack([by_class[t][int(p * len(by_class[t]))] for t, p in zip(targets.tolist(), pick)])
    paths = interpolate(model, images[a], labels[a], images[b], labels[b], steps, likelihood)
    return paths, labels[a], labels[b]


def interpolation_smoothness(model, classifier, images, labels, n_pairs: int = 200, steps: int = 16,
                             seed: int = 0, likelihood: str = "bernoulli") -> dict:
    """Per-step image change (L2 over pixels) and classifier decision flips along interpolation paths."""
    from .classifier import predict
    out = {}
    for kind, same in (("same_class", True), ("cross_class", False)):
        paths, la, lb = interpolation_paths(model, images, labels, n_pairs, steps, same, seed, likelihood)
        step_change = (paths[:, 1:] - paths[:, :-1]).flatten(2).norm(dim=2)  # (n_pairs, steps - 1)
        logits, _ = predict(classifier, paths.flatten(0, 1))
        decisions = logits.argmax(1).view(n_pairs, steps)
        flips = (decisions[:, 1:] != decisions[:, :-1]).sum(1).float()
        first_flip = torch.argmax((decisions != decisions[:, :1]).int(), dim=1).float() / (steps - 1)
        flipped = (decisions != decisions[:, :1]).any(1)
        out[kind] = {
            "mean_step_change": float(step_change.mean()),
            "max_step_change": float(step_change.max(1).values.mean()),
            "max_over_mean": float((step_change.max(1).values / step_change.mean(1).clamp(min=1e-12)).mean()),
            "decision_flips_per_path": float(flips.mean()),
            "endpoints_classified_as_labels": float(((decisions[:, 0] == la) & (decisions[:, -1] == lb)).float().mean()),
            "mean_first_flip_position": float(first_flip[flipped].mean()) if flipped.any() else None,
        }
    return out
