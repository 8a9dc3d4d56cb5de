"""The numbers the report document states, computed from finished run folders (and, for the two live
measurements, from their weights): headline values, the comparison table's rows, the layer tables, the
continuous-Bernoulli normalizer behind the disagreeing bounds, and how far each run's aggregate posterior
sits from the prior. Words come from the document's language file; this module returns numbers and keys.
"""
import math
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from .answer import p_value
from .compare import METRICS, difference, ranked_metrics
from .review_table import CONV_ORIGINAL, ORIGINAL, at, backbone_fds, backbone_judges_agree
from ..evaluation.review import JUDGES
from ..evaluation.stats import holm_adjusted, welch_p, welch_p_from_intervals
from ..modelling.losses import continuous_bernoulli_log_norm, log_likelihood
from ..modelling.models import count_parameters, device_of, one_hot

TABLE_METRICS = ("test_neg_elbo", "test_neg_iwae", "test_neg_iwae_continuous_bernoulli", "conditional_accuracy", "fd",
                 "reconstruction_accuracy", "active_units", "interp_cross_max_over_mean")
"""the comparison table's rows (compare.METRICS holds their direction)"""


def mean_std(values) -> tuple:
    values = np.asarray(values, float)
    return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else float("nan")


def pm(values, digits: int = 2) -> str:
    """"mean ± std" over seeds (the mean alone for one seed)."""
    m, s = mean_std(values)
    return f"{m:.{digits}f}" if math.isnan(s) else f"{m:.{digits}f} ± {s:.{digits}f}"


def by_arch(table: pd.DataFrame, column: str, arch: str):
    return table.loc[table.architecture == arch, column].to_numpy(float)


def headline(table: pd.DataFrame, reference: dict) -> dict:
    """Values for the abstract, setup and comparison prose (keys are the templates' placeholders)."""
    first = table.groupby("architecture").first()
    v = {"n_seeds": int(table.groupby("architecture").size().min()), "epochs": int(table.epochs.iloc[0]),
         "p_mlp": int(first.loc["mlp", "parameters"]), "p_conv": int(first.loc["conv", "parameters"]),
         "bytes_mlp": int(first.loc["mlp", "checkpoint_bytes"]), "bytes_conv": int(first.loc["conv", "checkpoint_bytes"]),
         "ls_mlp": first.loc["mlp", "checkpoint_ls_h"], "ls_conv": first.loc["conv", "checkpoint_ls_h"],
         "clf_acc": reference["classifier_test_accuracy"], "fd_floor": reference["fd_train_vs_test"]}
    v["pct_fewer"] = 100 * (1 - v["p_conv"] / v["p_mlp"])
    v["mib_mlp"], v["mib_conv"] = v["bytes_mlp"] / 2**20, v["bytes_conv"] / 2**20
    for arch in ("mlp", "conv"):
        for column, key, scale in (("test_neg_elbo", "elbo", 1), ("test_neg_iwae", "iwae", 1),
                                   ("test_neg_iwae_continuous_bernoulli", "cb", 1), ("conditional_accuracy", "acc", 1),
                                   ("fd", "fd", 1), ("reconstruction_accuracy", "racc", 1), ("active_units", "au", 1),
                                   ("training_seconds", "train_s", 1), ("evaluation_seconds", "eval_s", 1),
                                   ("seconds_per_epoch", "epoch_s", 1), ("interp_cross_max_over_mean", "interp", 1)):
            if column in table:
                v[f"{key}_{arch}"] = mean_std(by_arch(table, column, arch) * scale)[0]
                v[f"{key}_{arch}_pm"] = pm(by_arch(table, column, arch) * scale, 2)
    for column, key in (("test_neg_elbo", "elbo"), ("test_neg_iwae", "iwae"), ("test_neg_iwae_continuous_bernoulli", "cb"),
                        ("fd", "fd")):
        d = difference(table, column, "mlp", "conv")
        v[f"d_{key}"], v[f"se_{key}"] = d["diff"], d["se"]
    v["iwae_k"] = int(table.iwae_k.iloc[0])
    return v


def metric_label(words, column: str, arrow: bool = True) -> str:
    """A metric's name in the text's words, with its arrow (lower or higher is better) or, in prose and for a row
    that ranks neither model, without it."""
    label = words(f"metric_{column}")
    return label if arrow else label.rstrip(" ↓↑")


