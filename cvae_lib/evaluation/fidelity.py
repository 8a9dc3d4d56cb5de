"""Fidelity and coverage of generated images, measured separately, and blur made a number.

The Fréchet distance mixes two failures into one number: samples that do not look real (fidelity) and
real images the model never produces (coverage). Improved precision and recall (Kynkäänniemi et al. 2019)
separates them. Each set of feature vectors defines a manifold, the union of balls around its points with
radius the distance to the point's k-th nearest neighbour in the same set; precision is the fraction of
generated points inside the real manifold, recall the fraction of real points inside the generated one.

Sharpness is the mean squared finite-difference gradient of an image: a factorized decoder averages the
images it cannot tell apart, and averaging removes the high-frequency content this statistic sees.
"""
import math
from typing import NamedTuple

import torch

from ..modelling.models import NUM_CLASSES

CHUNK_ROWS = 1024
"""rows of the distance matrix held at once: 1,024 x 10,000 float32 distances are 40 MB"""


class PrecisionRecall(NamedTuple):
    precision: float
    recall: float


class ClassPrecisionRecall(NamedTuple):
    """``precision`` pools all generated points, each judged against the real manifold of its own class
    (the per-class values weighted by the number of generated points); ``recall`` likewise for real points."""
    precision: float
    recall: float
    precision_per_class: list
    recall_per_class: list


class RelativeSharpness(NamedTuple):
    """Mean sharpness of generated over real images, per class; ``overall`` is the mean of the ten ratios."""
    overall: float
    per_class: list


def squared_distances(a, b, b_squared_norms):
    """|a_i - b_j|^2 for all pairs, from one matrix product (the form torch.cdist uses for large sets,
    without its square root: balls are compared in squared distances)."""
    return torch.addmm(b_squared_norms[None], a, b.T, alpha=-2).add_(a.pow(2).sum(1, keepdim=True))


def knn_squared_radii(points, k: int):
    """Squared distance from each row to its k-th nearest other row: the radius of its ball, squared.

    Each point is its own nearest neighbour at distance 0, so the k-th other point is the (k + 1)-th
    smallest distance (as in the paper's code; an exact duplicate counts as a neighbour).
    """
    if not 1 <= k < len(points):
        raise ValueError(f"k must be between 1 and the number of points minus one ({len(points) - 1}), got {k}")
    norms = points.pow(2).sum(1)
    radii = [squared_distances(points[start:start + CHUNK_ROWS], points, norms)
             .topk(k + 1, dim=1, largest=False).values[:, k] for start in range(0, len(points), CHUNK_ROWS)]
    return torch.cat(radii).clamp_min(0)


def _coverage(real, fake, k):
    """(fake points inside the real manifold, real points inside the fake manifold), as boolean rows.

    One pass over the fake-to-real distances serves both: row-wise for precision, column-wise for recall.
    """
    real, fake = real.flatten(1), fake.flatten(1).to(real.device, real.dtype)
    real_radii, fake_radii = knn_squared_radii(real, k), knn_squared_radii(fake, k)
    real_norms = real.pow(2).sum(1)
    fake_inside, real_inside = [], torch.zeros(len(real), dtype=torch.bool, device=real.device)
    for start in range(0, len(fake), CHUNK_ROWS):
        distances = squared_distances(fake[start:start + CHUNK_ROWS], real, real_norms)
        fake_inside.append((distances <= real_radii).any(1))
        real_inside |= (distances <= fake_radii[start:start + CHUNK_ROWS, None]).any(0)
    return torch.cat(fake_inside), real_inside


def precision_recall(real_features, fake_features, k: int = 3) -> PrecisionRecall:
    """Improved precision and recall of generated features against real ones (Kynkäänniemi et al. 2019).

    Runs on the features' device; two sets of 10,000 x 128 features take about 4.5 s on a 2-core CPU.
    """
    fake_inside, real_inside = _coverage(real_features, fake_features, k)
    return PrecisionRecall(float(fake_inside.double().mean()), float(real_inside.double().mean()))


