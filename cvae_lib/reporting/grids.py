"""Image grids for the report: samples, reconstructions and interpolations, one panel per model or method,
built at the size they are printed (``width`` of the A4 text width, as plots' figures) with FONT_PT labels that
wrap to the columns they name."""
import matplotlib.pyplot as plt
import numpy as np
import torch

from ..base.data import CLASSES
from .legibility import A4_TEXT_HEIGHT_IN, A4_TEXT_WIDTH_IN, FONT_PT, LINE_IN, MAX_HEIGHT, text_width_in, wrap_text


def _mosaic(images, rows: int) -> np.ndarray:
    """Images (N, 1, 28, 28), row-major in ``rows`` rows, as one picture with a white gutter between them."""
    images = images.detach().cpu().float().numpy()[:, 0]
    cols = int(np.ceil(len(images) / rows))
    gutter = 2
    side = images.shape[-1] + gutter
    picture = np.zeros((rows * side - gutter, cols * side - gutter))
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        picture[r * side:r * side + image.shape[0], c * side:c * side + image.shape[1]] = image
    return picture


def _spans(col_labels: list) -> list:
    """(label, first column, number of columns): a label spans the empty labels that follow it."""
    spans = []
    for i, label in enumerate(col_labels):
        if label or not spans:
            spans.append([label, i, 1])
        else:
            spans[-1][2] += 1
    return [tuple(s) for s in spans if s[0]]


def image_panels(panels: dict, rows: int, row_labels=None, col_labels=None, width: float = 0.95, gap: float = 0.12,
                 title_style: dict = None):
    """Image grids side by side, one per entry of ``panels`` (title -> images (N, 1, 28, 28), row-major in
    ``rows`` rows), sharing the row labels drawn left of the first; ``col_labels`` (one per column, a label
    spanning the empty ones after it) are drawn over every panel. The images are as large as ``width`` of the
    text width (and 0.8 of its height) allow; labels wrap to the columns they name. ``title_style``: the
    titles' size and weight (default bold, a point larger than the labels)."""
    style = {"fontsize": FONT_PT + 1, "fontweight": "bold", **(title_style or {})}
    cols = [int(np.ceil(len(images) / rows)) for images in panels.values()]
    total_in = width * A4_TEXT_WIDTH_IN
    label_in = 0.0
    if row_labels is not None:
        label_in = min(max(text_width_in(str(label)) for label in row_labels), 0.3 * total_in)
        row_labels = [wrap_text(str(label), label_in) for label in row_labels]
        label_in = max(text_width_in(label) for label in row_labels) + 0.08
    cell = (total_in - label_in - gap * (len(panels) - 1) - 0.02) / sum(cols)

    def head(cell):
        titles = [wrap_text(t, cell * n, style["fontsize"]) for t, n in zip(panels, cols)]
        spans = [(wrap_text(label, cell * n - 0.04), first, n) for label, first, n in _spans(col_labels or [])]
        title_lines = max([t.count("\n") + 1 for t in titles if t] or [0])
        span_lines = max([s[0].count("\n") + 1 for s in spans] or [0])
        height = title_lines * 1.3 * style["fontsize"] / 72 + span_lines * LINE_IN
        return titles, spans, height + (4 * bool(title_lines) + 2 * bool(span_lines)) / 72
    titles, spans, head_in = head(cell)
    height_limit = MAX_HEIGHT * A4_TEXT_HEIGHT_IN - 0.05
    if rows * cell + head_in > height_limit:
        cell = (height_limit - head_in) / rows
        titles, spans, head_in = head(cell)
    fig_w = label_in + cell * sum(cols) + gap * (len(panels) - 1) + 0.02
    fig_h = rows * cell + head_in + 0.02
    fig = plt.figure(figsize=(fig_w, fig_h))
    left = label_in
    for k, (images, n, wrapped) in enumerate(zip(panels.values(), cols, titles)):
        ax = fig.add_axes((left / fig_w, 0.01 / fig_h, n * cell / fig_w, rows * cell / fig_h))
        ax.imshow(_mosaic(images, rows), cmap="gray_r", vmin=0, vmax=1, aspect="auto",
                  extent=(0, n, rows, 0), interpolation="antialiased")
        ax.set_axis_off()
        top = 0
        for label, first, span in spans:
            ax.annotate(label, (first + span / 2, 0), xytext=(0, 2), textcoords="offset points", ha="center",
                        va="bottom", fontsize=FONT_PT, annotation_clip=False)
            top = max(top, label.count("\n") + 1)
        if wrapped:
            ax.annotate(wrapped, (n / 2, 0), xytext=(0, 4 + top * LINE_IN * 72), textcoords="offset points",
                        ha="center", va="bottom", annotation_clip=False, **style)
        if k == 0 and row_labels is not None:
            for r, label in enumerate(row_labels):
                ax.annotate(label, (0, r + 0.5), xytext=(-4, 0), textcoords="offset points", ha="right",
                            va="center", fontsize=FONT_PT, annotation_clip=False)
        left += n * cell + gap
    return fig


