"""Figures checked for what a printed page makes of them: every figure a Document shows, built on small synthetic
inputs in both languages (Chinese labels are set in Noto Sans CJK and run wider), prints no text under 7 pt and no
overlapping labels at the width it is printed at."""
import re

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from pathlib import Path
import torch

from cvae_lib.reporting import grids, names, plots
from cvae_lib.reporting.document import fill, texts, use_language_fonts
from cvae_lib.reporting.legibility import (A4_TEXT_WIDTH_IN, legibility_problems, place_labels, printed_width,
                                           text_width_in, wrap_text)


class Inputs:
    """Synthetic inputs shaped as the notebooks' (random images, falling loss curves), labelled in ``language``."""

    def __init__(self, language: str):
        self.words = texts(language)["words"]
        self.classes = self.words["classes"]
        self.generator = torch.Generator().manual_seed(0)

    def W(self, key: str, **values) -> str:
        return fill(self.words[key], values)

    def images(self, n: int):
        return torch.rand(n, 1, 28, 28, generator=self.generator)

    def blocks(self, count: int, per: int = 3) -> list:
        return [self.images(10 * per).view(10, per, 1, 28, 28) for _ in range(count)]

    @staticmethod
    def history(epochs: int, offset: float, seed: int = 0):
        rng = np.random.default_rng(seed)
        epoch = np.arange(1, epochs + 1)
        columns = {"epoch": epoch}
        for split in ("train", "test"):
            for term, final in (("reconstruction", 222.0), ("kl", 13.0)):
                columns[f"{split}_{term}"] = final + offset / 2 + 40 / epoch + rng.normal(0, 0.2, epochs)
            columns[f"{split}_total"] = columns[f"{split}_reconstruction"] + columns[f"{split}_kl"]
        return pd.DataFrame(columns)

    def methods(self) -> tuple:
        """The extension section's 18 method labels (11 MLP, 7 conv), and label -> method name."""
        keys = [("prior", 1.0), ("temperature", 1.0), ("gmm", 1.0), ("two_stage", 1.0), ("vampprior", 1.0),
                ("vaegan", 1.0), ("vaegan_temperature", 1.0), ("vaegan_gmm", 1.0), ("vaegan", 0.1),
                ("vaegan_temperature", 0.1), ("vaegan_gmm", 0.1)]
        conv_keys = keys[:4] + keys[8:]
        labels = names.method_labels([("mlp", *k) for k in keys] + [("conv", *k) for k in conv_keys], self.W, 0.7)
        mlp = [labels[("mlp", *k)] for k in keys]
        conv_methods = [labels[("mlp", *k)] for k in conv_keys]
        conv = [labels[("conv", *k)] for k in conv_keys]
        return mlp + conv, dict(zip(mlp + conv, mlp + conv_methods))


FIDELITY = np.array([[.904, .10, .795, 180], [.927, .02, .819, 229], [.930, .04, .866, 122], [.920, .05, .817, 183],
                     [.932, .08, .846, 110], [.788, .36, .703, 156], [.905, .15, .822, 183], [.951, .175, .898, 66],
                     [.636, .455, .800, 95], [.772, .225, .880, 94], [.959, .175, .909, 55], [.891, .103, .821, 160],
                     [.924, .02, .825, 200], [.922, .05, .866, 120], [.905, .05, .820, 163], [.692, .675, .890, 29],
                     [.869, .425, .951, 38], [.958, .235, .931, 39]])
"""precision, recall, accuracy, FD of the 18 extension methods as the committed runs measured them: crowded"""


def fidelity(inp: Inputs, values=FIDELITY):
    labels, methods = inp.methods()
    return plots.fidelity_coverage(dict(zip(labels, map(tuple, values))), {inp.W("real_test_images"): (0.917, 2.0)},
                                   {k: inp.W("fc_" + k) for k in ("precision", "recall", "accuracy", "fd")},
                                   markers={label: "s" for label in labels[11:]}, names=methods)


def interpolation_names(inp: Inputs) -> list:
    pairs = [(7, 7), (0, 0), (1, 3), (5, 9), (2, 8)]
    return [f"{inp.classes[a]} → {inp.classes[b]}" for a, b in pairs] + [f"z({inp.classes[9]}) → y"]