def per_class_precision_recall(real_features, real_labels, fake_features, fake_labels, k: int = 3):
    """Precision and recall with class-conditional manifolds: a generated "shirt" counts as precise
    only if it lies on the manifold of real shirts, not merely on that of some real image."""
    real_labels, fake_labels = real_labels.to(real_features.device), fake_labels.to(fake_features.device)
    fake_inside, real_inside, precisions, recalls = [], [], [], []
    for c in range(NUM_CLASSES):
        real_c, fake_c = real_features[real_labels == c], fake_features[fake_labels == c]
        if min(len(real_c), len(fake_c)) <= k:
            raise ValueError(f"class {c} has {len(real_c)} real and {len(fake_c)} generated feature vectors; "
                             f"per-class precision and recall need more than k = {k} of each in every class")
        f_in, r_in = _coverage(real_c, fake_c, k)
        fake_inside.append(f_in)
        real_inside.append(r_in)
        precisions.append(float(f_in.double().mean()))
        recalls.append(float(r_in.double().mean()))
    return ClassPrecisionRecall(float(torch.cat(fake_inside).double().mean()),
                                float(torch.cat(real_inside).double().mean()), precisions, recalls)


def sharpness(images):
    """Per image: mean over pixel pairs of the squared horizontal difference, plus the same vertically.

    Images (B, C, H, W) with values in [0, 1]; 0 for a constant image, at most 2 for a checkerboard.
    """
    x = images.double()
    dx = (x[..., :, 1:] - x[..., :, :-1]).pow(2).flatten(1).mean(1)
    dy = (x[..., 1:, :] - x[..., :-1, :]).pow(2).flatten(1).mean(1)
    return dx + dy


def relative_sharpness(fake_images, fake_labels, real_images, real_labels) -> RelativeSharpness:
    """Per class, mean sharpness of generated images over that of real (test) images of the class.

    1 means as sharp as the data; a blurry sampler scores well below 1. Every class must be present in both sets.
    """
    fake_s, real_s = sharpness(fake_images), sharpness(real_images)
    fake_labels, real_labels = fake_labels.to(fake_s.device), real_labels.to(real_s.device)
    ratios = []
    for c in range(NUM_CLASSES):
        fake_c, real_c = fake_s[fake_labels == c], real_s[real_labels == c]
        if len(fake_c) == 0 or len(real_c) == 0:
            raise ValueError(f"class {c} has {len(fake_c)} generated and {len(real_c)} real images; "
                             "relative sharpness needs images of every class in both sets")
        ratios.append(float(fake_c.mean() / real_c.mean()))
    return RelativeSharpness(sum(ratios) / len(ratios), ratios)


def sharpness_calibration(images, labels, blur_sigma: float = 1.0, noise_sd: float = 0.1, seed: int = 0) -> dict:
    """What relative_sharpness gives real images (``images``, (B, 1, 28, 28) in [0, 1], with ``labels``) against
    themselves after a Gaussian blur ("blurred": sigma ``blur_sigma`` pixels, a 5 x 5 kernel) and after additive
    Gaussian noise ("noised": standard deviation ``noise_sd``, clipped to [0, 1]): the metric counts high-frequency
    energy, so noise raises it above 1 as surely as detail does; it is no measure of quality on its own."""
    from torchvision.transforms.functional import gaussian_blur
    x = images.float()
    noise = torch.randn(x.shape, generator=torch.Generator().manual_seed(seed)) * noise_sd
    return {"blurred": relative_sharpness(gaussian_blur(x, [5, 5], [blur_sigma, blur_sigma]), labels, x, labels).overall,
            "noised": relative_sharpness((x + noise).clamp(0, 1), labels, x, labels).overall,
            "blur_sigma": blur_sigma, "noise_sd": noise_sd}


class DensityCoverage(NamedTuple):
    """Naeem et al. (2020). ``density``: mean over generated points of the number of real balls containing them,
    divided by k (about 1 when generated points are distributed like real ones; it can exceed 1).
    ``coverage``: fraction of real points whose ball contains at least one generated point."""
    density: float
    coverage: float


