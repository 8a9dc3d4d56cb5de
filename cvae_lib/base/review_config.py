"""The configs of the expert-review measurements: the second judge (an independently trained feature extractor)
and the review's protocol (validation reference, temperature curves, Classification Accuracy Score).

Kept apart from config.py, whose configs define the runs; these define how finished runs are judged.
"""
from dataclasses import dataclass

from .config import ConfigError, _is_number, _nonnegative_int, _positive_int


@dataclass(frozen=True)
class JudgeConfig:
    """The second judge: a residual CNN trained with augmentation (cvae_lib.evaluation.judge)."""
    epochs: int = 6
    """passes over the 60,000 training images (AdamW, cosine decay to 0)"""
    batch_size: int = 128
    """images per step"""
    learning_rate: float = 2e-3
    """AdamW's initial step size"""
    weight_decay: float = 5e-4
    """AdamW's decoupled weight decay"""
    width: int = 32
    """channels of the first residual stage; the second and third have 2x and 4x (the features: 4x)"""
    shift: int = 2
    """augmentation: random translation by up to this many pixels (zero padding), and a horizontal flip with p = 1/2"""
    seed: int = 1
    """initialization, shuffling and augmentation (the evaluation classifier uses 0)"""
    train_subset: int = 0
    """train on the first N images only (tests); 0 uses all 60,000"""

    def __post_init__(self):
        for name in ("epochs", "batch_size", "width"):
            _positive_int(name, getattr(self, name))
        _nonnegative_int("shift", self.shift, "0 turns translation off")
        _nonnegative_int("train_subset", self.train_subset, "0 uses all 60,000 images")
        for name in ("learning_rate", "weight_decay"):
            value = getattr(self, name)
            if not _is_number(value) or value < 0 or (name == "learning_rate" and value == 0):
                raise ConfigError(f"{name} must be a {'positive' if name == 'learning_rate' else 'non-negative'} "
                                  f"number, got {value!r}")


VALIDATION_SOURCES = ("train", "test_half")


@dataclass(frozen=True)
class ReviewConfig:
    """How the review scores a trained run's samplers (cvae_lib.evaluation.review); part of review.json's key."""
    temperatures: tuple = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2)
    """prior temperatures: z ~ N(0, tau^2 I) for the prior, covariances scaled by tau^2 for the GMM"""
    gmm_components: tuple = (1, 2, 4, 8, 16, 32)
    """mixture sizes tried per class, chosen by BIC on the training codes (wide enough for an interior choice)"""
    samples_per_class: int = 1000
    """samples per class at each point of a curve"""
    validation_per_class: int = 1000
    """training images per class in the validation reference (10,000 in all; fixed by the seed)"""
    precision_recall_k: int = 3
    """neighbours for precision and recall with per-class manifolds (1,000 points per class)"""
    density_coverage_k: int = 5
    """neighbours for density and coverage (Naeem et al. 2020 recommend 5)"""
    seed: int = 0
    """the validation reference, the GMM fits and every draw"""
    test_subset: int = 0
    """score against the first N test images (tests); 0 uses all 10,000"""
    train_subset: int = 0
    """take the validation reference and GMM codes from the first N training images (tests); 0 uses all"""
    validation: str = "train"
    """where the validation reference comes from: "train" (validation_per_class training images per class) or
    "test_half" (half of each class's test images, drawn by the seed; the other half is then the test reference:
    images no model, mixture or judge was fitted to, used for choices on one half and scores on the other)"""

    def __post_init__(self):
        if self.validation not in VALIDATION_SOURCES:
            raise ConfigError(f"validation must be one of {VALIDATION_SOURCES}, got {self.validation!r}")
        object.__setattr__(self, "temperatures", tuple(self.temperatures))
        object.__setattr__(self, "gmm_components", tuple(self.gmm_components))
        if not self.temperatures or any(not _is_number(t) or t <= 0 for t in self.temperatures):
            raise ConfigError(f"temperatures must be positive numbers, got {self.temperatures!r}")
        for n in self.gmm_components:
            _positive_int("gmm_components", n)
        for name in ("samples_per_class", "validation_per_class", "precision_recall_k", "density_coverage_k"):
            _positive_int(name, getattr(self, name))
        for name in ("test_subset", "train_subset"):
            _nonnegative_int(name, getattr(self, name), "0 uses all images")


HELDOUT = ReviewConfig(validation="test_half", temperatures=(0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5))
"""The held-out check of the review's answer (scripts/review.py --heldout): choices on one half of the test set,
scores on the other, and temperatures on both sides of 1."""


WIDE = ReviewConfig(temperatures=(0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.5, 2.0, 3.0))
"""The wide grid (scripts/review.py --wide): every method's curves on the main review's protocol (choices on the
validation reference) continued to tau = 3, so that the choice by FD alone can be shown beside the main review's. Its points up
to 1.2 are the main review's, reused
(evaluation.review.reusable_points)."""
