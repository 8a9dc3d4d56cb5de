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


def loss_curves(histories: dict, title: str = ""):
    """Train (solid) and test (dashed) curves, one panel per term.

    ``histories`` maps a label to one history DataFrame or to a list of them (seeds): several
    are drawn as their mean with a band of ± one standard deviation.
    """
    fig, axes = plt.subplots(1, 3, figsize=(14, 3.8))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for (label, runs), color in zip(histories.items(), colors):
        runs = runs if isinstance(runs, list) else [runs]
        for ax, term in zip(axes, TERM_TITLES):
            for split, style in (("train", "-"), ("test", "--")):
                values = np.stack([r[f"{split}_{term}"].to_numpy() for r in runs])
                epochs = runs[0]["epoch"].to_numpy()
                mean = values.mean(0)
                ax.plot(epochs, mean, style, color=color, label=f"{label} {split}")
                if len(runs) > 1:
                    std = values.std(0, ddof=1)
                    ax.fill_between(epochs, mean - std, mean + std, color=color, alpha=0.2)
    for ax, term in zip(axes, TERM_TITLES):
        ax.set_title(TERM_TITLES[term])
        ax.set_xlabel("epoch")
        ax.set_ylabel("nats per image")
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


def class_grid(samples, title: str = "Class-conditional samples (z ~ N(0, I))"):
    """Samples (10 n, 1, 28, 28), class-major: one class per row."""
    return image_grid(samples, rows=10, row_labels=CLASSES, title=title)


def reconstruction_grid(originals, reconstructions, per_class: int, title: str = "Reconstructions"):
    """Per class, a row of originals above the row of their reconstructions."""
    pairs = []
    for c in range(10):
        pairs += [originals[c * per_class:(c + 1) * per_class], reconstructions[c * per_class:(c + 1) * per_class]]
    labels = [lab for c in CLASSES for lab in (c, "  reconstructed")]
    return image_grid(torch.cat(pairs), rows=20, row_labels=labels, title=title, scale=0.8)


def show_pngs(paths: dict, cols: int = 2, width: float = 7.0):
    """Saved figures side by side, titled by the dict keys."""
    rows = int(np.ceil(len(paths) / cols))
    images = {k: plt.imread(v) for k, v in paths.items()}
    height = max(img.shape[0] / img.shape[1] for img in images.values()) * width
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, (title, img) in zip(axes.flat, images.items()):
        ax.imshow(img)
        ax.set_title(title)
    fig.tight_layout()
    return fig


def per_class_metrics(metrics: dict, reference: dict, title: str = ""):
    """Conditional accuracy against the classifier's accuracy, and Fréchet distance against its floor, per class."""
    fig, axes = plt.subplots(1, 2, figsize=(14, 3.6))
    x = np.arange(10)
    axes[0].bar(x - 0.2, metrics["conditional_accuracy_per_class"], 0.4, label="generated (conditional accuracy)")
    axes[0].bar(x + 0.2, reference["classifier_test_accuracy_per_class"], 0.4, label="real test images (ceiling)")
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


def metric_bars(table, columns: dict):
    """One small bar chart per metric: mean over seeds per architecture, error bar ± one std, seeds as dots."""
    n = len(columns)
    cols = min(n, 5)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.8 * rows), squeeze=False)
    archs = list(dict.fromkeys(table["architecture"]))
    for ax, (column, (label, lower_is_better)) in zip(axes.flat, columns.items()):
        groups = [table.loc[table.architecture == a, column].to_numpy(float) for a in archs]
        ax.bar(range(len(archs)), [g.mean() for g in groups],
               yerr=[g.std(ddof=1) if len(g) > 1 else 0 for g in groups], capsize=4, color=["C0", "C1", "C2"][:len(archs)])
        for i, g in enumerate(groups):
            ax.plot([i] * len(g), g, "k.", ms=4)
        ax.set_xticks(range(len(archs)), [a.upper() for a in archs])
        direction = "descriptive" if lower_is_better is None else f"{'lower' if lower_is_better else 'higher'} is better"
        ax.set_title(f"{label}\n({direction})", fontsize=9)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.tight_layout()
    return fig