REPORT_FIGURES = {
    "loss_curves": (0.85, lambda i: plots.loss_curves(
        {i.W("mlp"): [i.history(50, 0.5, s) for s in range(3)], i.W("conv"): [i.history(50, 0.0, s) for s in range(3)]},
        words={k: i.W(k) for k in ("total", "reconstruction", "kl", "train", "test", "epoch", "nats")}, width=0.85)),
    "samples": (0.78, lambda i: grids.samples_by_model({i.W("mlp"): i.images(100), i.W("conv"): i.images(100)},
                                                       i.classes, width=0.78)),
    "reconstruction": (0.78, lambda i: grids.reconstructions_by_model(
        i.images(40), {i.W("mlp"): i.images(40), i.W("conv"): i.images(40)}, 4, i.classes,
        col_labels=[i.W("original")] + [""] * 3 + [i.W("reconstructed")] + [""] * 3, width=0.78)),
    "interpolation": (0.85, lambda i: grids.interpolations_by_model({i.W("mlp"): i.images(60), i.W("conv"): i.images(60)},
                                                                   interpolation_names(i), width=0.85)),
    "showcase": (0.75, lambda i: grids.method_columns(i.blocks(5, 3), i.methods()[0][11:16], i.classes, width=0.75,
                                                     per_class=3)),
    "aggregate_posterior": (0.8, lambda i: plots.aggregate_posterior(
        torch.randn(2000, 64, generator=i.generator), [3, 17, 5, 60, 2],
        [i.W("dim_title", j=j, kl=kl) for j, kl in ((3, 2.31), (17, 1.92), (5, 1.5), (60, 0.0), (2, 0.0))],
        {k: i.W(k) for k in ("aggregate", "prior")}, width=0.8)),
    "decoder_mean_vs_sample": (0.85, lambda i: grids.image_grid(
        i.images(30), rows=3, row_labels=[i.W("decoder_mean"), i.W("decoder_sample"), i.W("real_image")],
        col_labels=i.classes, width=0.85)),
    "rate_distortion": (0.52, lambda i: plots.rate_distortion([21.2, 13.4, 7.9, 4.7, 2.5], [218, 223, 231, 240, 253],
                                                              [0.5, 1, 2, 4, 8],
                                                              {k: i.W(k) for k in ("rate", "distortion", "beta")},
                                                              width=0.52)),
    "extension_samples": (0.95, lambda i: grids.method_rows(
        i.blocks(7, 3), [names.in_figure(n, i.W("mlp")) for n in i.methods()[0][:7]], i.classes)),  # en's width
    "extension_samples, zh's width": (0.85, lambda i: grids.method_rows(
        i.blocks(7, 3), [names.in_figure(n, i.W("mlp")) for n in i.methods()[0][:7]], i.classes, width=0.85)),
    "extension_samples_conv": (0.95, lambda i: grids.method_columns(i.blocks(7, 4), i.methods()[0][11:], i.classes)),
    "extension_views": (0.95, lambda i: grids.views_by_model(
        i.images(6), {n: i.images(6) for n in i.methods()[0][:1] + i.methods()[0][4:5] + i.methods()[0][8:9]
                      + i.methods()[0][11:12] + i.methods()[0][15:16]}, i.images(2),
        {n: i.images(8) for n in i.methods()[0][:1] + i.methods()[0][4:5] + i.methods()[0][8:9]
         + i.methods()[0][11:12] + i.methods()[0][15:16]},
        (i.W("views_recon"), i.W("views_path", a=i.classes[5], b=i.classes[9])), i.W("views_inputs"), width=0.95)),
    "gan_curves": (0.8, lambda i: plots.gan_curves(
        {i.W("mlp"): [_gan_history(50, 0, 2.7, 1.7, 248.0)], i.W("conv"): [_gan_history(50, 1, 2.5, 1.8, 249.0)]},
        {"adversarial": i.W("gan_adversarial"), "epoch": i.W("epoch"), "decoder": i.W("gan_decoder"),
         "discriminator": i.W("gan_discriminator")}, width=0.8)),
    "fidelity_coverage": (0.95, fidelity),
    "fidelity_coverage, every method at one point": (0.95, lambda i: fidelity(i, np.tile(FIDELITY[:1], (18, 1)))),
}
"""the report's figures, as report.ipynb builds them, with the width it prints them at (Document.figure's default:
the width they are built at)"""

