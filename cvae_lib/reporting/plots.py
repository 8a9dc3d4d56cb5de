"""Figures for the report (curves, scatter plots and bars; image grids are in grids.py). Each function returns a
matplotlib Figure built at the size it is printed: ``width`` is its share of the A4 text width (Document.figure
prints it so), and its text is FONT_PT points there. ``save`` writes a figure as PNG."""
import itertools
from functools import wraps
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ..base.data import CLASSES
from .legibility import A4_TEXT_WIDTH_IN, FONT_PT, LINE_IN, SAVE_PAD_IN, place_labels, wrap_text

TERM_TITLES = {"total": "total (−ELBO)", "reconstruction": "reconstruction (BCE)", "kl": "KL(q ‖ p)"}
PRINT_RC = {"font.size": FONT_PT, "axes.titlesize": FONT_PT + 1, "axes.labelsize": FONT_PT,
            "xtick.labelsize": FONT_PT, "ytick.labelsize": FONT_PT, "legend.fontsize": FONT_PT,
            "lines.linewidth": 1.2, "lines.markersize": 4, "axes.linewidth": 0.6, "grid.linewidth": 0.5}


def save(fig, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=220, bbox_inches="tight", pad_inches=SAVE_PAD_IN)
    return path


def printed(build):
    """Builds the figure with the text sizes of print (PRINT_RC)."""
    @wraps(build)
    def with_print_sizes(*args, **kwargs):
        with plt.rc_context(PRINT_RC):
            return build(*args, **kwargs)
    return with_print_sizes


ENGLISH = {"total": TERM_TITLES["total"], "reconstruction": TERM_TITLES["reconstruction"], "kl": TERM_TITLES["kl"],
           "train": "train", "test": "test", "epoch": "epoch", "nats": "nats per image", "curve_label": "{model} {split}"}


MARKERS = ("o", "s", "^", "D")  # one per model, so that curves differ in greyscale print as well as in colour


