"""Where the prior reaches beyond the codes, measured on a trained run: each draw z ~ N(0, I) given its class y gets
the log density ratio log q(z | y) - log p(z), where q(z | y) = (1/n) sum_i N(z; mu_i, diag sigma_i^2) is the class's
aggregate posterior over its n training images (the mixture the encoder actually fills) and p = N(0, I) the prior.
The draws of each class are split at that class's median ratio into a covered half and an uncovered half (the
"prior holes"), both decoded, and each half is scored against the test images in both judges' features (FD,
accuracy). A decoder trained only on codes should do worse on the uncovered half; one that the adversarial loss
also trains on decoded prior samples (the conv VAE-GAN) should lose less there, which is the reading of the
ablation that Section 5 states (scripts/prior_holes.py writes report/review/prior_holes.json).
"""
import math

import torch

from ..modelling.models import NUM_CLASSES, device_of
from ..modelling.priors import encode_dataset, standard_normal
from .classifier import predict
from .evaluate import frechet_distance
from .generate import decode_means

HALVES = ("covered", "uncovered")


def aggregate_log_ratio(z, mu, log_var, chunk: int = 512) -> torch.Tensor:
    """log q(z) - log N(z; 0, I) for each row of ``z`` (m, d), q the equal-weight mixture of N(mu_i, diag
    exp(log_var_i)) over the rows of ``mu``, ``log_var`` (n, d); in float64, ``chunk`` rows of z at a time."""
    z, mu, log_var = z.double(), mu.double(), log_var.double()
    precision = torch.exp(-log_var)  # (n, d)
    const = -0.5 * (log_var.sum(1) + (mu * mu * precision).sum(1))  # (n,): the parts that do not involve z
    out = []
    for start in range(0, len(z), chunk):
        part = z[start:start + chunk]
        # sum_j (z_j - mu_ij)^2 / s_ij = z^2 . prec_i - 2 z . (mu_i prec_i) + mu_i^2 . prec_i
        quad = (part * part) @ precision.T - 2 * part @ (mu * precision).T  # (m, n)
        log_q = torch.logsumexp(const - 0.5 * quad, dim=1) - math.log(len(mu))
        out.append(log_q + 0.5 * (part * part).sum(1))  # the 2 pi terms cancel against the prior's
    return torch.cat(out)


def split_draws(model, train_images, train_labels, n_per_class: int, seed: int):
    """(z, labels, log ratio, covered): ``n_per_class`` draws from N(0, I) per class, their aggregate_log_ratio
    under that class's training codes, and whether each lies in the upper half of its class's ratios."""
    mu, log_var = encode_dataset(model, train_images, train_labels)
    g = torch.Generator().manual_seed(seed)
    zs, labels, ratios, covered = [], [], [], []
    for c in range(NUM_CLASSES):
        z = standard_normal((n_per_class, model.latent_size), g, torch.device("cpu"))
        mine = train_labels == c
        r = aggregate_log_ratio(z, mu[mine], log_var[mine])
        zs.append(z)
        labels.append(torch.full((n_per_class,), c, dtype=torch.long))
        ratios.append(r)
        top = torch.zeros(n_per_class, dtype=torch.bool)
        top[r.argsort()[n_per_class // 2:]] = True  # the upper half by rank: exactly half, ties or not
        covered.append(top)
    return torch.cat(zs), torch.cat(labels), torch.cat(ratios), torch.cat(covered)


def score_halves(model, judges: dict, test_features: dict, z, labels, covered, likelihood: str = "bernoulli") -> dict:
    """half -> judge -> {fd, accuracy}: the decoder means of each half scored against the test images' features
    (``judges``: name -> network with predict's interface; ``test_features``: name -> the test images' features)."""
    with torch.inference_mode():
        images = torch.cat([decode_means(model, z[i:i + 5000].to(device_of(model)), labels[i:i + 5000], likelihood)
                            for i in range(0, len(z), 5000)])
    out = {}
    for half, mask in zip(HALVES, (covered, ~covered)):
        out[half] = {}
        for name, net in judges.items():
            logits, feats = predict(net, images[mask])
            out[half][name] = {"fd": frechet_distance(feats, test_features[name]),
                               "accuracy": float((logits.argmax(1) == labels[mask]).float().mean())}
    return out


def measure(run_dir, judges: dict, test_features: dict, train_images, train_labels, n_per_class: int = 1000,
            seed: int = 0, device="cpu") -> dict:
    """One run's measurement: the share of its prior draws where q(z | y) < p(z) (the prior's density above the
    codes'), the median log ratio, and score_halves."""
    from ..training import runs
    run_config, model = runs.load_model(run_dir, map_location=device)
    z, labels, ratio, covered = split_draws(model, train_images, train_labels, n_per_class, seed)
    return {"share_below": float((ratio < 0).double().mean()), "median_log_ratio": float(ratio.median()),
            **score_halves(model, judges, test_features, z, labels, covered, run_config.likelihood)}
