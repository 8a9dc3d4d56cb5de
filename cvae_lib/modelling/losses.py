"""The negative ELBO of a CVAE, in nats per image.

    -ELBO(x, y) = E_q[-log p(x | z, y)] + beta * KL(q(z | x, y) || N(0, I))

The decoder outputs logits l (one per pixel); the likelihood p(x | z, y) is one of
    bernoulli             the seed's: -log p is the binary cross-entropy summed over the 784 pixels
                          (not a normalized density for grey-level pixels);
    continuous_bernoulli  Bernoulli plus the normalizer log C(l) (Loaiza-Ganem & Cunningham 2019),
                          a true density on [0, 1]^784;
    gaussian              N(x; sigmoid(l), sigma^2 I) with a fixed sigma;
    gaussian_learned      the same with one learned log sigma shared by all pixels.
The KL between a diagonal Gaussian and N(0, I) is in closed form (Kingma & Welling 2014,
Appendix B): KL = -1/2 * sum(1 + log s^2 - mu^2 - s^2).
"""
import math
from typing import NamedTuple

import torch
import torch.nn.functional as F

from ..base.config import LIKELIHOODS
from .models import one_hot, reparameterize


class Loss(NamedTuple):
    """Batch means in nats per image; ``total`` is what the optimizer minimizes."""
    total: torch.Tensor
    reconstruction: torch.Tensor
    kl: torch.Tensor


def gaussian_kl(mu, log_var):
    """KL(N(mu, exp(log_var)) || N(0, I)) per row, summed over latent dimensions."""
    return -0.5 * torch.sum(1 + log_var - mu.pow(2) - log_var.exp(), dim=1)


def log_likelihood(logits, x, likelihood: str = "bernoulli", log_sigma=None):
    """log p(x | z, y) per image, summed over the last dimension (the 784 pixels), under the named likelihood.

    The one implementation of every likelihood, for training and evaluation alike: ``x`` broadcasts
    against ``logits`` (the IWAE bound scores k samples against one image without copying it), and each
    case is a whole-tensor expression, so torch.compile fuses it into one pass (evaluate._fused).
    """
    x = x.expand_as(logits)
    if likelihood in ("bernoulli", "continuous_bernoulli"):
        # from logits, not sigmoid outputs, so that saturated pixels give finite values
        log_p = -F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(-1)
        return log_p if likelihood == "bernoulli" else log_p + continuous_bernoulli_log_norm(logits).sum(-1)
    if likelihood in ("gaussian", "gaussian_learned"):
        mean = torch.sigmoid(logits)
        return -(0.5 * ((x - mean) * torch.exp(-log_sigma)).pow(2) + log_sigma + 0.5 * math.log(2 * math.pi)).sum(-1)
    raise ValueError(f"likelihood must be one of {list(LIKELIHOODS)}, got {likelihood!r}")


def reconstruction_nll(logits, x, likelihood: str = "bernoulli", log_sigma=None):
    """-log p(x | z, y) per image (B,), summed over pixels; for the Bernoulli decoder the seed's BCE with reduction='sum'."""
    return -log_likelihood(logits.flatten(1), x.flatten(1), likelihood, log_sigma)


def decoder_mean(logits, likelihood: str = "bernoulli"):
    """E[x | z, y]: sigmoid(l), except for the continuous Bernoulli, whose mean is not its parameter."""
    if likelihood == "continuous_bernoulli":
        return torch.distributions.ContinuousBernoulli(logits=logits).mean
    return torch.sigmoid(logits)


class Likelihood(NamedTuple):
    """A trained decoder's likelihood: its name and its log sigma (a 0-d tensor; used by the Gaussian ones)."""
    name: str = "bernoulli"
    log_sigma: torch.Tensor = torch.zeros(())


def negative_elbo(logits, x, mu, log_var, beta: float = 1.0, likelihood: str = "bernoulli",
                  log_sigma=None) -> Loss:
    """The seed's loss, per image: reconstruction NLL summed over pixels + beta * closed-form KL, batch-averaged."""
    reconstruction = reconstruction_nll(logits, x, likelihood, log_sigma).mean()
    kl = gaussian_kl(mu, log_var).mean()
    return Loss(reconstruction + beta * kl, reconstruction, kl)


def continuous_bernoulli_log_norm(logits):
    """log C(lambda) per pixel for lambda = sigmoid(logits) (Loaiza-Ganem & Cunningham 2019).

    The continuous Bernoulli density on [0, 1] is C(lambda) lambda^x (1 - lambda)^(1 - x), with
    C(lambda) = 2 artanh(1 - 2 lambda) / (1 - 2 lambda), which in terms of the logit l is l / tanh(l / 2).
    Near l = 0 the Taylor expansion 2 + l^2 / 6 avoids 0 / 0.
    """
    small = logits.abs() < 1e-3
    safe = torch.where(small, torch.ones_like(logits), logits)
    exact = torch.log(safe.abs()) - torch.log(torch.tanh(safe.abs() / 2))
    return torch.where(small, torch.log(2 + logits.pow(2) / 6), exact)


@torch.inference_mode()
def evaluate_loss(model, images, labels, beta, generator, likelihood="bernoulli", log_sigma=None,
                  batch_size: int = 1000, log_prior=None) -> dict:
    """Loss terms over a data set (nats per image), one z sample per image drawn from ``generator``.

    ``log_prior``: a callable (z, labels) -> log p(z | y) for a prior other than N(0, I) (priors.log_prior_fn);
    its KL has no closed form and is estimated at the same z, log q(z | x, y) - log p(z | y).
    """
    model.eval()
    sums = torch.zeros(3, dtype=torch.float64, device=images.device)
    for start in range(0, images.shape[0], batch_size):
        x, y = images[start:start + batch_size], one_hot(labels[start:start + batch_size])
        mu, log_var = model.encode(x, y)
        z = reparameterize(mu, log_var, generator)
        logits = model.decode_logits(z, y)
        loss = negative_elbo(logits, x, mu, log_var, beta, likelihood, log_sigma)
        if log_prior is not None:
            log_q = (-0.5 * (math.log(2 * math.pi) + log_var + (z - mu).pow(2) / log_var.exp())).sum(1)
            kl = (log_q - log_prior(z, labels[start:start + batch_size])).mean()
            loss = Loss(loss.reconstruction + beta * kl, loss.reconstruction, kl)
        sums += torch.stack(loss).double() * x.shape[0]
    return dict(zip(Loss._fields, (sums / images.shape[0]).tolist()))