def _seed_band(ax, x, series: list, style: str, color, label=None, marker=None) -> tuple:
    """One curve per seed in ``series``, drawn as their mean with a band of ± one standard deviation where there are
    several (``marker``: a sparse marker along the mean); returns (mean, std), the std zero for one seed."""
    values = np.stack([np.asarray(s, dtype=float) for s in series])
    mean = values.mean(0)
    std = values.std(0, ddof=1) if len(values) > 1 else np.zeros_like(mean)
    ax.plot(x, mean, style, color=color, label=label, marker=marker, markevery=max(1, len(x) // 6), markersize=3)
    if len(values) > 1:
        ax.fill_between(x, mean - std, mean + std, color=color, alpha=0.2, lw=0)
    return mean, std


@printed
def loss_curves(histories: dict, title: str = "", words: dict = None, width: float = 0.95):
    """Train (solid) and test (dashed) curves, one panel per term, with y-limits set by the second half of
    training, so that the differences at the end show rather than the first epoch's drop.

    ``histories`` maps a label to one history DataFrame or to a list of them (seeds): several
    are drawn as their mean with a band of ± one standard deviation. ``words`` localizes the labels (ENGLISH's keys).
    """
    w = {**ENGLISH, **(words or {})}
    fig, axes = plt.subplots(1, 3, figsize=(width * A4_TEXT_WIDTH_IN, 2.3 + 0.3 * bool(title)))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    late = {term: [] for term in TERM_TITLES}
    for (label, runs), color, marker in zip(histories.items(), colors, itertools.cycle(MARKERS)):
        runs = runs if isinstance(runs, list) else [runs]
        epochs = runs[0]["epoch"].to_numpy()
        second_half = epochs >= epochs[len(epochs) // 2] if len(epochs) > 3 else epochs >= epochs[0]
        for ax, term in zip(axes, TERM_TITLES):
            for split, style in (("train", "-"), ("test", "--")):
                mean, std = _seed_band(ax, epochs, [r[f"{split}_{term}"] for r in runs], style, color,
                                       w["curve_label"].format(model=label, split=w[split]), marker)
                late[term] += [(mean - std)[second_half], (mean + std)[second_half]]
    for ax, term in zip(axes, TERM_TITLES):
        low, high = np.min(np.concatenate(late[term])), np.max(np.concatenate(late[term]))
        pad = 0.1 * (high - low) if high > low else 0.05 * abs(high) + 1e-3
        ax.set_ylim(low - pad, high + pad)
        ax.set_title(w[term])
        ax.set_xlabel(w["epoch"])
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(w["nats"])
    handles, labels = axes[0].get_legend_handles_labels()
    top = 1 - (LINE_IN + 0.1 + (LINE_IN + 0.05) * bool(title)) / fig.get_figheight()
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, top + LINE_IN / fig.get_figheight()),
               ncol=len(labels), frameon=False)
    if title:
        fig.suptitle(title, y=1)
    fig.tight_layout(rect=(0, 0, 1, top))
    return fig


@printed
def per_class_metrics(metrics: dict, reference: dict, title: str = "", width: float = 0.95):
    """Conditional accuracy against the classifier's accuracy, and Fréchet distance against its floor, per class
    (one bar pair per class, the class named on the left)."""
    fig, axes = plt.subplots(1, 2, figsize=(width * A4_TEXT_WIDTH_IN, 3.2), sharey=True)
    y = np.arange(10)
    axes[0].barh(y - 0.2, metrics["conditional_accuracy_per_class"], 0.4, label="generated (conditional accuracy)")
    axes[0].barh(y + 0.2, reference["classifier_test_accuracy_per_class"], 0.4, label="real test images")
    axes[0].set_xlabel("accuracy")
    axes[1].barh(y - 0.2, metrics["fd_per_class"], 0.4, label="generated vs test")
    axes[1].barh(y + 0.2, reference["fd_train_vs_test_per_class"], 0.4, label="train vs test (floor)")
    axes[1].set_xlabel("Fréchet distance")
    axes[0].set_yticks(y, CLASSES)
    axes[0].invert_yaxis()
    for ax in axes:
        ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, borderaxespad=0.2)
        ax.grid(axis="x", alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


@printed
def fidelity_coverage(points: dict, reference: dict = None, words: dict = None, markers: dict = None,
                      names: dict = None, width: float = 0.95):
    """Two panels over methods: precision against recall, and conditional accuracy against Fréchet distance.

    ``points``: label -> (precision, recall, accuracy, fd) means; ``reference``: label -> (accuracy, fd) lines
    drawn across the accuracy panel (e.g. the classifier on real test images); ``words`` localizes the axis
    labels; ``markers``: label -> matplotlib marker (e.g. one per backbone; default a circle); ``names``: label ->
    the method's name (default the label): points of one name (a method on two backbones) share a colour, are joined by a thin
    line and named once. Names are written beside a point of theirs, moved with a leader line where points
    crowd, so that no two overlap.
    """
    w = {"precision": "precision (fidelity)", "recall": "recall (coverage)", "accuracy": "conditional accuracy",
         "fd": "Fréchet distance (lower is better)", **(words or {})}
    names = [(names or {}).get(label, label) for label in points]
    methods = list(dict.fromkeys(names))
    palette = plt.get_cmap("tab20").colors
    colors = dict(zip(methods, (palette[::2] + palette[1::2]) * 3))
    values = np.array(list(points.values()), dtype=float).reshape(-1, 4)
    fig, axes = plt.subplots(2, 1, figsize=(width * A4_TEXT_WIDTH_IN, 5.4))
    for ax, (x, y) in ((axes[0], (1, 0)), (axes[1], (3, 2))):
        for method in methods:
            rows = values[[i for i, n in enumerate(names) if n == method]]
            ax.plot(rows[:, x], rows[:, y], "-", color=colors[method], lw=0.8, zorder=2)
        for label, name, row in zip(points, names, values):
            ax.scatter(row[x], row[y], color=colors[name], marker=(markers or {}).get(label, "o"), s=20,
                       edgecolor="black", linewidth=0.4, zorder=3)
        ax.set_xlim(*_padded(values[:, x], 0.1))
        ax.set_ylim(*_padded(values[:, y], 0.1))
        ax.grid(alpha=0.3)
    for label, (accuracy, _) in (reference or {}).items():  # the y-range takes the line in, its label inside the axes
        low, high = axes[1].get_ylim()
        axes[1].set_ylim(min(low, accuracy - 0.02), max(high, accuracy + 0.02))
        axes[1].axhline(accuracy, color="grey", ls=":", lw=1)
        axes[1].annotate(label, (1, accuracy), xycoords=("axes fraction", "data"), textcoords="offset points",
                         xytext=(-3, 2), ha="right", va="bottom", color="grey")
    axes[0].set_xlabel(w["recall"])
    axes[0].set_ylabel(w["precision"])
    axes[1].set_xlabel(w["fd"])
    axes[1].set_ylabel(w["accuracy"])
    fig.tight_layout(h_pad=1.0)
    shown = [wrap_text(method, 1.6, FONT_PT - 0.5) for method in methods]
    for ax, (x, y) in ((axes[0], (1, 0)), (axes[1], (3, 2))):
        ends = [values[[i for i, n in enumerate(names) if n == method]][:, [x, y]] for method in methods]
        place_labels(ax, ends, shown, size=FONT_PT - 0.5, linespacing=1.0)
    return fig


def _padded(values, share: float) -> tuple:
    low, high = float(np.min(values)), float(np.max(values))
    pad = share * (high - low) if high > low else 0.05 * abs(high) + 0.01
    return low - pad, high + pad


@printed
def temperature_curve(taus, accuracy, fd, lines: dict = None, words: dict = None, width: float = 0.95):
    """Conditional accuracy and Fréchet distance of samples at each prior temperature (mean over seeds, with
    ± std bands when several), and horizontal lines for other samplers (label -> (accuracy, fd))."""
    w = {"tau": "temperature τ", "accuracy": "conditional accuracy", "fd": "Fréchet distance", **(words or {})}
    fig, axes = plt.subplots(1, 2, figsize=(width * A4_TEXT_WIDTH_IN, 2.6))
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
    handles, labels = axes[0].get_legend_handles_labels()
    top = 1 - (LINE_IN + 0.1) / fig.get_figheight()
    if labels:
        fig.legend(handles, labels, loc="upper center", ncol=len(labels), frameon=False)
    fig.tight_layout(rect=(0, 0, 1, top if labels else 1))
    return fig


@printed
def aggregate_posterior(z, dims: list, titles: list, words: dict = None, width: float = 0.95):
    """Per latent dimension in ``dims`` a panel: the histogram of the codes ``z`` (N, latent) against the prior
    N(0, 1); ``titles`` name the panels (wrapped to their width), ``words`` the two curves in a legend above."""
    w = {"aggregate": "aggregate posterior", "prior": "prior N(0, 1)", "density": "density", **(words or {})}
    fig, axes = plt.subplots(1, len(dims), figsize=(width * A4_TEXT_WIDTH_IN, 2.0), squeeze=False, sharey=True)
    grid = np.linspace(-4, 4, 200)
    panel_in = width * A4_TEXT_WIDTH_IN / len(dims) - 0.1
    for ax, j, title in zip(axes[0], dims, titles):
        ax.hist(np.asarray(z[:, j]), bins=60, range=(-4.5, 4.5), density=True, alpha=0.6, label=w["aggregate"])
        ax.plot(grid, np.exp(-grid ** 2 / 2) / np.sqrt(2 * np.pi), "k", lw=1, label=w["prior"])
        ax.set_title(wrap_text(title, panel_in, FONT_PT + 1))
        ax.set_xticks([-4, 0, 4])  # three ticks: five ran together at the printed panel width
    axes[0, 0].set_ylabel(w["density"])  # one scale for every panel (shared)
    title_lines = max(t.get_text().count("\n") + 1 for t in (ax.title for ax in axes[0]))
    fig.set_figheight(1.7 + title_lines * LINE_IN)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=2, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 1 - (LINE_IN + 0.1) / fig.get_figheight()))
    return fig