PAGE_FIGURES = {
    "train: loss curves after one epoch": (0.95, lambda i: plots.loss_curves({"MLP": i.history(1, 0.0)})),
    "train: generation": (0.7, lambda i: grids.class_grid(i.images(100))),
    "train: reconstruction": (0.95, lambda i: grids.side_by_side(
        i.images(80), i.images(80), 8, col_labels=["original"] + [""] * 7 + ["reconstructed"] + [""] * 7)),
    "train: interpolation": (0.95, lambda i: grids.image_grid(i.images(50), rows=5,
                                                              row_labels=interpolation_names(i)[:5])),
    "train: label swap": (0.95, lambda i: grids.image_grid(i.images(11), rows=1, col_labels=["input"] + i.classes)),
    "train: per-class metrics": (0.95, lambda i: plots.per_class_metrics(
        {"conditional_accuracy_per_class": np.linspace(0.5, 1, 10), "fd_per_class": np.linspace(50, 300, 10)},
        {"classifier_test_accuracy_per_class": np.linspace(0.7, 1, 10), "fd_train_vs_test_per_class": np.ones(10)})),
    "classifier: confusion": (0.7, lambda i: plots.confusion(np.arange(100).reshape(10, 10) * 10, i.classes)),
    "extensions: temperature": (0.95, lambda i: plots.temperature_curve(
        [0.5, 0.7, 0.85, 1.0], [[.93, .9, .86, .8], [.92, .9, .85, .79]], [[120, 95, 110, 180], [125, 96, 112, 185]],
        {"seed CVAE": (0.8, 180), "per-class GMM": (0.86, 122)})),
    "sweep: rate-distortion, two close runs": (0.62, lambda i: plots.rate_distortion([13.4, 13.0], [223, 223.5], [1, 4])),
    "sweep: metrics against beta": (0.95, lambda i: plots.metrics_vs_beta(
        [0.5, 1, 2, 4, 8], {"active units": [18, 13, 8, 6, 3], "conditional accuracy": [.75, .8, .81, .81, .78],
                            "Fréchet distance": [187, 178, 196, 229, 281], "test −IWAE (nats)": [233, 234, 237, 243, 252],
                            "accuracy on reconstructions": [.86, .85, .83, .8, .74]})),
}
"""figures of the other pages that show theirs through Document.figure (which refuses an illegible one)"""


@pytest.fixture(params=["en", "zh"])
def inputs(request):
    with matplotlib.rc_context():
        use_language_fonts(request.param)
        yield Inputs(request.param)
    plt.close("all")


@pytest.mark.parametrize("name", list(REPORT_FIGURES) + list(PAGE_FIGURES))
def test_every_figure_is_legible_at_the_width_it_is_printed(inputs, name):
    width, build = {**REPORT_FIGURES, **PAGE_FIGURES}[name]
    fig = build(inputs)
    assert printed_width(fig) == width  # built at its print size, so Document.figure prints it at this width
    assert legibility_problems(fig, width) == []


def test_legibility_catches_a_4_pt_label_overlapping_labels_and_a_figure_printed_smaller():
    fig, ax = plt.subplots(figsize=(0.95 * A4_TEXT_WIDTH_IN, 2.5))
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("epoch", fontsize=8)
    assert legibility_problems(fig, 0.95) == []  # printed at the size it was built: 8 pt stays 8 pt
    ax.text(0.1, 0.8, "tiny", fontsize=4)  # a little larger in print, as saving crops the figure's white margin
    problems = legibility_problems(fig, 0.95)
    assert len(problems) == 1 and re.fullmatch(r"text prints at 4\.\d pt \(under 7 pt\) for 1 label\(s\), e\.g\. 'tiny'",
                                               problems[0])
    ax.texts[0].remove()
    ax.text(0.5, 0.5, "first label")
    ax.text(0.52, 0.5, "second label")
    assert legibility_problems(fig, 0.95) == ["labels overlap: 'first label' and 'second label'"]
    big, ax2 = plt.subplots(figsize=(24, 12))  # four times wider than print: 10 pt prints at about 3 pt
    ax2.plot([0, 1], [0, 1])
    ax2.set_xlabel("epoch", fontsize=10)
    problems = legibility_problems(big)
    assert len(problems) == 1 and "text prints at 3." in problems[0] and "under 7 pt" in problems[0]
    plt.close("all")


