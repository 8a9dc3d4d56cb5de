"""Small numerical demonstrations for the report's theory section, each a claim checked on a trained model."""
import pandas as pd
import torch

from ..evaluation.evaluate import iwae_bound
from ..modelling.losses import gaussian_kl
from ..modelling.models import device_of, one_hot


def kl_monte_carlo(mu, log_var, sample_sizes, seed: int = 0, reference: int = 100_000) -> pd.DataFrame:
    """Monte Carlo estimates of KL(q || N(0, I)) for one q, next to the closed form, per sample size. The standard
    error is the estimator's: the per-draw standard deviation of log q/p from ``reference`` separate draws, over
    the square root of the sample size, so that it scales as 1/sqrt(n) (ten draws' own spread is itself too noisy to
    quote)."""
    g = torch.Generator().manual_seed(seed)
    mu, log_var = mu.double().cpu(), log_var.double().cpu()
    q = torch.distributions.Normal(mu, torch.exp(0.5 * log_var))
    p = torch.distributions.Normal(torch.zeros_like(mu), torch.ones_like(mu))
    closed = float(gaussian_kl(mu[None], log_var[None]))

    def log_ratios(n):
        z = mu + torch.exp(0.5 * log_var) * torch.randn(n, *mu.shape, generator=g, dtype=torch.float64)
        return (q.log_prob(z) - p.log_prob(z)).sum(-1)
    per_draw = float(log_ratios(reference).std())
    return pd.DataFrame([{"samples": n, "monte_carlo": float(log_ratios(n).mean()), "std_error": per_draw / n ** 0.5,
                          "closed_form": closed} for n in sample_sizes])


def gradient_variance(mu: float = 1.0, n: int = 100_000, seed: int = 0) -> pd.DataFrame:
    """d/dmu E_{z~N(mu,1)}[z^2] (= 2 mu) by the score-function and the reparameterization estimators."""
    g = torch.Generator().manual_seed(seed)
    eps = torch.randn(n, generator=g, dtype=torch.float64)
    z = mu + eps
    estimators = {"score function: z^2 (z - mu)": z.pow(2) * (z - mu),
                  "reparameterization: 2 (mu + eps)": 2 * z}
    return pd.DataFrame([{"estimator": k, "mean": float(v.mean()), "variance per sample": float(v.var()),
                          "true gradient": 2 * mu} for k, v in estimators.items()])


@torch.inference_mode()
def posterior_samples(model, images, labels, seed: int = 0, batch_size: int = 1000):
    """One z ~ q(z | x, y) per image (the aggregate posterior), with the posterior means and log-variances."""
    device = device_of(model)
    g = torch.Generator().manual_seed(seed)
    zs, mus, log_vars = [], [], []
    for start in range(0, len(images), batch_size):
        x = images[start:start + batch_size].to(device)
        mu, log_var = model.encode(x, one_hot(labels[start:start + batch_size]).to(device))
        mu, log_var = mu.cpu(), log_var.cpu()
        zs.append(mu + torch.exp(0.5 * log_var) * torch.randn(mu.shape, generator=g))
        mus.append(mu)
        log_vars.append(log_var)
    return torch.cat(zs), torch.cat(mus), torch.cat(log_vars)


def elbo_gap(model, images, labels, ks=(1, 10, 100), seed: int = 0) -> pd.DataFrame:
    """The importance-weighted bound L_k for growing k: L_1 is the ELBO; L_k - L_1 is a lower bound on the gap, with
    the standard error of its per-image (paired) differences, not of the bound itself."""
    rows, first = [], None
    for k in ks:
        bound = iwae_bound(model, images, labels, k, seed=seed)
        first = bound if first is None else first
        gain = bound - first  # per image: the paired difference, whose spread is far smaller than the bound's
        rows.append({"k": k, "bound (nats per image)": float(bound.mean()),
                     "std_error": float(bound.std() / len(bound) ** 0.5), "gain over k=1": float(gain.mean()),
                     "gain_std_error": float(gain.std() / len(gain) ** 0.5) if k != ks[0] else 0.0})
    return pd.DataFrame(rows)


@torch.inference_mode()
def decoder_sample(model, z, labels, seed: int = 0):
    """A draw from the factorized Bernoulli decoder p(x | z, y), pixel by pixel independently."""
    device = device_of(model)
    probs = model.decode(z.to(device), one_hot(labels).to(device)).cpu()
    return torch.bernoulli(probs, generator=torch.Generator().manual_seed(seed))


def fitted_gaussian_kl_floor(n: int, d: int, reps: int = 5, seed: int = 0) -> float:
    """The KL to N(0, I) of a Gaussian fitted (mean and covariance, as findings.prior_gap fits a class's codes) to
    ``n`` draws from N(0, I) itself in ``d`` dimensions, averaged over ``reps`` draws: what a finite sample gives
    where the codes match the prior exactly (about d (d + 3) / (4 n) nats for large n), the floor to read a fitted
    q(z | y)'s distance from the prior against."""
    g = torch.Generator().manual_seed(seed)
    kls = []
    for _ in range(reps):
        z = torch.randn(n, d, generator=g, dtype=torch.float64)
        mean, cov = z.mean(0), torch.cov(z.T)
        kls.append(0.5 * float(torch.trace(cov) + mean @ mean - d - torch.logdet(cov)))
    return sum(kls) / len(kls)