@printed
def rate_distortion(rate, distortion, betas, words: dict = None, width: float = 0.62):
    """Rate (KL) against distortion (reconstruction) of a β sweep, one labelled point per β, with dashed lines of
    constant −ELBO (rate + distortion) through the best and the worst β, each named where it enters the plot (one
    line where the two would be too close to name apart)."""
    w = {"rate": "rate R = KL (nats)", "distortion": "distortion D = BCE (nats)", "beta": "β", **(words or {})}
    rate, distortion = np.asarray(rate, dtype=float), np.asarray(distortion, dtype=float)
    fig, ax = plt.subplots(figsize=(width * A4_TEXT_WIDTH_IN, 2.4))
    ax.plot(rate, distortion, "o-")
    totals = rate + distortion
    rates = np.linspace(0, rate.max() * 1.1, 50)
    levels = np.unique([totals.min(), totals.max()])
    for level in levels:
        ax.plot(rates, level - rates, "k--", lw=0.6, alpha=0.5)
    ax.set_xlim(*_padded(rate, 0.15))
    ax.set_ylim(distortion.min() - 5, distortion.max() + 5)
    (left, right), (bottom, top) = ax.get_xlim(), ax.get_ylim()
    named = []  # each dashed line named by its −ELBO where it enters the plot at its lower right, lines too close
    for level in levels:  # to the last one named left unnamed
        x = min(right, level - bottom)
        spot = ((x - left) / (right - left), (level - x - bottom) / (top - bottom))  # in axes fractions
        if left < x and bottom <= level - x <= top and all(abs(spot[0] - a) + abs(spot[1] - b) > 0.25 for a, b in named):
            named.append(spot)
            ax.annotate(f"{w.get('elbo', '−ELBO')} = {level:.0f}", (x, level - x), textcoords="offset points",
                        xytext=(-2, 2), ha="right", va="bottom", fontsize=FONT_PT - 0.5, color="0.35",
                        bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})
    ax.set_xlabel(w["rate"])
    ax.set_ylabel(w["distortion"])
    fig.tight_layout()
    place_labels(ax, np.stack([rate, distortion], 1), [f"{w['beta']} = {b:g}" for b in betas])
    return fig