def image_grid(images, rows: int, row_labels=None, title: str = "", col_labels=None, width: float = 0.95):
    """Images (N, 1, 28, 28), row-major in ``rows`` rows, with optional row and column labels."""
    return image_panels({title: images}, rows, row_labels, col_labels, width)


def class_grid(samples, title: str = "", classes=CLASSES, col_labels=None, width: float = 0.7):
    """Samples (10 n, 1, 28, 28), class-major: one class per row."""
    return image_grid(samples, rows=10, row_labels=classes, title=title, col_labels=col_labels, width=width)


def _interleave(originals, reconstructions, per_class: int):
    rows = []
    for c in range(10):
        rows += [originals[c * per_class:(c + 1) * per_class], reconstructions[c * per_class:(c + 1) * per_class]]
    return torch.cat(rows)


def side_by_side(originals, reconstructions, per_class: int, classes=CLASSES, col_labels=None, width: float = 0.95):
    """Per class one row: ``per_class`` originals, then their reconstructions (class-major inputs)."""
    return image_grid(_interleave(originals, reconstructions, per_class), rows=10, row_labels=classes,
                      col_labels=col_labels, width=width)


def samples_by_model(samples: dict, classes=CLASSES, width: float = 0.95):
    """Class-conditional samples of several models side by side (title -> (10 n, 1, 28, 28), class-major)."""
    return image_panels(samples, rows=10, row_labels=classes, width=width)


def reconstructions_by_model(originals, reconstructions: dict, per_class: int, classes=CLASSES, col_labels=None,
                             width: float = 0.95):
    """Per model a panel whose row c holds ``per_class`` originals of class c, then the model's reconstructions
    (title -> (10 per_class, 1, 28, 28), class-major)."""
    panels = {title: _interleave(originals, recon, per_class) for title, recon in reconstructions.items()}
    return image_panels(panels, rows=10, row_labels=classes, col_labels=col_labels, width=width)


def interpolations_by_model(paths: dict, row_labels: list, width: float = 1.0):
    """Per model a panel of interpolations, one path per row (title -> (rows * steps, 1, 28, 28), row-major)."""
    return image_panels(paths, rows=len(row_labels), row_labels=row_labels, width=width)


def method_columns(blocks: list, labels: list, classes=CLASSES, width: float = 0.95, per_class: int = None):
    """Samples of several methods side by side: ``blocks`` are (10, n, 1, 28, 28) tensors (class c in row c),
    each titled by its label (wrapped to its columns); the first ``per_class`` of each (all the blocks share,
    where None): fewer columns, larger images."""
    per = min(b.shape[1] for b in blocks) if per_class is None else min(per_class, *(b.shape[1] for b in blocks))
    panels = {label: b[:, :per].flatten(0, 1) for label, b in zip(labels, blocks)}
    return image_panels(panels, rows=10, row_labels=classes, width=width, gap=0.06,
                        title_style={"fontsize": FONT_PT, "fontweight": "normal"})


def method_rows(blocks: list, labels: list, classes=CLASSES, width: float = 0.95, per_class: int = 2):
    """Samples of several methods one above the other: ``blocks`` as method_columns', one row per method titled by its
    label, ``per_class`` samples of each class side by side under the class's name (a figure far less tall than
    method_columns' for many methods)."""
    per = min(per_class, *(b.shape[1] for b in blocks))
    images = torch.cat([b[:, :per].flatten(0, 1) for b in blocks])
    col_labels = [name if i == 0 else "" for name in classes for i in range(per)]  # each name over its samples
    return image_grid(images, rows=len(blocks), row_labels=labels, col_labels=col_labels, width=width)


def views_by_model(originals, reconstructions: dict, ends, paths: dict, titles: tuple, first_label: str,
                   width: float = 0.9):
    """Two panels with one row per model (name -> images) under a first row of inputs: left, each model's
    reconstructions of ``originals`` (N, 1, 28, 28); right, each model's interpolation path (steps, 1, 28, 28),
    whose first row shows the path's two end images ``ends`` (2, 1, 28, 28) with blank steps between them."""
    steps = len(next(iter(paths.values())))
    first = torch.zeros(steps, *ends.shape[1:])
    first[0], first[-1] = ends[0], ends[-1]
    names = list(reconstructions)
    panels = {titles[0]: torch.cat([originals, *(reconstructions[n] for n in names)]),
              titles[1]: torch.cat([first, *(paths[n] for n in names)])}
    return image_panels(panels, rows=len(names) + 1, row_labels=[first_label, *names], width=width)