def comparison_rows(table: pd.DataFrame, words, disputed: tuple = ()) -> list:
    """[metric, MLP, conv, conv − MLP ± SE, verdict] per metric of TABLE_METRICS present; ``words(key)`` localizes.
    A ranked metric's verdict ends with its Holm-adjusted p (Welch's test, over the ranked metrics); a ``disputed``
    one (judge B ranks it the other way) names judge A's winner as reversed in B, or says the judges disagree."""
    # Holm over the ranked metrics: a metric is resolved where its adjusted p is at most 5 % (resolved_metrics' set)
    adjusted = holm_adjusted({c: difference(table, c, "mlp", "conv")["p"] for c in ranked_metrics(table)})
    rows, resolved = [], {c for c, p in adjusted.items() if p <= 0.05}
    for column in TABLE_METRICS:
        if column not in table or table[column].isna().any():
            continue
        lower = METRICS[column][1]
        d = difference(table, column, "mlp", "conv")
        digits = {"conditional_accuracy": 3, "reconstruction_accuracy": 3, "active_units": 1}.get(column, 2)
        diff = f"{d['diff']:+.{digits}f}" + ("" if math.isnan(d["se"]) else f" ± {d['se']:.{digits}f}")
        if lower is None:
            verdict = words("verdict_descriptive")
        elif math.isnan(d["se"]):
            verdict = words("verdict_na")
        elif column not in resolved:
            verdict = words("verdict_first_judge" if column in disputed else "verdict_tie")
        else:
            winner = "conv" if (d["diff"] < 0) == lower else "mlp"
            verdict = words("verdict_a_reversed" if column in disputed else f"verdict_{winner}_better", arch=words(winner))
        if column in adjusted and not math.isnan(d["se"]):
            verdict = words("verdict_p", verdict=verdict, p=p_value(adjusted[column]))
        rows.append([metric_label(words, column, arrow=lower is not None), pm(by_arch(table, column, "mlp"), digits),
                     pm(by_arch(table, column, "conv"), digits), diff, verdict])
    return rows


def layer_table(model) -> list:
    """[layer, output shape, parameters] for every layer of a model, from one forward pass (hooks)."""
    rows, hooks = [], []
    for name, module in model.named_modules():
        if len(list(module.children())) == 0:
            hooks.append(module.register_forward_hook(
                lambda m, i, o, name=name: rows.append([name, "×".join(map(str, o.shape[1:])),
                                                        count_parameters(m)])))
    try:
        with torch.no_grad():
            device = device_of(model)
            model(torch.zeros(1, 1, 28, 28, device=device), one_hot(torch.zeros(1, dtype=torch.long, device=device)))
    finally:
        for h in hooks:
            h.remove()
    return rows


@torch.inference_mode()
def normalizer_split(model, images, labels, batch_size: int = 1000) -> dict:
    """Why the two bounds disagree, per test image, averaged: at z = mu(x, y) the Bernoulli log-likelihood, the
    continuous-Bernoulli normalizer sum_i log C(l_i) (what the true-density bound adds), the mean |logit| and the
    mean log |logit| (log C grows like log |l|)."""
    device = device_of(model)
    bern, norm, magnitude, log_magnitude = [], [], [], []
    for s in range(0, len(images), batch_size):
        x, y = images[s:s + batch_size].to(device), one_hot(labels[s:s + batch_size].to(device))
        mu, _ = model.encode(x, y)
        logits = model.decode_logits(mu, y).flatten(1)
        bern.append(log_likelihood(logits, x.flatten(1)).cpu())
        norm.append(continuous_bernoulli_log_norm(logits).sum(1).cpu())
        magnitude.append(logits.abs().mean(1).cpu())
        log_magnitude.append(logits.abs().clamp_min(1e-12).log().mean(1).cpu())
    return {"bernoulli": float(torch.cat(bern).mean()), "normalizer": float(torch.cat(norm).mean()),
            "mean_abs_logit": float(torch.cat(magnitude).mean()),
            "mean_log_abs_logit": float(torch.cat(log_magnitude).mean())}


