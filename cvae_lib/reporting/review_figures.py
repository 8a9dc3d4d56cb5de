"""Figures of the expert review: each method's trade-off curves over the prior temperature, in both judges' eyes.

Each function returns a matplotlib Figure (plots.save writes it); text sizes are chosen so that the figure
stays legible printed at the full text width (plots.legibility_problems).
"""
import matplotlib.pyplot as plt

from ..evaluation.review import JUDGES
from . import review_table

ORIGINAL_COLORS = {"mlp": "#333333", "conv": "#999999"}
"""the two original CVAEs, in greys: the baselines every other curve is read against"""
DISTINCT_COLORS = ("#7f0000", "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
                   "#7f7f7f", "#aec7e8")
"""the other methods' colours, one each in the figure's order (tab10's, the first a dark red): the first two and the
conv original's grey lie apart in greyscale print too (luminance about 38, 100 and 153 of 255); the backbone is told
by the line (MLP solid, conv dashed), and by the marker where a figure does not give each method its own"""
BACKBONE_STYLE = {"mlp": ("-", "o"), "conv": ("--", "s")}
CONV_DASHES = ("--", (0, (7, 2, 1.5, 2)), (0, (3, 1.5)))
"""the conv methods' dashes in a trade-off figure, one per method (cycled): dashed all, apart in greyscale print"""
METHOD_MARKERS = ("o", "s", "^", "v", "P", "X", "h", "<", ">")
"""one marker per method of a figure (cycled), so that its curves stay apart in greyscale print too"""
LOW_TAU_MARKER = "x"
"""marks each curve's lowest temperature, so the reader sees which way τ runs"""


def method_colors(methods) -> dict:
    """method -> colour: the originals grey, every other method its own colour of DISTINCT_COLORS (cycled past
    eleven), so that no two curves of one figure share a hue."""
    kinds = {m: review_table.describe_method(m) for m in methods}
    others = [m for m in methods if kinds[m]["name"] != "prior"]
    return {m: ORIGINAL_COLORS.get(kinds[m]["architecture"], "#333333") if kinds[m]["name"] == "prior"
            else DISTINCT_COLORS[others.index(m) % len(DISTINCT_COLORS)] for m in methods}


ENGLISH = {"classifier": "judge A", "judge": "judge B", "accuracy": "conditional accuracy",
           "fd": "Fréchet distance", "precision": "precision", "recall": "recall",
           "real": "real images", "real_accuracy": "real images' accuracy",
           "chosen": "operating point (chosen on the tuning reference)", "mlp_line": "MLP backbone (solid, circles)",
           "conv_line": "conv backbone (dashed, squares)", "tradeoff_mlp_line": "MLP backbone (solid)",
           "tradeoff_conv_line": "conv backbone (dashed)", "low_tau": "τ = 0.5 end of each curve",
           "wide_chosen": "lowest FD without the accuracy condition"}


FD_TICKS = (1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1000)


def log_axis(ax, low: float, high: float) -> None:
    """A logarithmic x-axis from ``low`` (the lowest point; a bar reaching further left is cut at the axis, so that a
    wide interval at a small FD does not stretch the axis over empty decades) to ``high`` (the data's, bars
    included), labelled with plain numbers (FD_TICKS within the range), no minor labels."""
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator, ScalarFormatter
    ax.set_xscale("log")
    low, high = low / 1.15, high * 1.15
    ax.set_xlim(low, high)
    ticks = [t for t in FD_TICKS if low <= t <= high] or [round(high, 1)]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_minor_formatter(NullFormatter())


def figure_methods(table: dict, n: int = 4) -> list:
    """The methods the trade-off figure draws, in the table's order: each backbone's original CVAE and the ``n``
    others first by the review's criterion (answer.by_criterion: validation scores at their chosen temperatures, a
    choice made without the test set); the review's table holds every method's numbers."""
    from .answer import by_criterion
    originals = [m for m in table["methods"] if m.endswith(" · prior") and len(m.split()) == 3]
    rest = [m for m in by_criterion(table) if m not in originals][:n]
    return [m for m in review_table.ordered(table["methods"]) if m in originals + rest]


