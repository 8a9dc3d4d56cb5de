"""Figures for the report. Each function returns a matplotlib Figure; ``save`` writes it as PNG."""
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch

from .data import CLASSES

TERM_TITLES = {"total": "total (−ELBO)", "reconstruction": "reconstruction (BCE)", "kl": "KL(q ‖ p)"}


def save(fig, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path


ENGLISH = {"total": TERM_TITLES["total"], "reconstruction": TERM_TITLES["reconstruction"], "kl": TERM_TITLES["kl"],
           "train": "train", "test": "test", "epoch": "epoch", "nats": "nats per image"}


def loss_curves(histories: dict, title: str = "", words: dict = None):
    """Train (solid) and test (dashed) curves, one panel per term.

    ``histories`` maps a label to one history DataFrame or to a list of them (seeds): several
    are drawn as their mean with a band of ± one standard deviation. ``words`` localizes the labels (ENGLISH's keys).
    """
    w = {**ENGLISH, **(words or {})}
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for (label, runs), color in zip(histories.items(), colors):
        runs = runs if isinstance(runs, list) else [runs]
        for ax, term in zip(axes, TERM_TITLES):
            for split, style in (("train", "-"), ("test", "--")):
                values = np.stack([r[f"{split}_{term}"].to_numpy() for r in runs])
                epochs = runs[0]["epoch"].to_numpy()
                mean = values.mean(0)
                ax.plot(epochs, mean, style, color=color, label=f"{label} {w[split]}")
                if len(runs) > 1:
                    std = values.std(0, ddof=1)
                    ax.fill_between(epochs, mean - std, mean + std, color=color, alpha=0.2)
    for ax, term in zip(axes, TERM_TITLES):
        ax.set_title(w[term])
        ax.set_xlabel(w["epoch"])
        ax.set_ylabel(w["nats"])
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def image_grid(images, rows: int, row_labels=None, title: str = "", col_labels=None, scale: float = 1.0):
    """Images (N, 1, 28, 28), row-major in ``rows`` rows, with optional row and column labels."""
    images = images.detach().cpu().numpy()[:, 0]
    cols = int(np.ceil(len(images) / rows))
    head = (0.5 if title else 0.1) + (0.25 if col_labels is not None else 0)  # inches above the grid
    width, height = cols * 0.9 * scale + 1.4, rows * 0.9 * scale + head
    fig, axes = plt.subplots(rows, cols, figsize=(width, height), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        if i < len(images):
            ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=1)
    if row_labels is not None:
        for ax, label in zip(axes[:, 0], row_labels):
            ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=9)
    if col_labels is not None:
        for ax, label in zip(axes[0], col_labels):
            ax.set_title(label, fontsize=8)
    fig.subplots_adjust(wspace=0.05, hspace=0.05, top=1 - head / height, bottom=0.02)
    if title:
        fig.suptitle(title, y=1 - 0.12 / height, va="top")
    return fig


def class_grid(samples, title: str = "Class-conditional samples (z ~ N(0, I))", classes=CLASSES, col_labels=None,
               scale: float = 1.0):
    """Samples (10 n, 1, 28, 28), class-major: one class per row."""
    return image_grid(samples, rows=10, row_labels=classes, title=title, col_labels=col_labels, scale=scale)


def side_by_side(originals, reconstructions, per_class: int, classes=CLASSES, col_labels=None):
    """Per class one row: ``per_class`` originals, then their reconstructions (class-major inputs)."""
    rows = []
    for c in range(10):
        rows += [originals[c * per_class:(c + 1) * per_class], reconstructions[c * per_class:(c + 1) * per_class]]
    return image_grid(torch.cat(rows), rows=10, row_labels=classes, col_labels=col_labels)


def per_class_metrics(metrics: dict, reference: dict, title: str = ""):
    """Conditional accuracy against the classifier's accuracy, and Fréchet distance against its floor, per class."""
    fig, axes = plt.subplots(1, 2, figsize=(14, 3.6))
    x = np.arange(10)
    axes[0].bar(x - 0.2, metrics["conditional_accuracy_per_class"], 0.4, label="generated (conditional accuracy)")
    axes[0].bar(x + 0.2, reference["classifier_test_accuracy_per_class"], 0.4, label="real test images")
    axes[0].set_ylabel("accuracy")
    axes[1].bar(x - 0.2, metrics["fd_per_class"], 0.4, label="generated vs test")
    axes[1].bar(x + 0.2, reference["fd_train_vs_test_per_class"], 0.4, label="train vs test (floor)")
    axes[1].set_ylabel("Fréchet distance (classifier features)")
    for ax in axes:
        ax.set_xticks(x, CLASSES, rotation=35, ha="right")
        ax.legend(fontsize=8)
        ax.grid(axis="y", alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
