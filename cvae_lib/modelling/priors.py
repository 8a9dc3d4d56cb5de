"""Other ways to draw the latent z of a trained CVAE than z ~ N(0, I), each feeding the seed's decoder unchanged.

A VAE's samples are poor partly because the aggregate posterior q(z | y) = E_x q(z | x, y), the region the
decoder was trained on, does not fill N(0, I): prior samples land in holes the decoder never saw. Four
remedies, from cheapest to most involved:

- temperature: z ~ N(0, tau^2 I) with tau < 1 trades diversity for staying near the well-trained centre;
- ex-post density (Ghosh et al. 2020): a Gaussian mixture fitted per class to the posterior means;
- two-stage VAE (Dai & Wipf 2019): a second, small conditional VAE that learns q(z | y) itself;
- VampPrior (Tomczak & Welling 2018): the prior is trained with the model, as a mixture of the encoder's
  posteriors at learned pseudo-images, so the KL term pulls q towards where the prior has mass.

Samplers return latents; ``generate.decode_means(model, z, labels)`` turns them into images. Noise comes
from a ``torch.Generator`` on any device and is moved to the tensors' device, so a seed gives the same
draws for a model on the CPU or on a GPU.
"""
import math

import numpy as np
import torch
import torch.nn as nn
from torch.distributions import Categorical, MixtureSameFamily, MultivariateNormal, Normal

from .losses import Loss, gaussian_kl, reconstruction_nll
from .models import NUM_CLASSES, device_of, one_hot

LOG_2PI = math.log(2 * math.pi)


def standard_normal(shape, generator=None, device="cpu", dtype=torch.float32):
    """N(0, I) noise drawn on the generator's device, then moved to ``device``."""
    noise_device = generator.device if generator is not None else device
    return torch.randn(shape, generator=generator, device=noise_device, dtype=dtype).to(device)


def sample_latents_temperature(n: int, latent_size: int, tau: float, generator=None):
    """n latents z ~ N(0, tau^2 I), on the CPU."""
    if not tau > 0:
        raise ValueError(f"tau must be positive, got {tau}")
    return tau * standard_normal((n, latent_size), generator)


class ClassGMM:
    """One Gaussian mixture (full covariances) per class over latent codes: samples z given y, scores log q(z | y)."""

    def __init__(self, mixtures: dict, bic: dict):
        self.mixtures = mixtures
        """class -> MixtureSameFamily of MultivariateNormal, float64 on the CPU"""
        self.bic = bic
        """class -> BIC of the fits with each number of components tried, in increasing order (the smallest BIC was kept)"""

    def _mixture(self, c: int):
        if c not in self.mixtures:
            raise ValueError(f"no mixture was fitted for class {c}; fitted classes: {sorted(self.mixtures)}")
        return self.mixtures[c]

    def log_prob(self, z, labels, temperature: float = 1.0):
        """log density of each row of z under the mixture of its class (float64, on the CPU), with each component's
        covariance scaled by ``temperature``^2 as ``sample`` draws it."""
        if not temperature > 0:
            raise ValueError(f"temperature must be positive, got {temperature}")
        z, labels = z.detach().cpu().double(), labels.cpu()
        out = torch.empty(len(z), dtype=torch.float64)
        for c in labels.unique().tolist():
            mixture = self._mixture(c)
            if temperature != 1.0:
                normal = mixture.component_distribution
                mixture = MixtureSameFamily(mixture.mixture_distribution,
                                            MultivariateNormal(normal.loc, scale_tril=temperature * normal.scale_tril))
            out[labels == c] = mixture.log_prob(z[labels == c])
        return out

    def sample(self, labels, generator=None, temperature: float = 1.0):
        """One z per label (float32, on the CPU); classes are drawn in order 0..9, so a seed fixes every draw.
        ``temperature`` tau scales each component's covariance by tau^2 (its mean and weight kept)."""
        labels = labels.cpu()
        latent_size = next(iter(self.mixtures.values())).component_distribution.loc.shape[1]
        out = torch.empty(len(labels), latent_size)
        for c in range(NUM_CLASSES):
            rows = torch.nonzero(labels == c).flatten()
            if len(rows) == 0:
                continue
            mixture = self._mixture(c)
            normal = mixture.component_distribution
            k = torch.multinomial(mixture.mixture_distribution.probs, len(rows), replacement=True,
                                  generator=generator)
            eps = standard_normal((len(rows), normal.loc.shape[1], 1), generator, dtype=torch.float64)
            out[rows] = (normal.loc[k] + temperature * (normal.scale_tril[k] @ eps).squeeze(2)).float()
        return out


