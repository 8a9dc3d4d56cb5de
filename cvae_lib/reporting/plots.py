"""Figures for the report. Each function returns a matplotlib Figure; ``save`` writes it as PNG."""
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch

from ..base.data import CLASSES

TERM_TITLES = {"total": "total (−ELBO)", "reconstruction": "reconstruction (BCE)", "kl": "KL(q ‖ p)"}


def save(fig, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path


A4_TEXT_WIDTH_IN, A4_TEXT_HEIGHT_IN = (21.0 - 2 * 2.3) / 2.54, (29.7 - 2 * 2.2) / 2.54
"""the report's text block (templates/cvae_latex: A4, 2.3 cm side and 2.2 cm top and bottom margins), in inches"""
MIN_PRINTED_PT = 7.0
"""the smallest text a printed figure may hold (body text is 10 pt)"""


def legibility_problems(fig, width: float = 0.95, max_height: float = 0.8, min_pt: float = MIN_PRINTED_PT) -> list:
    """What makes ``fig`` hard to read at the size the report prints it (``width`` of the text width, at most
    ``max_height`` of the text height, as Document.figure sets it): text smaller than ``min_pt`` points once
    scaled, and text whose boxes overlap. Saved with bbox_inches="tight", so the printed scale is the text
    block over the tight box."""
    from matplotlib.text import Text
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.get_tightbbox(renderer)
    scale = min(width * A4_TEXT_WIDTH_IN / box.width, max_height * A4_TEXT_HEIGHT_IN / box.height)
    frame = box.transformed(fig.dpi_scale_trans)
    shown = []
    for text in fig.findobj(Text):
        if not text.get_visible() or not text.get_text().strip() or text.get_alpha() == 0:
            continue
        extent = text.get_window_extent(renderer)
        if extent.width > 0 and frame.contains((extent.x0 + extent.x1) / 2, (extent.y0 + extent.y1) / 2):
            shown.append((text, extent))
    problems = []
    small = sorted({(round(t.get_fontsize() * scale, 1), t.get_text()) for t, _ in shown
                    if t.get_fontsize() * scale < min_pt})
    if small:
        examples = ", ".join(repr(s) for _, s in small[:3])
        problems.append(f"text prints at {small[0][0]:g} pt (under {min_pt:g} pt) for {len(small)} label(s), "
                        f"e.g. {examples}")
    for i, (a, ea) in enumerate(shown):
        for b, eb in shown[i + 1:]:
            if ea.overlaps(eb.shrunk(0.9, 0.9)) and ea.shrunk(0.9, 0.9).overlaps(eb):
                problems.append(f"labels overlap: {a.get_text()!r} and {b.get_text()!r}")
    return problems


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


def method_columns(blocks: list, labels: list, classes=CLASSES, scale: float = 0.8):
    """Samples of several methods side by side: ``blocks`` are (10, n, 1, 28, 28) tensors (class c in row c),
    each labelled once above its first column."""
    per = blocks[0].shape[1]
    grid = torch.cat([b[:, :per] for b in blocks], dim=1).flatten(0, 1)
    col_labels = [label if i == 0 else "" for label in labels for i in range(per)]
    return image_grid(grid, rows=10, row_labels=classes, col_labels=col_labels, scale=scale)


def fidelity_coverage(points: dict, reference: dict = None, words: dict = None, markers: dict = None,
                      target: tuple = None):
    """Two panels over methods: precision against recall, and conditional accuracy against Fréchet distance.

    ``points``: label -> (precision, recall, accuracy, fd) means; ``reference``: label -> (accuracy, fd) lines
    drawn across the right panel (e.g. the classifier on real test images); ``words`` localizes the axis labels;
    ``markers``: label -> matplotlib marker (e.g. one per backbone; default a circle); ``target``: (accuracy at
    least, FD at most), shaded in the right panel and named w["target"]. Each point carries its
    number, and one legend below the panels names the numbers, so that labels of close points cannot overlap.
    """
    w = {"precision": "precision (fidelity)", "recall": "recall (coverage)", "accuracy": "conditional accuracy",
         "fd": "Fréchet distance (lower is better)", **(words or {})}
    legend_inches = 0.17 * ((len(points) + 2) // 3) + 0.1
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4 + legend_inches))
    colors = plt.get_cmap("tab20").colors
    handles = []
    for i, ((label, (precision, recall, accuracy, fd)), color) in enumerate(zip(points.items(), colors * 3), 1):
        marker = (markers or {}).get(label, "o")
        for ax, (x, y) in ((axes[0], (recall, precision)), (axes[1], (fd, accuracy))):
            handle = ax.scatter(x, y, color=color, marker=marker, s=40, edgecolor="black", linewidth=0.4,
                                label=f"{i}  {label}")
            ax.annotate(str(i), (x, y), textcoords="offset points", xytext=(4, 3), fontsize=7)
        handles.append(handle)
    for label, (accuracy, _) in (reference or {}).items():
        axes[1].axhline(accuracy, color="grey", ls=":", lw=1)
        axes[1].annotate(label, (axes[1].get_xlim()[0], accuracy), textcoords="offset points", xytext=(3, 3),
                         fontsize=8, color="grey")
    if target:
        left, right = axes[1].get_xlim()
        top = axes[1].get_ylim()[1]
        axes[1].fill_between([left, target[1]], target[0], top, color="C2", alpha=0.1, lw=0)
        axes[1].annotate(w.get("target", "target"), (target[1], top), textcoords="offset points", xytext=(-3, -10),
                         ha="right", fontsize=8, color="C2")
        axes[1].set_xlim(left, right)
        axes[1].set_ylim(top=top)
    axes[0].set_xlabel(w["recall"])
    axes[0].set_ylabel(w["precision"])
    axes[1].set_xlabel(w["fd"])
    axes[1].set_ylabel(w["accuracy"])
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, legend_inches / (4.4 + legend_inches), 1, 1))
    return fig


def temperature_curve(taus, accuracy, fd, lines: dict = None, words: dict = None):
    """Conditional accuracy and Fréchet distance of samples at each prior temperature (mean over seeds, with
    ± std bands when several), and horizontal lines for other samplers (label -> (accuracy, fd))."""
    w = {"tau": "temperature τ", "accuracy": "conditional accuracy", "fd": "Fréchet distance", **(words or {})}
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    taus = np.asarray(taus)
    for ax, values, key in ((axes[0], np.asarray(accuracy), "accuracy"), (axes[1], np.asarray(fd), "fd")):
        mean = values.mean(0)
        ax.plot(taus, mean, "o-", color="C0")
        if len(values) > 1:
            std = values.std(0, ddof=1)
            ax.fill_between(taus, mean - std, mean + std, color="C0", alpha=0.2)
        for (label, pair), color in zip((lines or {}).items(), ["C1", "C2", "C3", "C4"]):
            ax.axhline(pair[0 if key == "accuracy" else 1], color=color, ls="--", lw=1, label=label)
        ax.set_xlabel(w["tau"])
        ax.set_ylabel(w[key])
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig
