"""Sampling, reconstruction and latent interpolation with a trained CVAE (tensors in, tensors out)."""
import torch

from ..modelling.losses import decoder_mean
from ..modelling.models import NUM_CLASSES, device_of, one_hot
from ..modelling.priors import sample_prior


def _decode(model, z, y, likelihood):
    return decoder_mean(model.decode_logits(z, y), likelihood)


@torch.inference_mode()
def sample_per_class(model, n_per_class: int, seed: int = 0, likelihood: str = "bernoulli") -> torch.Tensor:
    """(10 * n, 1, 28, 28) decoder means for z drawn from the model's prior (N(0, I), or its VampPrior),
    class-major: row c holds class c."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.arange(NUM_CLASSES).repeat_interleave(n_per_class).to(device_of(model))
    z = sample_prior(model, labels, g)
    return _decode(model, z, one_hot(labels), likelihood).cpu()


@torch.inference_mode()
def reconstruct(model, images, labels, sample: bool = False, seed: int = 0, likelihood: str = "bernoulli"):
    """Decoder means at z = mu(x, y) (or at a posterior sample when ``sample``)."""
    device = device_of(model)
    x, y = images.to(device), one_hot(labels.to(device))
    mu, log_var = model.encode(x, y)
    if sample:
        g = torch.Generator().manual_seed(seed)
        mu = mu + torch.randn(mu.shape, generator=g).to(device) * torch.exp(0.5 * log_var)
    return _decode(model, mu, y, likelihood).cpu()


def pick_per_class(labels, per_class: int) -> torch.Tensor:
    """Indices of the first ``per_class`` examples of each class, class-major."""
    return torch.cat([torch.nonzero(labels == c).flatten()[:per_class] for c in range(NUM_CLASSES)])


@torch.inference_mode()
def interpolate(model, x_a, y_a, x_b, y_b, steps: int = 10, likelihood: str = "bernoulli") -> torch.Tensor:
    """Decoded images (N, steps, 1, 28, 28) along the straight lines from mu(x_a, y_a) to mu(x_b, y_b),
    for N pairs of images (N, 1, 28, 28) with integer labels (N,).

    The one-hot label is interpolated together with z, so a path between classes morphs
    from one class to the other; between images of one class the label stays fixed.
    """
    device = device_of(model)
    ya, yb = one_hot(y_a.to(device)), one_hot(y_b.to(device))
    za, _ = model.encode(x_a.to(device), ya)
    zb, _ = model.encode(x_b.to(device), yb)
    n = len(x_a)
    t = torch.linspace(0, 1, steps, device=device).view(1, steps, 1)
    z = (1 - t) * za[:, None] + t * zb[:, None]
    y = (1 - t) * ya[:, None] + t * yb[:, None]
    decoded = _decode(model, z.reshape(n * steps, -1), y.reshape(n * steps, -1), likelihood)
    return decoded.view(n, steps, 1, 28, 28).cpu()


@torch.inference_mode()
def decode_under_every_label(model, image, label, likelihood: str = "bernoulli") -> torch.Tensor:
    """The posterior mean of one image decoded under each of the ten labels: "style" kept, class swapped."""
    device = device_of(model)
    mu, _ = model.encode(image[None].to(device), one_hot(torch.tensor([label])).to(device))
    labels = one_hot(torch.arange(NUM_CLASSES)).to(device)
    return _decode(model, mu.expand(NUM_CLASSES, -1), labels, likelihood).cpu()


@torch.inference_mode()
def decode_means(model, z, labels, likelihood: str = "bernoulli") -> torch.Tensor:
    """Decoder means for given latents and integer labels."""
    device = device_of(model)
    return _decode(model, z.to(device), one_hot(labels.to(device)), likelihood).cpu()


@torch.inference_mode()
def posterior(model, images, labels):
    """(mu, log_var) of q(z | x, y), on the CPU."""
    device = device_of(model)
    mu, log_var = model.encode(images.to(device), one_hot(labels.to(device)))
    return mu.cpu(), log_var.cpu()
