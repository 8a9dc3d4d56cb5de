"""Likelihood bounds for a trained CVAE, batched over images and importance samples.

The importance-weighted bound (Burda, Grosse & Salakhutdinov 2016) with k samples z_i ~ q(z | x, y):

    log p(x | y) >= L_k = E[ log (1/k) sum_i p(x | z_i, y) p(z_i) / q(z_i | x, y) ]

L_1 is the ELBO, L_k never decreases with k and tends to log p(x | y). All values are in nats per
image; "negative" bounds (what the tables show) are -L_k, lower is better.
"""
import math

import torch

from .losses import bernoulli_nll
from .models import one_hot

LOG_2PI = math.log(2 * math.pi)


def _device(model):
    return next(model.parameters()).device


def _log_normal(z, mu, log_var):
    return -0.5 * (LOG_2PI + log_var + (z - mu).pow(2) / log_var.exp()).sum(-1)


@torch.inference_mode()
def log_weights(model, x, y_onehot, k: int, generator, chunk_images: int = 50_000):
    """(k, B) log importance weights log p(x|z,y) + log p(z) - log q(z|x,y) for a batch."""
    mu, log_var = model.encode(x, y_onehot)
    std = torch.exp(0.5 * log_var)
    batch, latent = mu.shape
    per_chunk = max(1, chunk_images // batch)
    out = []
    for start in range(0, k, per_chunk):
        n = min(per_chunk, k - start)
        eps = torch.randn(n, batch, latent, generator=generator, device=generator.device).to(mu.device)
        z = mu + std * eps
        logits = model.decode_logits(z.reshape(n * batch, latent), y_onehot.repeat(n, 1))
        log_px = -bernoulli_nll(logits, x.repeat(n, 1, 1, 1)).view(n, batch)
        log_pz = -0.5 * (LOG_2PI + z.pow(2)).sum(-1)
        out.append(log_px + log_pz - _log_normal(z, mu, log_var))
    return torch.cat(out)


@torch.inference_mode()
def iwae_bound(model, images, labels, k: int, seed: int = 0, batch_size: int = 100) -> torch.Tensor:
    """Per-image L_k (nats; a lower bound on log p(x | y)); k = 1 is a one-sample ELBO estimate."""
    model.eval()
    device = _device(model)
    generator = torch.Generator().manual_seed(seed)
    bounds = []
    for start in range(0, len(images), batch_size):
        x = images[start:start + batch_size].to(device)
        y = one_hot(labels[start:start + batch_size]).to(device)
        w = log_weights(model, x, y, k, generator)
        bounds.append((torch.logsumexp(w.double(), 0) - math.log(k)).cpu())
    return torch.cat(bounds)
