"""What a figure looks like on the printed page: text measured at print size, labels wrapped to a width, and
direct labels placed beside their points without overlapping one another."""
import re
from functools import lru_cache

import numpy as np

SIDE_MARGIN_CM, TOP_MARGIN_CM = 2.1, 1.8
"""the report's margins (templates/cvae_latex/index.tex.j2's geometry: left and right, top and bottom; a test holds
the template to these)"""
A4_TEXT_WIDTH_IN, A4_TEXT_HEIGHT_IN = (21.0 - 2 * SIDE_MARGIN_CM) / 2.54, (29.7 - 2 * TOP_MARGIN_CM) / 2.54
"""the report's text block (A4 less the margins), in inches"""
MIN_PRINTED_PT = 7.0
"""the smallest text a printed figure may hold (body text is 10 pt)"""
MAX_HEIGHT = 0.8
"""the largest share of the text height a figure may take (Document.figure's LaTeX sets the same)"""
FONT_PT = 8.0
"""the text size of the report's figures, built at the size they are printed"""
LINE_IN = 1.3 * FONT_PT / 72
"""the height of a line of figure text, in inches"""
SAVE_PAD_IN = 0.1
"""the white margin plots.save leaves around a figure's tight box, in inches (printed too)"""


def printed_width(fig) -> float:
    """The share of the text width at which a figure built at its print size is printed (at most all of it)."""
    return min(1.0, round(fig.get_figwidth() / A4_TEXT_WIDTH_IN, 2))


def legibility_problems(fig, width: float = 0.95, max_height: float = MAX_HEIGHT,
                        min_pt: float = MIN_PRINTED_PT) -> list:
    """What makes ``fig`` hard to read at the size the report prints it (``width`` of the text width, at most
    ``max_height`` of the text height, as Document.figure sets it): text smaller than ``min_pt`` points once
    scaled, and text whose boxes overlap. Saved with bbox_inches="tight", so the printed scale is the text
    block over the tight box and its margin."""
    from matplotlib.text import Text
    renderer, drawn = _draw_recording_text(fig)
    box = fig.get_tightbbox(renderer)
    scale = min(width * A4_TEXT_WIDTH_IN / (box.width + 2 * SAVE_PAD_IN),
                max_height * A4_TEXT_HEIGHT_IN / (box.height + 2 * SAVE_PAD_IN))
    frame = box.transformed(fig.dpi_scale_trans)
    shown = []
    for text in drawn:
        if not text.get_visible() or not text.get_text().strip() or text.get_alpha() == 0:
            continue
        extent = Text.get_window_extent(text, renderer)  # the text alone: an annotation's leader line may cross
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


def _draw_recording_text(fig) -> tuple:
    """Draws ``fig`` and returns its renderer and the text artists drawn, in order: a tick label outside the
    axis limits exists, visible, at a stale place, but is not drawn, and must not count."""
    from unittest import mock

    from matplotlib.text import Text
    drawn, draw = [], Text.draw

    def record(text, renderer):
        drawn.append(text)
        return draw(text, renderer)
    with mock.patch.object(Text, "draw", record):
        fig.canvas.draw()
    return fig.canvas.get_renderer(), list(dict.fromkeys(drawn))


@lru_cache(maxsize=4096)
def _line_width_in(text: str, size: float, family: tuple) -> float:
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties
    renderer = RendererAgg(10, 10, 72)  # at 72 dpi a pixel is a point
    width, _, _ = renderer.get_text_width_height_descent(text, FontProperties(family=list(family), size=size),
                                                         ismath="$" in text)
    return width / 72


def text_width_in(text: str, size: float = FONT_PT) -> float:
    """The width of ``text`` set at ``size`` points in the current fonts (rcParams), in inches; the widest line."""
    import matplotlib
    family = tuple(matplotlib.rcParams["font.family"])
    return max(_line_width_in(line, size, family) for line in text.split("\n"))


CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff]")
OPENING, CLOSING = "([（【「“", ")]）】」”"
NO_LINE_START = "、。，．：；！？" + CLOSING
RELATIONS = "=∼~≈≤≥<>"


def _break_points(text: str) -> list:
    """Where a line may break: after a full-width comma; outside brackets also after a space, slash or colon,
    before a full-width opening bracket and between CJK characters; never around a relation sign ("=", "∼"),
    before a number or before closing punctuation."""
    points, depth = [], 0
    for i, (a, b) in enumerate(zip(text, text[1:]), 1):
        depth += (a in OPENING) - (a in CLOSING)
        near = text[max(i - 2, 0):i + 2]
        if b in NO_LINE_START or any(r in near for r in RELATIONS) or (a == " " and b.isdigit()):
            continue
        if a in "，、；" or depth == 0 and (
                a in " /:：" or b in "（【「“" or (CJK.match(a) and CJK.match(b))):
            points.append(i)
    return points