def tradeoff_curves(methods: dict, labels: dict, real: dict, chosen: dict, words: dict = None,
                    reference: str = "test", wide: dict = None):
    """A 2 x 2 grid: one row per judge; accuracy against FD (left, FD on a log scale) and precision against
    recall (right), each method a line through its temperatures (mean over seeds, t-based 95 % intervals as bars), its operating point
    filled; the real images' accuracy as a dotted line (their FD, the floor, is near 0 on this scale) and their
    precision and recall as a star.

    ``methods``: method -> {run -> curve} (review_table.methods); ``labels``: method -> its name in the figure
    (methods without one are left out); ``real``: the review table's "real" scores; ``chosen``: method -> its
    operating temperature; ``words`` localizes the axis labels and legend (ENGLISH's keys); ``wide``: method -> the
    temperature FD alone would choose on the wide grid (no accuracy condition), drawn as a hollow diamond where it
    differs."""
    w = {**ENGLISH, **(words or {})}
    shown = [m for m in methods if m in labels]
    texts = [labels[m] for m in shown] + [w[k] for k in ("real_accuracy", "real", "chosen", "low_tau")]
    width = max(sum(2 if ord(c) > 0x2E80 else 1 for c in t) for t in texts)  # a CJK character is two wide
    ncol = 3 if width <= 34 else 2  # three columns of legend entries where they fit the figure's width
    legend_rows = -(-(len(shown) + 4 + bool(wide)) // ncol)
    height = 3.6 + 0.22 * legend_rows  # panels tall enough to part the curves near the top (readers: too flat)
    fig, axes = plt.subplots(2, 2, figsize=(7.4, height))
    colors = method_colors(shown)
    handles = []
    for row, judge in enumerate(JUDGES):
        for col, (x_q, y_q) in enumerate((("fd", "accuracy"), ("recall", "precision"))):
            ax = axes[row, col]
            reach, lowest = 0.0, float("inf")  # the methods' largest x, error bars included; smallest positive point
            for method in shown:
                curves = methods[method]
                kind = review_table.describe_method(method)
                linestyle = BACKBONE_STYLE.get(kind["architecture"], ("-", "o"))[0]
                if kind["architecture"] == "conv":  # dashed, each conv method its own dash
                    conv = [m for m in shown if review_table.describe_method(m)["architecture"] == "conv"]
                    linestyle = CONV_DASHES[conv.index(method) % len(CONV_DASHES)]
                marker = METHOD_MARKERS[shown.index(method) % len(METHOD_MARKERS)]  # the method's, not the backbone's
                style = {"color": colors[method], "linestyle": linestyle}
                xs = review_table.curve(curves, reference, judge, x_q)
                ys = review_table.curve(curves, reference, judge, y_q)
                reach = max([reach] + [x[1] + (x[2] if x[2] == x[2] else 0.0) for x in xs])  # one seed: no bar
                lowest = min([lowest] + [x[1] for x in xs if x[1] > 0])  # bars further left are cut at the axis
                line = ax.errorbar([x[1] for x in xs], [y[1] for y in ys], xerr=[x[2] for x in xs],
                                   yerr=[y[2] for y in ys], marker=marker, markersize=4, linewidth=1.2, capsize=0,
                                   elinewidth=0.6, label=labels[method], **style)
                for bars in line[2]:  # the intervals drawn light: the curves stay readable where they cross
                    bars.set_alpha(0.35)
                low = min(range(len(xs)), key=lambda i: xs[i][0])
                ax.plot(xs[low][1], ys[low][1], marker=LOW_TAU_MARKER, markersize=6, color="black",
                        markeredgewidth=1.0, linestyle="none", zorder=4)
                best = [i for i, x in enumerate(xs) if x[0] == chosen.get(method)]
                if best:
                    ax.plot(xs[best[0]][1], ys[best[0]][1], marker=marker, markersize=7, color=style["color"],
                            markeredgecolor="black", markeredgewidth=0.8, linestyle="none")
                moved = [i for i, x in enumerate(xs) if x[0] == (wide or {}).get(method) != chosen.get(method)]
                if moved:
                    ax.plot(xs[moved[0]][1], ys[moved[0]][1], marker="D", markersize=6, color="white",
                            markeredgecolor=style["color"], markeredgewidth=1.4, linestyle="none", zorder=5)
                if row == 0 and col == 0:
                    handles.append(line)
            point = real[reference][judge]
            if x_q == "fd":
                ax.axhline(point[y_q], color="black", linestyle=":", linewidth=1)
                log_axis(ax, lowest, reach)  # FD spans an order of magnitude: the crowded low end spread out
            else:  # at its true place, however far right of the methods it lies
                ax.plot(point[x_q], point[y_q], marker="*", markersize=11, color="gold", markeredgecolor="black",
                        linestyle="none", clip_on=False)
                ax.set_xlim(-0.02, max(reach, point[x_q]) * 1.06)
            ax.set_xlabel(w[x_q], fontsize=9)
            ax.set_ylabel(w[y_q], fontsize=9)
            ax.tick_params(labelsize=8)
            ax.grid(alpha=0.3, linewidth=0.5)
            if col == 0:
                ax.set_title(w[judge], fontsize=10, loc="left")
    extra = [axes[0, 0].plot([], [], color="black", linestyle=":", linewidth=1, label=w["real_accuracy"])[0],
             axes[0, 0].plot([], [], marker="*", markersize=11, color="gold", markeredgecolor="black",
                             linestyle="none", label=w["real"])[0],
             axes[0, 0].plot([], [], marker="o", markersize=8, color="white", markeredgecolor="black",
                             markeredgewidth=1.2, linestyle="none", label=w["chosen"])[0],  # hollow: no method's own
             axes[0, 0].plot([], [], marker=LOW_TAU_MARKER, markersize=6, color="black", markeredgewidth=1.0,
                             linestyle="none", label=w["low_tau"])[0]]
    if wide:
        extra.append(axes[0, 0].plot([], [], marker="D", markersize=6, color="white", markeredgecolor="black",
                                     markeredgewidth=1.4, linestyle="none", label=w["wide_chosen"])[0])
    fig.legend(handles=handles + extra, loc="lower center", ncol=ncol, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, (0.19 * legend_rows + 0.12) / height, 1, 1))
    return fig


def showcase_order(showcase: dict) -> list:
    """The methods of reviewing.load_showcase's dict in the figure's order: as stored (the original first), the best
    method last, beside its nearest training images."""
    methods = [m for m in showcase["images"] if m not in ("real", "nearest")]
    return sorted(methods, key=lambda m: m == showcase.get("best"))  # stable: the others keep their order


def showcase_columns(showcase: dict, labels: dict, real_label: str, nearest_label: str) -> tuple:
    """(blocks, names) for grids.method_columns from reviewing.load_showcase's dict: real test images, each
    method shown (showcase_order), then the best method's nearest training images."""
    methods = showcase_order(showcase)
    blocks = [showcase["images"]["real"], *(showcase["images"][m] for m in methods), showcase["images"]["nearest"]]
    return [b.float() for b in blocks], [real_label, *(labels[m] for m in methods), nearest_label]