@printed
def metrics_vs_beta(betas, panels: dict, words: dict = None, width: float = 0.95):
    """One panel per metric (title -> values at each β), against β on a log2 axis."""
    w = {"beta": "β", **(words or {})}
    fig, axes = plt.subplots(1, len(panels), figsize=(width * A4_TEXT_WIDTH_IN, 2.1), squeeze=False)
    panel_in = width * A4_TEXT_WIDTH_IN / len(panels) - 0.35
    for ax, (title, values) in zip(axes[0], panels.items()):
        ax.plot(betas, values, "o-")
        ax.set_xscale("log", base=2)
        ax.set_xticks(list(betas), [f"{b:g}" for b in betas])
        ax.minorticks_off()
        ax.set_xlabel(w["beta"])
        ax.set_title(wrap_text(title, panel_in, FONT_PT + 1))
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


@printed
def confusion(matrix, classes=CLASSES, words: dict = None, width: float = 0.7):
    """A confusion matrix (true class per row, predicted per column) with its counts written in the cells."""
    w = {"true": "true", "predicted": "predicted", **(words or {})}
    matrix = np.asarray(matrix)
    fig, ax = plt.subplots(figsize=(width * A4_TEXT_WIDTH_IN, width * A4_TEXT_WIDTH_IN * 0.95))
    ax.imshow(matrix, cmap="Blues")
    for (r, c), count in np.ndenumerate(matrix):
        ax.text(c, r, f"{count}", ha="center", va="center", fontsize=FONT_PT - 0.5,
                color="white" if count > matrix.max() / 2 else "black")
    ax.set_xticks(range(len(classes)), classes, rotation=90)
    ax.set_yticks(range(len(classes)), classes)
    ax.set_xlabel(w["predicted"])
    ax.set_ylabel(w["true"])
    fig.tight_layout()
    return fig


@printed
def gan_curves(runs: dict, words: dict = None, width: float = 0.8):
    """The VAE-GAN's adversarial losses on the training set per epoch, one panel per loss: the decoder's (left) and
    the discriminator's (right), one colour per backbone (``runs``: label -> history DataFrames; mean over seeds,
    band ± one std). Each panel has its loss's value where the discriminator cannot tell images apart (output 1/2:
    the decoder's 2 ln 2, the discriminator's 3 ln 2) dotted and named as a tick on its right, outside the plot: one
    loss and one reference line per panel, so that no line can be paired with another loss's curve."""
    w = {"adversarial": "adversarial loss (training)", "epoch": "epoch", "decoder": "decoder",
         "discriminator": "discriminator", "reference": "{n} ln 2", **(words or {})}
    fig, axes = plt.subplots(1, 2, figsize=(width * A4_TEXT_WIDTH_IN, 1.5))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, (who, column, n) in zip(axes, (("decoder", "train_generator_gan", 2), ("discriminator", "train_discriminator", 3))):
        for (model, histories), color, marker in zip(runs.items(), colors, itertools.cycle(MARKERS)):
            _seed_band(ax, histories[0]["epoch"].to_numpy(), [h[column] for h in histories], "-", color,
                       model if who == "decoder" else None, marker)
        level = n * np.log(2)
        ax.axhline(level, color="0.4", ls=":", lw=0.8)
        low, high = ax.get_ylim()
        ax.set_ylim(min(low, level - 0.1), max(high, level + 0.1))
        right = ax.twinx()  # the line's value as a tick outside the plot, where no curve runs beside it
        right.set_ylim(ax.get_ylim())
        right.set_yticks([level])
        right.set_yticklabels([w["reference"].format(n=n)], fontsize=FONT_PT - 0.5, color="0.35")
        right.tick_params(length=0)
        ax.set_title(w[who], fontsize=FONT_PT)
        ax.set_xlabel(w["epoch"])
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(wrap_text(w["adversarial"], 1.0, FONT_PT))
    handles, labels = axes[0].get_legend_handles_labels()
    top = 1 - (LINE_IN + 0.12) / fig.get_figheight()  # the backbones' colours in one row above both panels
    fig.legend(handles, labels, loc="upper center", ncol=len(handles), frameon=False, columnspacing=1.0, handlelength=1.6)
    fig.tight_layout(rect=(0, 0, 1, top))
    return fig