def test_the_loss_curves_show_the_final_gap_not_the_first_epochs_drop():
    mlp, conv = Inputs.history(50, 0.5), Inputs.history(50, 0.0)
    fig = plots.loss_curves({"MLP": mlp, "conv": conv})
    low, high = fig.axes[0].get_ylim()
    finals = [h.test_total.iloc[-1] for h in (mlp, conv)] + [h.train_total.iloc[-1] for h in (mlp, conv)]
    assert low < min(finals) and max(finals) < high and high - low < 10
    assert mlp.train_total.iloc[0] > high + 50  # the first epoch's 80 nats more are left off the scale
    plt.close(fig)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_wrapped_labels_fit_their_width_and_keep_formulas_whole(language):
    with matplotlib.rc_context():
        use_language_fonts(language)
        texts_ = ["seed CVAE, z ∼ N(0, I)", "VAE-GAN (γ = 0.1) at τ = 0.7", "dim 22: KL 2.19 nats",
                  *texts(language)["words"]["classes"]]
        texts_ += ["卷积 + VAE-GAN（γ = 0.1，τ = 0.7）", "逐类 GMM（事后拟合）"] if language == "zh" else []
        for text in texts_:
            wrapped = wrap_text(text, 0.8)
            assert wrapped.replace("\n", "").replace(" ", "") == text.replace(" ", "")
            for kept in ("N(0, I)", "γ = 0.1", "τ = 0.7", "KL 2.19"):
                assert (kept in text) <= (kept in wrapped)
            assert all(text_width_in(line) <= 0.8 or wrap_text(line, 0.8) == line for line in wrapped.split("\n"))
        assert wrap_text("Ankle boot", 5.0) == "Ankle boot"
        if language == "zh":
            assert wrap_text("逐类 GMM（事后拟合）", 0.8) == "逐类 GMM\n（事后拟合）"
            # a break between words, where one is as good as a break inside a run of CJK characters
            assert wrap_text("原始卷积 CVAE", 0.6) == "原始卷积\nCVAE"
            assert wrap_text("卷积两阶段 VAE", 0.6) == "卷积两阶段\nVAE"


def test_direct_labels_of_points_on_one_spot_do_not_overlap():
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.scatter([0.5] * 10, [0.5] * 10)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    labels = place_labels(ax, [(0.5, 0.5)] * 10, [f"method number {k}" for k in range(10)])
    assert np.allclose([t.xy for t in labels], 0.5) and legibility_problems(fig, 0.62) == []
    plt.close(fig)


def test_the_views_figure_puts_the_inputs_first_and_one_row_per_model():
    inputs, ends = torch.rand(6, 1, 28, 28), torch.rand(2, 1, 28, 28)
    recon = {"A": torch.full((6, 1, 28, 28), 0.25), "B": torch.full((6, 1, 28, 28), 0.75)}
    paths = {"A": torch.full((8, 1, 28, 28), 0.5), "B": torch.ones(8, 1, 28, 28)}
    fig = grids.views_by_model(inputs, recon, ends, paths, ("recon", "path"), "inputs")
    left, right = (ax.get_images()[0].get_array() for ax in fig.axes)
    side = 30  # 28 pixels and the 2-pixel gutter
    assert left.shape == (3 * side - 2, 6 * side - 2) and right.shape == (3 * side - 2, 8 * side - 2)
    assert np.array_equal(left[:28, :28], inputs[0, 0].numpy())  # first row: the inputs, then A's, then B's
    assert (left[side:side + 28, :28] == 0.25).all() and (left[2 * side:, :28] == 0.75).all()
    assert np.array_equal(right[:28, :28], ends[0, 0].numpy())  # the path's ends, blank steps between them
    assert np.array_equal(right[:28, 7 * side:], ends[1, 0].numpy()) and (right[:28, side:7 * side] == 0).all()
    assert (right[side:side + 28, :28] == 0.5).all() and (right[2 * side:, 7 * side:] == 1).all()
    assert [t.get_text() for t in fig.axes[0].texts if t.get_text() in ("inputs", "A", "B")] == ["inputs", "A", "B"]
    plt.close(fig)