def fit_gmms(latents, labels, max_components: int = 10, seed: int = 0, candidates=None) -> ClassGMM:
    """Per class present in ``labels``, the Gaussian mixture with 1..max_components full-covariance
    components (or with each number in ``candidates``) that has the smallest BIC.

    Full covariances because the posterior means of the active latent units are correlated within a
    class, and a diagonal mixture would put mass on combinations the decoder never saw; BIC charges
    for the d(d + 1)/2 parameters per component, so extra components are kept only where they pay.
    """
    from sklearn.mixture import GaussianMixture  # imported here: scikit-learn takes a second to import

    if max_components < 1:
        raise ValueError(f"max_components must be a positive integer, got {max_components}")
    sizes = sorted(set(candidates)) if candidates is not None else range(1, max_components + 1)
    x, labels = latents.detach().cpu().double().numpy(), labels.cpu().numpy()
    mixtures, bic = {}, {}
    for c in np.unique(labels).tolist():
        x_c = x[labels == c]
        fits = [GaussianMixture(n, covariance_type="full", random_state=seed).fit(x_c)
                for n in sizes if n <= len(x_c)]
        bic[c] = [float(gm.bic(x_c)) for gm in fits]
        best = fits[int(np.argmin(bic[c]))]
        mixtures[c] = MixtureSameFamily(
            Categorical(probs=torch.from_numpy(best.weights_)),
            MultivariateNormal(torch.from_numpy(best.means_),
                               scale_tril=torch.linalg.cholesky(torch.from_numpy(best.covariances_))))
    return ClassGMM(mixtures, bic)


def encode_dataset(model, images, labels, batch_size: int = 1000):
    """(mu, log_var) of q(z | x, y) for every image, in batches, on the CPU: the codes the priors are fitted to."""
    device = device_of(model)
    with torch.inference_mode():
        parts = [model.encode(images[i:i + batch_size].to(device), one_hot(labels[i:i + batch_size].to(device)))
                 for i in range(0, len(images), batch_size)]
    return torch.cat([mu.cpu() for mu, _ in parts]), torch.cat([log_var.cpu() for _, log_var in parts])


def fit_class_gmms(model, images, labels, max_components: int = 10, seed: int = 0) -> ClassGMM:
    """Ex-post density estimation: per-class mixtures fitted to the model's posterior means of ``images``."""
    return fit_gmms(encode_dataset(model, images, labels)[0], labels, max_components, seed)


class SecondStage(nn.Module):
    """Dai & Wipf's second VAE, conditioned on the class: it models the first model's codes z given y.

    Encoder [z, y] -> 256 -> 256 -> (mu_u, log_var_u), decoder [u, y] -> 256 -> 256 -> mean of z, and one
    learned log sigma for p(z | u, y) = N(mean, sigma^2 I) (their gamma, which the paper shows must be
    learned). u has the size of z, as in the paper; the width is 256 rather than their 1,024 so that the
    second stage (0.22M parameters at 64 latents) stays small next to the first (0.91M MLP, 0.71M conv).
    """

    def __init__(self, latent_size: int = 64, hidden: int = 256):
        super().__init__()
        self.latent_size = latent_size
        self.encoder = nn.Sequential(nn.Linear(latent_size + NUM_CLASSES, hidden), nn.ReLU(),
                                     nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 2 * latent_size))
        self.decoder = nn.Sequential(nn.Linear(latent_size + NUM_CLASSES, hidden), nn.ReLU(),
                                     nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, latent_size))
        self.log_sigma = nn.Parameter(torch.zeros(()))

    def encode(self, z, y):
        return self.encoder(torch.cat([z, y], dim=1)).chunk(2, dim=1)

    def decode(self, u, y):
        return self.decoder(torch.cat([u, y], dim=1))