@torch.inference_mode()
def prior_gap(model, images, labels, seed: int = 0, batch_size: int = 1000) -> dict:
    """How far the aggregate posterior q(z) = E_x q(z | x, y) sits from the prior N(0, I): KL of a Gaussian fitted
    to one z ~ q(z | x, y) per image against N(0, I), the spread of q(z) (mean per-dimension std), and how often a
    prior sample falls outside the region the decoder saw (beyond the 99.9% Mahalanobis radius of q(z))."""
    device = device_of(model)
    g = torch.Generator().manual_seed(seed)
    zs = []
    for s in range(0, len(images), batch_size):
        mu, log_var = model.encode(images[s:s + batch_size].to(device), one_hot(labels[s:s + batch_size].to(device)))
        zs.append(mu.cpu() + torch.exp(0.5 * log_var.cpu()) * torch.randn(mu.shape, generator=g))
    z = torch.cat(zs).double()
    d = z.shape[1]
    mean, cov = z.mean(0), torch.cov(z.T) + 1e-9 * torch.eye(d, dtype=torch.float64)
    kl = 0.5 * (torch.trace(cov) + mean @ mean - d - torch.logdet(cov))
    inverse = torch.linalg.inv(cov)
    maha = lambda v: ((v - mean) @ inverse * (v - mean)).sum(1)  # noqa: E731
    radius = torch.quantile(maha(z), 0.999)
    prior = torch.randn(len(z), d, generator=g, dtype=torch.float64)
    return {"kl_to_prior": float(kl), "mean_std": float(z.std(0).mean()),
            "prior_outside": float((maha(prior) > radius).double().mean())}


def per_class_gaps(model, images, labels, seed: int = 0) -> list:
    """prior_gap for each class's aggregate posterior q(z | y) (the images of that class only), in class order."""
    return [prior_gap(model, images[labels == c], labels[labels == c], seed=seed) for c in labels.unique().tolist()]


def class_prior_gaps(model, images, labels, seed: int = 0) -> dict:
    """per_class_gaps summarized over the classes: the smallest and largest KL of each q(z | y)'s Gaussian fit to
    N(0, I) and share of prior samples outside its 99.9% region ({class_kl_min, class_kl_max, class_out_min,
    class_out_max})."""
    gaps = per_class_gaps(model, images, labels, seed)
    kl, out = [g["kl_to_prior"] for g in gaps], [g["prior_outside"] for g in gaps]
    return {"class_kl_min": min(kl), "class_kl_max": max(kl), "class_out_min": min(out), "class_out_max": max(out)}


def class_mean_gap(model, images, labels, seed: int = 0) -> dict:
    """prior_gap's three quantities for q(z | y), averaged over the classes: what a conditional model's prior draws
    (z ~ N(0, I) decoded with a label y) meet, unlike the pooled q(z)."""
    gaps = per_class_gaps(model, images, labels, seed)
    return {k: sum(g[k] for g in gaps) / len(gaps) for k in gaps[0]}


def trend(xs, ys) -> dict:
    """Whether ys moves monotonically with xs: {"kind": "rises" | "falls" | "flat" | "peaks" | "dips" | "mixed",
    "at": the x of the interior extreme (peaks/dips)}."""
    ys = np.asarray(ys, float)
    steps = np.sign(np.diff(ys))
    if (steps >= 0).all():
        return {"kind": "rises" if (steps > 0).any() else "flat", "at": None}
    if (steps <= 0).all():
        return {"kind": "falls", "at": None}
    turns = np.count_nonzero(np.diff(steps[steps != 0]))
    if turns == 1:
        i = int(np.argmax(ys) if steps[0] > 0 else np.argmin(ys))
        return {"kind": "peaks" if steps[0] > 0 else "dips", "at": xs[i]}
    return {"kind": "mixed", "at": None}


def benchmark_time_ratio(throughput_csv, variant: str = "project trainer") -> float | None:
    """The conv model's training time per image over the MLP's, both with one training loop (``variant``: "project
    trainer" or "seed loop", the original's), from the controlled benchmark's table (benchmarks/bench_train.py);
    None when it was not run."""
    path = Path(throughput_csv)
    if not path.exists():
        return None
    rates = pd.read_csv(path).set_index(["architecture", "variant"])["median_images_per_s"]
    return float(rates[("mlp", variant)] / rates[("conv", variant)])


def benchmark_flop_ratio(throughput_csv) -> float | None:
    """The conv model's floating-point operations per training image over the MLP's (the benchmark's table counts
    them from the layers, so the ratio does not depend on the machine); None when it was not run."""
    path = Path(throughput_csv)
    if not path.exists():
        return None
    flops = pd.read_csv(path).groupby("architecture")["mflop_per_image"].first()
    return float(flops["conv"] / flops["mlp"])