def _gan_history(epochs: int, seed: int, generator: float, discriminator: float, elbo: float):
    """A VAE-GAN's history: −ELBO falling to ``elbo`` (the first epoch 80 nats higher), adversarial losses levelling
    off at ``generator`` and ``discriminator``."""
    rng = np.random.default_rng(seed)
    epoch = np.arange(1, epochs + 1)
    return pd.DataFrame({"epoch": epoch, "test_total": elbo + 80 / epoch + rng.normal(0, 0.2, epochs),
                         "train_generator_gan": generator + 1 / epoch, "train_discriminator": discriminator - 0.3 / epoch})


def test_the_gan_curves_show_each_loss_in_its_own_panel_with_where_the_discriminator_would_be_lost():
    runs = {name: [_gan_history(50, s, g, d, 248.0) for s in range(3)] for name, g, d in (("MLP", 2.7, 1.7),
                                                                                         ("conv", 2.5, 1.8))}
    fig = plots.gan_curves(runs, width=0.8)
    panels = [ax for ax in fig.axes if ax.get_title()]  # the two losses' panels, titled; the others: their right axes
    assert [ax.get_title() for ax in panels] == ["decoder", "discriminator"]
    for ax, final, n in zip(panels, ((2.7 + 1 / 50, 2.5 + 1 / 50), (1.7 - 0.3 / 50, 1.8 - 0.3 / 50)), (2, 3)):
        flat = [line for line in ax.lines if line.get_linestyle() == ":"]  # the panel's one reference line
        assert [line.get_ydata()[0] for line in flat] == pytest.approx([n * np.log(2)])  # where D cannot tell apart
        curves = [line for line in ax.lines if line not in flat]  # one per backbone: the seed means
        assert [round(float(line.get_ydata()[-1]), 2) for line in curves] == [round(v, 2) for v in final]
        assert len(ax.collections) == 2  # a ± std band per curve
        right = next(r for r in fig.axes if r not in panels and r.get_position().x0 == pytest.approx(ax.get_position().x0))
        assert [t.get_text() for t in right.get_yticklabels()] == [f"{n} ln 2"]  # named outside the plot, at its level
        assert right.get_yticks() == pytest.approx([n * np.log(2)]) and right.get_ylim() == pytest.approx(ax.get_ylim())
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["MLP", "conv"]  # colours: the backbones, once
    assert legibility_problems(fig, 0.8) == []
    plt.close(fig)


def test_the_gan_training_numbers_are_the_curves_last_epochs():
    from cvae_lib.reporting import findings
    runs = {"a": [_gan_history(40, 0, 2.7, 1.7, 248.0)], "b": [_gan_history(40, 1, 2.5, 1.8, 250.0)]}
    originals = {"a": [pd.DataFrame({"epoch": range(1, 41), "test_total": [236.0] * 40})],
                 "b": [pd.DataFrame({"epoch": range(1, 41), "test_total": [235.0] * 40})]}
    out = findings.gan_training(runs, originals, last=10)
    assert out["gen_low"] == pytest.approx(2.5 + 1 / 40) and out["gen_high"] == pytest.approx(2.7 + 1 / 31)
    assert out["dis_low"] == pytest.approx(1.7 - 0.3 / 31) and out["dis_high"] == pytest.approx(1.8 - 0.3 / 40)
    by_hand = np.mean([1 / e for e in range(31, 41)]) - np.mean([1 / e for e in range(21, 31)])
    assert out["gen_drift"] == pytest.approx(abs(by_hand))
    final = {m: runs[m][0].test_total.iloc[-1] - originals[m][0].test_total.iloc[-1] for m in runs}
    assert (out["elbo_gap_low"], out["elbo_gap_high"]) == pytest.approx((min(final.values()), max(final.values())))


def test_the_aggregate_posterior_panels_share_one_labelled_density_scale():
    z = torch.randn(4000, 8) * torch.tensor([0.2, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.6])
    fig = plots.aggregate_posterior(z, [0, 7], ["narrow", "wide"], {"density": "share"})
    first, second = fig.axes
    assert first.get_ylabel() == "share" and second.get_ylabel() == ""
    assert first.get_ylim() == second.get_ylim() and first.get_ylim()[1] > 1.5  # the narrow code's peak, both panels
    plt.close(fig)