def second_stage_loss(stage: SecondStage, z, labels, generator=None) -> Loss:
    """-ELBO of the second stage in nats per code: Gaussian NLL of z (summed over dims) + closed-form KL."""
    y = one_hot(labels.to(z.device), dtype=z.dtype)
    mu, log_var = stage.encode(z, y)
    u = mu + torch.exp(0.5 * log_var) * standard_normal(mu.shape, generator, z.device, z.dtype)
    mean = stage.decode(u, y)
    nll = (0.5 * ((z - mean) * torch.exp(-stage.log_sigma)).pow(2)
           + stage.log_sigma + 0.5 * math.log(2 * math.pi)).sum(1).mean()
    kl = gaussian_kl(mu, log_var).mean()
    return Loss(nll + kl, nll, kl)


def train_second_stage(codes, labels, epochs: int, seed: int = 0, code_log_var=None, batch_size: int = 256,
                       learning_rate: float = 1e-3, hidden: int = 256) -> SecondStage:
    """Train a SecondStage on the codes' device with Adam; the same arguments give the same weights.

    Without ``code_log_var`` it fits the codes given, normally the posterior means: their inactive units are
    near-constant, so the learned sigma shrinks and the KL grows within a few epochs, as the paper's
    gamma -> 0 argument predicts. With it, each epoch draws fresh z ~ q(z | x, y) around the means; on the
    report's MLP run (64 latents) that variant was still collapsed after 20 epochs (KL 0.1 nats, sigma 1,
    every sample the class mean), since a trained VAE's sampled codes are already close to N(0, I).
    """
    if epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs}")
    labels = labels.to(codes.device)
    torch.manual_seed(seed)
    stage = SecondStage(codes.shape[1], hidden).to(codes.device)
    optimizer = torch.optim.Adam(stage.parameters(), lr=learning_rate)
    g = torch.Generator().manual_seed(seed)
    stage.train()
    for _ in range(epochs):
        z = codes
        if code_log_var is not None:
            z = codes + torch.exp(0.5 * code_log_var.to(codes.device)) * standard_normal(codes.shape, g, codes.device)
        order = torch.randperm(len(codes), generator=g).to(codes.device)
        for start in range(0, len(codes), batch_size):
            idx = order[start:start + batch_size]
            loss = second_stage_loss(stage, z[idx], labels[idx], g).total
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
    return stage.eval()


@torch.no_grad()
def sample_second_stage(stage: SecondStage, labels, generator=None):
    """z = decoder mean at u ~ N(0, I), one per label, on the stage's device (Dai & Wipf use the mean too)."""
    device = device_of(stage)
    u = standard_normal((len(labels), stage.latent_size), generator, device)
    return stage.decode(u, one_hot(labels.to(device)))


class VampPrior(nn.Module):
    """K learned pseudo-images per class; p(z | y) = (1/K) sum_k q(z | u_yk, y) under the model's encoder.

    K = 50 per class makes 500 pseudo-images, the number Tomczak & Welling used for MNIST. Pixels are
    sigmoid(free parameters), so pseudo-images stay in [0, 1] like the data the encoder was built for;
    the parameters start near 0 (grey images with a little noise to break the symmetry), as the paper's
    near-constant initialization. 0.39M parameters at K = 50. Train them together with the model's.
    """

    def __init__(self, pseudo_per_class: int = 50, generator=None):
        super().__init__()
        if pseudo_per_class < 1:
            raise ValueError(f"pseudo_per_class must be a positive integer, got {pseudo_per_class}")
        self.pseudo_logits = nn.Parameter(0.01 * torch.randn(NUM_CLASSES, pseudo_per_class, 1, 28, 28,
                                                             generator=generator))

    def pseudo_inputs(self):
        return torch.sigmoid(self.pseudo_logits)


def _pseudo_posteriors(model, prior: VampPrior):
    """(mu, log_var) of q(z | u_ck, c) for every pseudo-image, shaped (classes, K, latent)."""
    classes, k = prior.pseudo_logits.shape[:2]
    labels = torch.arange(classes, device=prior.pseudo_logits.device).repeat_interleave(k)
    mu, log_var = model.encode(prior.pseudo_inputs().flatten(0, 1), one_hot(labels))
    return mu.view(classes, k, -1), log_var.view(classes, k, -1)