def verdict_values(table: pd.DataFrame, words, time_ratio: float = None, seed_loop_ratio: float = None,
                   flop_ratio: float = None, on: str = "") -> dict:
    """The verdict, sized by the numbers: ``verdict_key`` words with the metrics where conv is worse named, the
    direction of the size difference, and whether the smaller model is the slower one (the compute remark).
    ``time_ratio``: conv's training time over the MLP's from the controlled benchmark (benchmark_time_ratio); without
    it, the ratio of the runs' median epoch times, which machines doing other work at the same time distort;
    ``seed_loop_ratio``: the same benchmark's ratio with the original's training loop, quoted beside it;
    ``flop_ratio``: conv's arithmetic per image over the MLP's (benchmark_flop_ratio), quoted first where known;
    ``on``: the benchmark's hardware in words ("on 2 CPU threads"), said beside the time ratio."""
    from .compare import rank_metrics, verdict_key
    groups = rank_metrics(table)
    params = table.groupby("architecture")["parameters"].first()
    epoch = table.groupby("architecture")["seconds_per_epoch"].median()
    smaller = "conv" if params["conv"] < params["mlp"] else "mlp"
    ratio = time_ratio or float(epoch["conv"] / epoch["mlp"])
    source = (words("ratio_benchmark", seed_ratio=seed_loop_ratio) if time_ratio and seed_loop_ratio
              else words("ratio_benchmark_one") if time_ratio else words("ratio_epochs"))
    worse, better = (words("list_sep").join(metric_label(words, c, arrow=False) for c in groups[k])
                     for k in ("worse", "better"))
    one_seed = table.groupby("architecture").size().min() < 2
    key = "one_seed" if one_seed else verdict_key(groups)
    return {"verdict_key": key, "verdict_words": words(f"verdict_{key}", worse=worse, better=better),
            "size_relation": words("fewer") if params["conv"] < params["mlp"] else words("more"),
            "pct_size": abs(100 * (1 - params["conv"] / params["mlp"])),
            "time_ratio": ratio, "time_ratio_source": source,
            "flop_ratio": flop_ratio or float("nan"),
            "compute_remark": words("compute_remark", ratio=ratio, source=source, on=on,
                                    flops=words("flops_clause", flop_ratio=flop_ratio) if flop_ratio else "")
            if params["conv"] != params["mlp"] and (ratio > 1) == (smaller == "conv") else "",
            "n_ranked": sum(len(groups[k]) for k in ("better", "worse", "tied")), "n_better": len(groups["better"]),
            "n_worse": len(groups["worse"]), "n_tied": len(groups["tied"])}


def describe_trend(xs, ys, words, fmt=lambda y: f"{y:.2f}") -> str:
    """A trend of ys against xs (β) in words: steady rise or fall, one peak or dip (named), or no trend."""
    t = trend(xs, ys)
    extreme = fmt(ys[list(xs).index(t["at"])]) if t["at"] is not None else ""
    return words(f"trend_{t['kind']}", first=fmt(ys[0]), last=fmt(ys[-1]), b0=f"{xs[0]:g}", b1=f"{xs[-1]:g}",
                 at=f"{t['at']:g}" if t["at"] is not None else "", extreme=extreme, values=words("list_sep").join(map(fmt, ys)))


def loss_stability(run_dir, factor: float = 10.0) -> dict:
    """Whether a run's test loss ran away at the end of training (history.csv): its lowest test loss and epoch, the
    last epoch's test and training losses, and ``unstable`` when the last test loss exceeds ``factor`` times the
    lowest in magnitude while training stayed finite; a run whose test loss blows up describes a diverging model."""
    history = pd.read_csv(Path(run_dir) / "history.csv")
    best = history.loc[history.test_total.idxmin()]
    last = history.iloc[-1]
    span = abs(best.test_total) + 1.0
    return {"min_test": float(best.test_total), "min_epoch": int(best.epoch), "last_test": float(last.test_total),
            "last_train": float(last.train_total), "last_epoch": int(last.epoch),
            "unstable": bool(last.test_total - best.test_total > factor * span and math.isfinite(last.train_total))}


def reconstruction_sharpness(run_dirs, images, labels, device="cpu") -> float:
    """Relative sharpness (fidelity.relative_sharpness) of the reconstructions at z = mu(x, y) of ``images``
    against the images themselves, averaged over the runs: blur measured without the prior's sampling."""
    from ..evaluation.fidelity import relative_sharpness
    from ..evaluation.generate import reconstruct
    from ..training import runs
    values = []
    for d in run_dirs:
        model = runs.load_model(d, map_location=device)[1]
        with torch.no_grad():
            recon = reconstruct(model, images, labels, likelihood=model.likelihood.name)
        values.append(relative_sharpness(recon, labels, images, labels).overall)
    return sum(values) / len(values)