def wrap_text(text: str, width_in: float, size: float = FONT_PT) -> str:
    """``text`` broken into as few lines at most ``width_in`` inches wide as it can be where it may break (a part
    wider than that stays whole), the lines made as even as that number allows."""
    lines = _greedy_lines(text, width_in, size)
    words = _greedy_lines(text, width_in, size, spaces=True)  # between words where that takes no more lines:
    spaces = len(words) == len(lines) and all(text_width_in(w, size) <= width_in for w in words)  # "原始卷积\nCVAE"
    low, high = 0.0, width_in
    for _ in range(12):  # the narrowest width that needs no more lines: even lines, no orphan word
        middle = (low + high) / 2
        if len(_greedy_lines(text, middle, size, spaces)) > len(lines):
            low = middle
        else:
            high = middle
    return "\n".join(_greedy_lines(text, high, size, spaces))


def _greedy_lines(text: str, width_in: float, size: float, spaces: bool = False) -> list:
    points = _break_points(text)
    if spaces:  # only the breaks at a space or after full-width punctuation, not inside a run of CJK characters
        points = [i for i in points if text[i - 1] in " ，、；/:：" or text[i] in "（【「“"]
    cuts = [0] + points + [len(text)]
    lines = []
    for piece in (text[a:b] for a, b in zip(cuts, cuts[1:])):
        if lines and text_width_in((lines[-1] + piece).rstrip(), size) <= width_in:
            lines[-1] += piece
        else:
            lines.append(piece.lstrip() if lines else piece)
    return [line.rstrip() for line in lines]


def place_labels(ax, anchors: list, labels: list, size: float = FONT_PT, marker_pt: float = 7.0, **text_kw) -> list:
    """Direct labels in ``ax``: label i is put at the nearest spot around one of its anchor points
    (``anchors[i]``: a point or several, data coordinates; e.g. both ends of a line) where it overlaps no other
    label, no anchor's marker and no text already in the axes, and stays inside them; a
    label set away from its point gets a thin leader line. Call it when the axes' limits and place on the
    figure are final. Returns the annotations."""
    from matplotlib.transforms import Bbox
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    anchors = [np.asarray(a, dtype=float).reshape(-1, 2) for a in anchors]
    points = np.concatenate(anchors)
    half, gap = marker_pt / 2 * fig.dpi / 72, 1.5 * fig.dpi / 72  # labels keep 1.5 pt apart
    markers = [Bbox.from_extents(x - half, y - half, x + half, y + half) for x, y in ax.transData.transform(points)]
    taken = [t.get_window_extent(renderer).padded(gap) for t in ax.texts if t.get_visible() and t.get_text().strip()]
    inside = ax.get_window_extent(renderer)
    firsts = ax.transData.transform(np.array([a[0] for a in anchors]).reshape(-1, 2))
    crowd = [-(np.hypot(*(firsts - p).T) < 40 * fig.dpi / 72).sum() for p in firsts]
    near = [(r, a) for r in (5, 10, 16, 24, 34, 46, 60, 76) for a in (0, 180, 30, -30, 150, -150, 90, -90, 60, -60,
                                                                        120, -120, 10, -10, 170, -170)]
    far = [(r, a) for r in range(94, 400, 18) for a in range(0, 360, 15)]  # when nothing near is free
    rings = [(r * np.cos(np.deg2rad(a)), r * np.sin(np.deg2rad(a))) for r, a in near + far]
    placed = [None] * len(labels)
    for i in np.argsort(crowd, kind="stable"):
        probe = ax.annotate(labels[i], anchors[i][0], xytext=(0, 0), textcoords="offset points", fontsize=size,
                            **text_kw)
        best = None
        for (dx, dy), anchor in ((ring, anchor) for ring in rings for anchor in anchors[i]):
            probe.xy = anchor
            probe.xyann = (dx, dy)
            probe.set_ha("left" if dx > 1 else "right" if dx < -1 else "center")
            probe.set_va("bottom" if dy > 1 else "top" if dy < -1 else "center")
            box = probe.get_window_extent(renderer)
            clash = sum(_overlap(box, other) for other in markers + taken) \
                + (not _within(box, inside)) * box.width * box.height
            if best is None or clash < best[0]:
                best = (clash, box, anchor, (dx, dy), probe.get_ha(), probe.get_va())
            if clash == 0:
                break
        probe.remove()
        _, box, anchor, (dx, dy), ha, va = best
        leader = {"arrowprops": {"arrowstyle": "-", "color": "0.4", "lw": 0.5, "shrinkA": 1, "shrinkB": 3}} \
            if np.hypot(dx, dy) > 7 else {}
        placed[i] = ax.annotate(labels[i], anchor, xytext=(dx, dy), textcoords="offset points", fontsize=size,
                                ha=ha, va=va, zorder=4, **leader, **text_kw)
        placed[i].set_in_layout(False)
        taken.append(box.padded(gap))
    return placed


def _overlap(a, b) -> float:
    width = min(a.x1, b.x1) - max(a.x0, b.x0)
    height = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(width, 0) * max(height, 0)


def _within(box, frame) -> bool:
    return frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