def test_each_dashed_line_of_constant_elbo_is_named_with_its_value():
    rate, distortion = [21.2, 13.4, 7.9, 4.7, 2.5], [218, 223, 231, 240, 253]
    fig = plots.rate_distortion(rate, distortion, [0.5, 1, 2, 4, 8])
    ax = fig.axes[0]
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    names = [a.get_text() for a in ax.texts if "ELBO" in a.get_text()]
    totals = np.add(rate, distortion)
    assert len(dashed) == len(names) == 2  # the best and the worst β's −ELBO, no unnamed line between them
    assert sorted(names) == sorted(f"−ELBO = {x:.0f}" for x in (totals.min(), totals.max()))
    plt.close(fig)


def test_method_columns_shows_the_first_per_class_images_larger():
    """per_class keeps the first n of each class and block: fewer columns, each image larger at the same width."""
    blocks = [torch.rand(10, 4, 1, 28, 28) for _ in range(3)]
    full = grids.method_columns(blocks, ["a", "b", "c"])
    three = grids.method_columns(blocks, ["a", "b", "c"], per_class=2)
    try:
        extents = [ax.images[0].get_extent() for ax in three.axes]
        assert [e[1] for e in extents] == [2, 2, 2]  # two columns per block
        shown = three.axes[1].images[0].get_array()  # block b's mosaic: its first two images of class 0, a 2-pixel gutter apart
        assert np.allclose(shown[:28, :28], blocks[1][0, 0, 0].numpy()) and np.allclose(shown[:28, 30:58], blocks[1][0, 1, 0].numpy())
        cell = [ax.get_position().width * fig.get_figwidth() / ax.images[0].get_extent()[1] for fig in (full, three)
                for ax in fig.axes[:1]]
        assert cell[1] > 1.5 * cell[0]  # at the same printed width, half the columns: images about twice as large
    finally:
        plt.close(full), plt.close(three)


def test_method_rows_puts_one_method_per_row_and_each_classs_samples_under_its_name():
    """method_rows: row m is block m's first per_class images of class 0, then of class 1, ...; each class's name
    is written once, over the middle of its own columns."""
    blocks = [torch.rand(10, 3, 1, 28, 28) for _ in range(4)]
    classes = [f"c{c}" for c in range(10)]
    fig = grids.method_rows(blocks, ["a", "b", "c", "d"], classes, per_class=2)
    try:
        ax = fig.axes[0]
        assert ax.images[0].get_extent()[1] == 20 and ax.images[0].get_extent()[2] == 4  # 10 classes x 2; 4 rows
        shown = ax.images[0].get_array()  # rows of 28 pixels with a 2-pixel gutter between images
        step = 30
        for m, c, i in ((0, 0, 0), (2, 0, 1), (3, 4, 1), (1, 9, 0)):
            r, k = m * step, (2 * c + i) * step
            assert np.allclose(shown[r:r + 28, k:k + 28], blocks[m][c, i, 0].numpy())
        names = {t.get_text(): t.xy[0] for t in ax.texts if t.get_text() in classes}
        assert names == {f"c{c}": 2 * c + 1 for c in range(10)}  # centred over its two columns
        rows = [t.get_text() for t in fig.texts] + [t.get_text() for a in fig.axes for t in a.texts]
        assert all(label in rows for label in "abcd")
    finally:
        plt.close(fig)


def test_the_figures_are_sized_for_the_templates_text_block():
    """legibility's text block (which sizes every figure and checks its printed text) is the LaTeX template's."""
    import re
    from cvae_lib.reporting import legibility
    template = (Path(legibility.__file__).parent / "templates" / "cvae_latex" / "index.tex.j2").read_text()
    margins = dict(re.findall(r"([tblr]margin)=([\d.]+)cm", re.search(r"\\geometry\{([^}]*)\}", template).group(1)))
    assert float(margins["lmargin"]) == float(margins["rmargin"]) == legibility.SIDE_MARGIN_CM
    assert float(margins["tmargin"]) == float(margins["bmargin"]) == legibility.TOP_MARGIN_CM
    assert legibility.A4_TEXT_WIDTH_IN == pytest.approx((21.0 - 2 * 2.1) / 2.54)