def vamp_log_prior(model, prior: VampPrior, z, labels, pseudo=None, block_rows: int = 4096):
    """log p(z | y) under the class's VampPrior, per row of z (nats).

    ``pseudo``: the (mu, log_var) of _pseudo_posteriors, when the caller has them already (evaluation scores
    many z with one set of weights). Rows are grouped by class, and the squared distances to the class's K
    component means come from matrix products, sum_d (z - m)^2 / s^2 = z^2 . a - 2 z . (m a) + m^2 . a with
    a = 1 / s^2, in float64 so the expansion loses nothing a float32 difference would keep.
    """
    mu, log_var = pseudo if pseudo is not None else _pseudo_posteriors(model, prior)
    labels = labels.to(mu.device)
    out = torch.empty(len(z), dtype=z.dtype, device=z.device)
    k, d = mu.shape[1], mu.shape[2]
    for c in labels.unique().tolist():
        rows = torch.nonzero(labels == c).flatten()
        a = torch.exp(-log_var[c]).double()  # (K, d)
        m = mu[c].double()
        const = d * LOG_2PI + log_var[c].double().sum(1) + (m.pow(2) * a).sum(1)  # (K,)
        for start in range(0, len(rows), block_rows):
            idx = rows[start:start + block_rows]
            zc = z[idx].double()
            distance = zc.pow(2) @ a.T - 2 * zc @ (m * a).T  # (n, K)
            log_components = -0.5 * (distance + const)
            out[idx] = (torch.logsumexp(log_components, dim=1) - math.log(k)).to(z.dtype)
    return out


def log_prior_fn(model):
    """A callable (z, labels) -> log p(z | y) for the model's prior: N(0, I), or its VampPrior (model.vamp),
    whose pseudo-image posteriors are computed once per call of log_prior_fn."""
    prior = getattr(model, "vamp", None)
    if prior is None:
        return lambda z, labels: -0.5 * (LOG_2PI + z.pow(2)).sum(-1)
    pseudo = _pseudo_posteriors(model, prior)
    return lambda z, labels: vamp_log_prior(model, prior, z, labels, pseudo)


def sample_prior(model, labels, generator=None):
    """z from the model's own prior, one per label, on the model's device: N(0, I) drawn on the generator's
    device (the draws generate.sample_per_class has always made), or the VampPrior of model.vamp."""
    prior = getattr(model, "vamp", None)
    if prior is not None:
        return sample_vamp(model, prior, labels, generator)
    return standard_normal((len(labels), model.latent_size), generator, device_of(model))


def vamp_negative_elbo(model, prior: VampPrior, x, labels, beta: float = 1.0, likelihood: str = "bernoulli",
                       log_sigma=None, generator=None) -> Loss:
    """-ELBO with a VampPrior, in nats per image: reconstruction NLL + beta * (log q(z | x, y) - log p(z | y))
    at one z ~ q, the single-sample Monte Carlo KL of the paper (no closed form for a mixture prior)."""
    labels = labels.to(x.device)
    y = one_hot(labels)
    mu, log_var = model.encode(x, y)
    std = torch.exp(0.5 * log_var)
    z = mu + std * standard_normal(mu.shape, generator, mu.device, mu.dtype)
    reconstruction = reconstruction_nll(model.decode_logits(z, y), x, likelihood, log_sigma)
    kl = Normal(mu, std).log_prob(z).sum(1) - vamp_log_prior(model, prior, z, labels, block_rows=len(z))
    return Loss((reconstruction + beta * kl).mean(), reconstruction.mean(), kl.mean())


@torch.no_grad()
def sample_vamp(model, prior: VampPrior, labels, generator=None, temperature: float = 1.0):
    """z ~ q(z | u, y) at a pseudo-image u of class y chosen uniformly, one per label, on the model's device;
    ``temperature`` tau scales the pseudo-posteriors' standard deviations."""
    device = device_of(model)
    k = prior.pseudo_logits.shape[1]
    pick = torch.randint(k, (len(labels),), generator=generator,
                         device=generator.device if generator is not None else "cpu")
    labels = labels.to(device)
    u = prior.pseudo_inputs()[labels, pick.to(device)]
    mu, log_var = model.encode(u, one_hot(labels))
    return mu + temperature * torch.exp(0.5 * log_var) * standard_normal(mu.shape, generator, device)
