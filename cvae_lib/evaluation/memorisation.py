"""Does a sampler copy its training images? The nearest-neighbour test.

A sampler fitted to the training codes (the per-class GMM) could in principle return the training images
themselves: a mixture with many components per class, each sitting on a few codes, decodes near-copies, and
every score against real images (accuracy, FD, precision) would then look excellent. The test: the pixel
distance from each generated image to its nearest training image, beside the same distance for real test
images, which the model never saw. Copies sit much closer to the training set than held-out real images do;
a sampler that generalises sits at least as far.
"""
from typing import NamedTuple

import torch

from .fidelity import CHUNK_ROWS, squared_distances


class Neighbours(NamedTuple):
    distances: torch.Tensor
    """Euclidean pixel distance from each query to its nearest reference"""
    indices: torch.Tensor
    """the nearest reference's row"""


def nearest(queries, references) -> Neighbours:
    """Each query's nearest reference image in Euclidean pixel distance (images of any shape, flattened)."""
    queries, references = queries.flatten(1).float(), references.flatten(1).float()
    if queries.shape[1] != references.shape[1]:
        raise ValueError(f"queries have {queries.shape[1]} pixels, references {references.shape[1]}")
    if not len(references):
        raise ValueError("no reference images")
    norms = references.pow(2).sum(1)
    found = [squared_distances(queries[start:start + CHUNK_ROWS], references, norms).min(1)
             for start in range(0, len(queries), CHUNK_ROWS)]
    return Neighbours(torch.cat([f.values for f in found]).clamp_min(0).sqrt(), torch.cat([f.indices for f in found]))


def copy_check(samples, train_images, test_images, quantile: float = 0.01) -> dict:
    """The nearest-training-image distances of ``samples`` against those of ``test_images`` (held out):
    the medians of both, their ratio (below 1: samples sit closer to the training set than real unseen
    images do), and the share of samples closer than the ``quantile`` of the test images' distances (about
    ``quantile`` when the samples are no nearer to the training set than unseen images; near 1 for copies)."""
    return copy_check_against(samples, train_images, nearest(test_images, train_images).distances, quantile)


def copy_check_against(samples, train_images, test_distances, quantile: float = 0.01) -> dict:
    """copy_check with the unseen images' nearest-training-image distances computed once beforehand (several
    samplers checked against one yardstick)."""
    fake, real = nearest(samples, train_images).distances, test_distances
    threshold = torch.quantile(real, quantile)
    return {"median_sample": float(fake.median()), "median_test": float(real.median()),
            "ratio": float(fake.median() / real.median()), "quantile": quantile,
            "share_closer": float((fake < threshold).float().mean()), "n_samples": len(fake), "n_test": len(real)}