def _ball_counts(real, fake, k):
    """(per generated point: how many real balls contain it, per real point: whether any generated point lies in
    its ball); balls are centred on real points with radius the distance to their k-th nearest real neighbour."""
    real, fake = real.flatten(1), fake.flatten(1).to(real.device, real.dtype)
    radii, norms = knn_squared_radii(real, k), real.pow(2).sum(1)
    counts, covered = [], torch.zeros(len(real), dtype=torch.bool, device=real.device)
    for start in range(0, len(fake), CHUNK_ROWS):
        inside = squared_distances(fake[start:start + CHUNK_ROWS], real, norms) < radii
        counts.append(inside.sum(1))
        covered |= inside.any(0)
    return torch.cat(counts), covered


def density_coverage(real_features, fake_features, k: int = 5) -> DensityCoverage:
    """Density and coverage of generated features against real ones, with balls around the real points only
    (robust to outlying generated points, unlike recall's generated manifold). Strict inequality, as in the
    authors' ``prdc`` package."""
    counts, covered = _ball_counts(real_features, fake_features, k)
    return DensityCoverage(float(counts.double().sum() / (k * len(counts))), float(covered.double().mean()))


def per_class_density_coverage(real_features, real_labels, fake_features, fake_labels, k: int = 5) -> DensityCoverage:
    """Density and coverage with per-class real manifolds: a generated point counts only in the balls of real
    images of its own class; pooled over classes (each generated and each real point counted once)."""
    real_labels, fake_labels = real_labels.to(real_features.device), fake_labels.to(fake_features.device)
    counts, covered = [], []
    for c in range(NUM_CLASSES):
        real_c, fake_c = real_features[real_labels == c], fake_features[fake_labels == c]
        if len(real_c) <= k or len(fake_c) == 0:
            raise ValueError(f"class {c} has {len(real_c)} real and {len(fake_c)} generated feature vectors; "
                             f"per-class density and coverage need more than k = {k} real ones and some generated")
        n, cov = _ball_counts(real_c, fake_c, k)
        counts.append(n)
        covered.append(cov)
    counts, covered = torch.cat(counts), torch.cat(covered)
    return DensityCoverage(float(counts.double().sum() / (k * len(counts))), float(covered.double().mean()))


def log_sharpness_distance(relative: float) -> float:
    """|log(generated sharpness / real sharpness)|: 0 when samples are as sharp as the data, growing both for
    blur (ratio < 1) and for artefacts (ratio > 1)."""
    return abs(math.log(relative))


class KernelDistance(NamedTuple):
    mean: float  # the unbiased MMD² with the cubic polynomial kernel, averaged over subsets (Bińkowski et al. 2018)
    std: float  # its standard deviation over the subsets


def kernel_distance(real_features, fake_features, subsets: int = 100, subset_size: int = 1000,
                    seed: int = 0) -> KernelDistance:
    """KID between two feature sets: torchmetrics' unbiased polynomial-kernel MMD² (degree 3, gamma 1/d, coef 1)
    on ``subsets`` random subsets of ``subset_size`` rows of each set, drawn with a generator seeded by ``seed`` (so
    the value repeats; torchmetrics' own metric draws them from the global generator). Unbiased, it can be < 0."""
    from torchmetrics.image.kid import poly_mmd
    real, fake = real_features.double(), fake_features.double()
    if min(len(real), len(fake)) < subset_size:
        raise ValueError(f"KID subsets of {subset_size} rows need as many features, got {len(real)} real and "
                         f"{len(fake)} generated")
    g = torch.Generator().manual_seed(seed)
    values = torch.stack([poly_mmd(real[torch.randperm(len(real), generator=g)[:subset_size]],
                                   fake[torch.randperm(len(fake), generator=g)[:subset_size]])
                          for _ in range(subsets)])
    return KernelDistance(float(values.mean()), float(values.std(unbiased=False)))