def model_views(run_dirs: dict, images, labels, ends: tuple, steps: int = 8, device="cpu") -> tuple:
    """(reconstructions, paths) of the models in ``run_dirs`` (name -> run folder): each model's decoder means at
    z = mu(x, y) of ``images``, and its interpolation between the two labelled images ``ends`` ((x_a, y_a),
    (x_b, y_b)) in ``steps`` steps (generate.interpolate: z and the one-hot label move together)."""
    from ..evaluation.generate import interpolate, reconstruct
    from ..training import runs
    (x_a, y_a), (x_b, y_b) = ends
    recon, paths = {}, {}
    for name, d in run_dirs.items():
        model = runs.load_model(d, map_location=device)[1]
        with torch.no_grad():
            recon[name] = reconstruct(model, images, labels, likelihood=model.likelihood.name)
        paths[name] = interpolate(model, x_a[None], y_a.view(1), x_b[None], y_b.view(1), steps=steps,
                                  likelihood=model.likelihood.name)[0]
    return recon, paths


def gan_training(runs: dict, originals: dict, last: int = 10) -> dict:
    """What the VAE-GAN's training curves show, pooled over backbones and seeds (``runs``, ``originals``: backbone ->
    history DataFrames): the decoder's and the discriminator's adversarial losses over the ``last`` epochs (lowest and
    highest epoch mean) and how far their means moved from the ``last`` epochs before those, and the test −ELBO
    above the original's at the final epoch (lowest and highest backbone)."""
    def mean_curve(histories, column):
        return np.stack([h[column].to_numpy() for h in histories]).mean(0)
    out = {}
    for key, column in (("gen", "train_generator_gan"), ("dis", "train_discriminator")):
        curves = [mean_curve(hs, column) for hs in runs.values()]
        out[f"{key}_low"] = float(min(c[-last:].min() for c in curves))
        out[f"{key}_high"] = float(max(c[-last:].max() for c in curves))
        out[f"{key}_drift"] = float(max(abs(c[-last:].mean() - c[-2 * last:-last].mean()) for c in curves))
    gaps = [mean_curve(hs, "test_total")[-1] - mean_curve(originals[m], "test_total")[-1]
            for m, hs in runs.items() if m in originals]
    if gaps:
        out.update(elbo_gap_low=float(min(gaps)), elbo_gap_high=float(max(gaps)))
    return out


def second_judge_row(curves: dict, words) -> list:
    """The comparison table's row of judge B's FD for both originals at tau = 1: [label, MLP and conv mean ± std, conv −
    MLP ± SE, "contrast only" with Welch's p] (one test outside the table's Holm family); [] without both curves."""
    if ORIGINAL not in curves or CONV_ORIGINAL not in curves:
        return []
    fds = {arch: at(curves[m], 1.0, "test", "judge", "fd") for arch, m in (("mlp", ORIGINAL), ("conv", CONV_ORIGINAL))}
    table = pd.DataFrame([(a, float(x)) for a, v in fds.items() for x in v], columns=["architecture", "fd"])
    d = difference(table, "fd", "mlp", "conv")
    diff = f"{d['diff']:+.2f}" + ("" if math.isnan(d["se"]) else f" ± {d['se']:.2f}")
    return [words("metric_fd_b"), pm(fds["mlp"]), pm(fds["conv"]), diff, words("verdict_contrast", p=p_value(d["p"]))]


def judge_caveat(table: dict, word, curves: dict = None) -> str:
    """The sentence the abstract, the verdict and the conclusion add when the second judge gives the other original
    model the lower FD than the evaluation classifier does, with Welch's p over seeds (from the summary's
    intervals); "" when they agree. With ``curves`` (methods' curves) both originals are
    compared at tau = 1, Table 1's temperature, whatever their operating points, Welch's test on the seeds' FDs."""
    if curves is not None and ORIGINAL in curves and CONV_ORIGINAL in curves:
        values = {j: [at(curves[m], 1.0, "test", j, "fd") for m in (ORIGINAL, CONV_ORIGINAL)] for j in JUDGES}
        fds = {j: tuple(sum(v) / len(v) for v in values[j]) for j in JUDGES}
        p = welch_p(*values["judge"])
    else:
        fds = backbone_fds(table)
        p = (welch_p_from_intervals(*[table["methods"][m]["test"]["judge"]["fd"] for m in (ORIGINAL, CONV_ORIGINAL)])
             if fds else float("nan"))
    if not fds or backbone_judges_agree(fds):
        return ""
    mlp, conv = fds["judge"]
    return word("judge_caveat", better=word("judge_model_mlp" if mlp < conv else "judge_model_conv"),
                worse=word("judge_model_conv" if mlp < conv else "judge_model_mlp"),
                better_fd=min(mlp, conv), worse_fd=max(mlp, conv), p=p_value(p))
