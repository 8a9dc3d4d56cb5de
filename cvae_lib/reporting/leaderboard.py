"""The extension study's numbers, computed from finished run folders: the leaderboard of methods (a run's own
samples, the latent samplers applied to it, VampPrior and VAE-GAN runs) with mean and std over seeds, its
labels, rows and sample figures' blocks, the temperature curve, the training cost of each extension, the
values its prose states. The comparison of the two seed models is findings.py's.
"""
from pathlib import Path

import numpy as np
import pandas as pd

from ..evaluation import generate
from . import answer, backbone, names

LEADERBOARD_METRICS = ("conditional_accuracy", "fd", "precision", "recall", "relative_sharpness", "test_neg_iwae")
"""the leaderboard's columns, from metrics.json (a run's own samples) or samplers.json (the same scores)"""


NO_GAMMA = -1.0
"""the gamma column of methods other than the VAE-GAN"""


def method_key(config) -> tuple:
    if config.extension == "vampprior":
        return ("vampprior", NO_GAMMA)
    if config.extension == "vaegan":
        return ("vaegan", float(config.gan_gamma))
    if config.optimizer == "rmsprop":  # the CVAE baseline with the VAE-GAN's optimizer and step size
        return ("rmsprop", NO_GAMMA)
    return ("prior", NO_GAMMA)


def leaderboard(main_dirs, extension_dirs, temperature: float) -> pd.DataFrame:
    """One row per (architecture, method, seed): the leaderboard's metrics for the seed's model with z ~ N(0, I),
    the latent samplers applied to it (temperature ``temperature``, GMM, two-stage; samplers.json), the
    extension runs (metrics.json) and the samplers applied to those (SAMPLED_METHODS). test_neg_iwae is NaN where a method has no likelihood bound of its own (the
    samplers change p(z) after training and the VAE-GAN has no likelihood); reconstruction_accuracy is the
    trained model's, shared by the samplers applied to it."""
    from ..training import runs
    from ..evaluation.extensions import sampler_name

    rows = []
    for d in list(main_dirs) + list(extension_dirs):
        config = runs.read_config(d)
        saved = runs.read_json(Path(d) / runs.METRICS)["metrics"]
        method, gamma = method_key(config)
        environment = Path(d) / runs.ENVIRONMENT
        env = runs.read_json(environment) if environment.exists() else {}
        trained_on = f"{env.get('device', '')} {env.get('device_name', '')}".strip()
        base = {"architecture": config.architecture, "seed": config.seed, "run_dir": str(d),
                "reconstruction_accuracy": saved["reconstruction_accuracy"], "trained_on": trained_on}
        rows.append({**base, "method": method, "gamma": gamma,
                     **{k: saved.get(k, float("nan")) for k in LEADERBOARD_METRICS}})
        samplers_path = Path(d) / runs.SAMPLERS
        if method in SAMPLED_METHODS and samplers_path.exists():
            samplers = runs.read_json(samplers_path)["samplers"]
            for name, key in ((sampler_name("temperature", temperature), "temperature"), ("gmm", "gmm"),
                              ("two_stage", "two_stage")):
                if name in samplers:
                    s = samplers[name]
                    rows.append({**base, "method": SAMPLED_METHODS[method][key], "gamma": gamma,
                                 "fit_seconds": s["fit_seconds"],
                                 **{k: s.get(k, float("nan")) for k in LEADERBOARD_METRICS if k != "test_neg_iwae"},
                                 "test_neg_iwae": float("nan")})
    return pd.DataFrame(rows)


SAMPLED_METHODS = {"prior": {"temperature": "temperature", "gmm": "gmm", "two_stage": "two_stage"},
                   "vaegan": {"temperature": "vaegan_temperature", "gmm": "vaegan_gmm"}}
"""trained method -> {sampler applied to it (samplers.json) -> the leaderboard's method for the pair}"""


METHOD_ORDER = ("prior", "temperature", "gmm", "two_stage", "vampprior", "rmsprop", "rmsprop_gmm", "vaegan",
                "vaegan_temperature", "vaegan_gmm")


def leaderboard_summary(board: pd.DataFrame) -> pd.DataFrame:
    """Mean and std over seeds per (architecture, method, gamma), in METHOD_ORDER, MLP first."""
    metrics = list(LEADERBOARD_METRICS) + ["reconstruction_accuracy"]
    grouped = board.groupby(["architecture", "method", "gamma"], sort=False)[metrics]
    out = grouped.mean().join(grouped.std(ddof=1).add_suffix("_std")).join(grouped.size().rename("n_seeds"))
    out = out.reset_index()
    # MLP first; within an architecture METHOD_ORDER, except that each VAE-GAN run's samplers follow it (by gamma)
    order = pd.DataFrame({"arch": out.architecture.map({"mlp": 0, "conv": 1}),
                          "group": out.method.map(lambda m: METHOD_ORDER.index(m.split("_")[0] if m.startswith("vaegan") else m)),
                          "gamma": -out.gamma, "method": out.method.map(METHOD_ORDER.index)})
    return out.loc[order.sort_values(list(order.columns)).index].reset_index(drop=True)


def best_method(summary: pd.DataFrame, architecture: str = "mlp") -> dict:
    """The row with the lowest mean Fréchet distance for one architecture, as a dict."""
    rows = summary[summary.architecture == architecture]
    return rows.loc[rows.fd.idxmin()].to_dict()


def method_labels(summary: pd.DataFrame, word, temperature: float) -> dict:
    """(architecture, method, gamma) -> the method's name in the document's language (names.method_labels)."""
    return names.method_labels(zip(summary.architecture, summary.method, summary.gamma), word, temperature)


def leaderboard_headers(word) -> list:
    return [word(k) for k in ("h_method", "h_acc", "h_fd", "h_precision", "h_recall", "h_sharp", "h_iwae", "h_racc")]


DOCUMENT_STD_COLUMNS = ("conditional_accuracy", "fd")
"""the leaderboard columns the report document shows with their std (all of them would not fit a page's width;
the appendix page has every std)"""
DOCUMENT_WIDTHS = (2.6, 1.2, 1.0, 0.8, 0.7, 0.85, 0.72, 0.89)
"""the document leaderboard's relative column widths (method, the two columns with a std, the five without)"""


def leaderboard_rows(summary: pd.DataFrame, labels: dict, word, std_columns=None, confirmed=frozenset()) -> list:
    """The leaderboard's rows as strings: "mean ± std" (the mean alone for one seed, or for a column not in
    ``std_columns`` when that is given: a narrow table), n/a without a likelihood; a cell named in ``confirmed``
    (answer.backbone_confirmed) ends in "*": a difference from its backbone's original CVAE that the test confirms."""
    def cell(r, column, digits, scale=1.0):
        mean, std = getattr(r, column), getattr(r, column + "_std")
        mark = "\u00a0*" if (r.architecture, r.method, r.gamma, column) in confirmed else ""  # kept beside its number
        if mean != mean:  # NaN: not defined for this method
            return word("not_defined")
        if r.n_seeds < 2 or (std_columns is not None and column not in std_columns):
            return f"{scale * mean:.{digits}f}{mark}"
        return f"{scale * mean:.{digits}f} ± {scale * std:.{digits}f}{mark}"
    return [[labels[(r.architecture, r.method, r.gamma)], cell(r, "conditional_accuracy", 3), cell(r, "fd", 1),
             cell(r, "precision", 3), cell(r, "recall", 3), cell(r, "relative_sharpness", 2), cell(r, "test_neg_iwae", 2),
             cell(r, "reconstruction_accuracy", 3)] for r in summary.itertuples()]


def sample_blocks(main_dirs, extension_dirs, temperature: float, labels: dict, device="cpu", per_class: int = 4,
                  architecture: str = "mlp", methods=METHOD_ORDER, gammas=None):
    """(blocks, names) for grids.method_columns: the first ``per_class`` draws per class of every method in
    ``methods`` found for ``architecture`` (the VAE-GAN's only at the weights in ``gammas``, where given), seed 0
    (the lowest seed present), in METHOD_ORDER; the samplers' draws are the ones samplers.json was scored on
    (sampler_samples.pt)."""
    from ..training import runs
    from ..evaluation.extensions import sampler_images, sampler_name

    chosen = {}  # (method, gamma) -> (seed, run folder)
    for d in list(main_dirs) + list(extension_dirs):
        config = runs.read_config(d)
        key = method_key(config)
        if config.architecture == architecture and (key not in chosen or config.seed < chosen[key][0]):
            chosen[key] = (config.seed, d)
    found = {}  # (method, gamma) -> a function giving its block
    for (method, gamma), (_, d) in chosen.items():
        def own(d=d):
            model = runs.load_model(d, map_location=device)[1]
            return (generate.sample_per_class(model, per_class, seed=0, likelihood=model.likelihood.name)
                    .view(10, per_class, 1, 28, 28))
        found[(method, gamma)] = own
        if method in SAMPLED_METHODS and (Path(d) / runs.SAMPLER_IMAGES).exists():
            shown = sampler_images(d)
            for kind, pair in SAMPLED_METHODS[method].items():
                name = sampler_name(kind, temperature) if kind == "temperature" else kind
                if name in shown:
                    found[(pair, gamma)] = lambda shown=shown, name=name: shown[name][:, :per_class]
    order = sorted((k for k in found if k[0] in methods and (gammas is None or not k[0].startswith("vaegan")
                                                          or k[1] in gammas)), key=lambda k: (METHOD_ORDER.index(k[0]), -k[1]))
    return [found[k]() for k in order], [labels[(architecture, *k)] for k in order]


def temperature_table(main_dirs, architecture: str = "mlp") -> dict:
    """Per seed of one architecture: conditional accuracy and Fréchet distance at each temperature of
    samplers.json, with tau = 1 (metrics.json) appended, and the means of the prior and the GMM."""
    from ..training import runs
    taus, accuracy, fd, prior, gmm = None, [], [], [], []
    for d in main_dirs:
        if runs.read_config(d).architecture != architecture or not (Path(d) / runs.SAMPLERS).exists():
            continue
        samplers = runs.read_json(Path(d) / runs.SAMPLERS)
        metrics = runs.read_json(Path(d) / runs.METRICS)["metrics"]
        found = sorted((v["tau"], k) for k, v in samplers["details"].items() if "tau" in v)
        taus = [t for t, _ in found] + [1.0]
        accuracy.append([samplers["samplers"][k]["conditional_accuracy"] for _, k in found] + [metrics["conditional_accuracy"]])
        fd.append([samplers["samplers"][k]["fd"] for _, k in found] + [metrics["fd"]])
        prior.append((metrics["conditional_accuracy"], metrics["fd"]))
        gmm.append((samplers["samplers"]["gmm"]["conditional_accuracy"], samplers["samplers"]["gmm"]["fd"]))
    return {"taus": taus, "accuracy": accuracy, "fd": fd, "prior": tuple(np.mean(prior, 0)), "gmm": tuple(np.mean(gmm, 0))}


def cost_key(architecture: str, extension: str) -> str:
    """The key of one trainer in extension_cost.json's epoch_seconds: "mlp/none", "conv/vaegan", ..."""
    return f"{architecture}/{extension}"


def extension_cost(measure, board: pd.DataFrame, train_configs) -> dict:
    """Training seconds per epoch (``measure(config)``, in one process) of the trainer of every (architecture,
    extension) among ``train_configs`` (the extension runs' TrainConfigs, as the sweep file sets them) and of the
    seed's trainer on the same architecture; the hours all those runs take at that speed; and the mean fitting
    seconds of the samplers on the MLP models (from the board)."""
    from dataclasses import replace

    from ..base.config import TrainConfig
    configs = {}
    for config in train_configs:
        configs.setdefault(cost_key(config.architecture, "none"), replace(
            TrainConfig(), architecture=config.architecture, batch_size=config.batch_size))
        configs.setdefault(cost_key(config.architecture, config.extension), config)
    seconds = {key: measure(config) for key, config in configs.items()}
    hours = sum(c.epochs * seconds[cost_key(c.architecture, c.extension)] for c in train_configs) / 3600
    samplers = board[board.method.isin(["gmm", "two_stage"]) & (board.architecture == "mlp")]
    fits = samplers.groupby("method").fit_seconds.mean()
    return {"epoch_seconds": seconds, "runs": len(train_configs), "training_hours": hours,
            "epochs": max((c.epochs for c in train_configs), default=0),
            "fit_seconds": {name: float(v) for name, v in fits.items()}}


def extension_values(summary: pd.DataFrame, labels: dict, cost: dict, word, epochs: int = 50,
                     real_accuracy: float = None, board: pd.DataFrame = None, family: dict = None) -> dict:
    """The placeholders of the "Extension models" prose: each MLP method's means, the best by FD, the
    share of the sample-reconstruction accuracy gap the GMM closes, costs, conv's best;
    ``real_accuracy`` (the classifier's on real test images) names the methods whose samples beat it; ``board``
    (leaderboard(): one row per seed) lets the answer name the runner-up by FD when Welch's test over seeds
    cannot tell it from the best; ``family``: the other tests Holm's correction of the tables' marks covers."""
    mlp = summary[summary.architecture == "mlp"].set_index(["method", "gamma"])
    prior = mlp.loc[("prior", NO_GAMMA)]
    ties = answer.backbone_ties(summary, board, family=family) if board is not None else set()  # not confirmed

    def marked(v):  # no direction verb where the tables do not confirm the difference
        return {**v, **answer.unconfirmed_dirs(v, ties, NO_GAMMA, word)}
    n_seeds = int(mlp.n_seeds.min())
    v = {"n_ext_seeds": n_seeds, "ext_seeds": word("seeds_one") if n_seeds == 1 else word("seeds_many", n=n_seeds), "prior_acc": prior.conditional_accuracy, "prior_fd": prior.fd,
         "prior_recall": prior.recall, "prior_precision": prior.precision, "prior_sharp": prior.relative_sharpness,
         "prior_iwae": prior.test_neg_iwae, "racc": prior.reconstruction_accuracy, **backbone.conv_vamp_sentences({}, word)}

    def direction(new, old, up="rises", down="falls"):
        return word(up) if new > old else word(down)
    for method, key in (("temperature", "tau"), ("gmm", "gmm"), ("two_stage", "two"), ("vampprior", "vamp")):
        if (method, NO_GAMMA) in mlp.index:
            r = mlp.loc[(method, NO_GAMMA)]
            v.update({f"{key}_acc": r.conditional_accuracy, f"{key}_fd": r.fd, f"{key}_recall": r.recall,
                      f"{key}_precision": r.precision, f"{key}_sharp": r.relative_sharpness,
                      f"{key}_acc_dir": direction(r.conditional_accuracy, prior.conditional_accuracy),
                      f"{key}_fd_dir": direction(r.fd, prior.fd)})
    if "vamp_acc" in v:
        v["vamp_iwae"] = mlp.loc[("vampprior", NO_GAMMA)].test_neg_iwae
        v["vamp_iwae_dir"] = direction(v["vamp_iwae"], prior.test_neg_iwae, "worse_by", "better_by")
        v["vamp_iwae_diff"] = abs(v["vamp_iwae"] - prior.test_neg_iwae)
    if "gmm_acc" in v:
        gap = prior.reconstruction_accuracy - prior.conditional_accuracy
        v["gap_closed"] = 100 * (v["gmm_acc"] - prior.conditional_accuracy) / gap if gap > 0 else float("nan")
        v["gap_clause"] = word("gap_prior") if v["gap_closed"] >= 50 else word("gap_not_prior")
        v["gap_sentence"] = (word("gap_absent", racc=prior.reconstruction_accuracy) if gap <= 0
                             else word("gap_exceeds", racc=prior.reconstruction_accuracy, gmm_recall=v["gmm_recall"],
                                       prior_recall=prior.recall) if v["gap_closed"] >= 100
                             else word("gap_closes", gap_closed=v["gap_closed"], racc=prior.reconstruction_accuracy,
                                       gap_clause=v["gap_clause"]))
    gans = mlp[mlp.index.get_level_values(0) == "vaegan"]
    if len(gans):
        g = gans.fd.idxmin()
        r = gans.loc[g]
        v.update(gan_gamma=g[1], gan_fd=r.fd, gan_acc=r.conditional_accuracy, gan_recall=r.recall,
                 gan_precision=r.precision, gan_sharp=r.relative_sharpness, gan_racc=r.reconstruction_accuracy,
                 gan_sharp_dir=direction(r.relative_sharpness, prior.relative_sharpness),
                 gan_acc_dir=direction(r.conditional_accuracy, prior.conditional_accuracy),
                 gan_recall_dir=direction(r.recall, prior.recall), gan_fd_dir=direction(r.fd, prior.fd),
                 gan_precision_dir=direction(r.precision, prior.precision))
        for other in [k for k in gans.index if k != g][:1]:  # the other weight's VAE-GAN, said beside it
            o = gans.loc[other]
            v.update(gan_other_gamma=other[1], ogan_acc=o.conditional_accuracy, ogan_fd=o.fd,
                     ogan_acc_dir=direction(o.conditional_accuracy, prior.conditional_accuracy),
                     ogan_fd_dir=direction(o.fd, prior.fd))
        v = marked(v)  # no direction where the test does not confirm one, before the clauses below use the verbs
        on_codes = ("vaegan_gmm", g[1]) in mlp.index  # the same decoder on codes near the data: is it still blurred?
        v["gan_blur_clause"] = word("gan_blur_yes" if r.relative_sharpness > prior.relative_sharpness else "gan_blur_no",
                                    gmm_sharp_clause=word("gan_blur_gmm", mgmm_sharp=mlp.loc[("vaegan_gmm", g[1])]
                                                          .relative_sharpness) if on_codes else "")
        v["gan_acc_clause"] = word("gan_acc_falls" if r.conditional_accuracy < prior.conditional_accuracy else "gan_acc_holds",
                                   **{k: v[k] for k in ("gan_acc_dir", "gan_precision_dir")}, gan_acc=r.conditional_accuracy,
                                   gan_precision=r.precision)
        v["gan_over_clause"] = word("gan_oversharp") if r.relative_sharpness > 1 else ""
        v["gan_baseline_clause"] = ""
        if ("rmsprop", NO_GAMMA) in mlp.index:  # the original CVAE with the VAE-GAN's optimizer: what is the loss's
            b = mlp.loc[("rmsprop", NO_GAMMA)]
            key = ("gan_baseline_worse" if b.fd >= prior.fd else "gan_baseline_part" if b.fd > r.fd
                   else "gan_baseline_all")
            v.update(rms_fd=b.fd, rms_acc=b.conditional_accuracy)
            v["gan_baseline_clause"] = word(key, rms_fd=b.fd, rms_acc=b.conditional_accuracy, gan_fd=r.fd,
                                            prior_fd=prior.fd)
    best = mlp.fd.idxmin()
    v.update(best_name=labels[("mlp", *best)], best_fd=mlp.loc[best].fd, best_acc=mlp.loc[best].conditional_accuracy)
    every = summary.set_index(["architecture", "method", "gamma"])
    top, low = every.conditional_accuracy.idxmax(), every.fd.idxmin()
    v.update(max_acc=every.loc[top].conditional_accuracy, max_acc_name=labels[top], min_fd=every.loc[low].fd,
             min_fd_name=labels[low], min_fd_acc=every.loc[low].conditional_accuracy,
             min_fd_recall=every.loc[low].recall, max_acc_recall=every.loc[top].recall)
    runner = answer.runner_up(every, board) if board is not None else None
    if runner is not None:
        r = every.loc[runner]
        v.update(runner_name=labels[runner], runner_fd=r.fd, runner_acc=r.conditional_accuracy)
    base = (low[0], "prior", NO_GAMMA)  # the best method's own backbone's original CVAE, its baseline
    v["base_name"] = word(f"base_{low[0]}")
    v.update(answer.best_sentences(v, labels[top], labels[low], top == low, every.loc[base] if base in every.index
                                   else prior, word, real_accuracy))
    both = mlp[(mlp.precision > prior.precision) & (mlp.recall > prior.recall)]
    v["pr_both"] = (word("pr_some", names=word("list_sep").join(labels[("mlp", *i)] for i in both.index)) if len(both)
                    else word("pr_none"))
    above = every[every.conditional_accuracy > real_accuracy] if real_accuracy else every.iloc[:0]
    v["acc_above_real"] = (word("acc_above_real", real_acc=real_accuracy, max_acc_name=v["max_acc_name"],
                                names=word("list_sep").join(labels[i] for i in above.index), recall=every.loc[top].recall)
                           if len(above) else "")
    seconds = cost.get("epoch_seconds", {})
    if seconds.get(cost_key("mlp", "none")):
        for arch, extension, name in (("mlp", "vampprior", "vamp_cost"), ("mlp", "vaegan", "gan_cost"),
                                      ("conv", "vaegan", "conv_gan_cost")):
            if cost_key(arch, extension) in seconds:
                v[name] = seconds[cost_key(arch, extension)] / seconds[cost_key(arch, "none")]
        v["conv_cost_clause"] = word("conv_cost", conv_gan_cost=v["conv_gan_cost"]) if "conv_gan_cost" in v else ""
        v.update(seed_epoch_s=seconds[cost_key("mlp", "none")], n_trained_ext=cost["runs"],
                 ext_epochs=cost.get("epochs") or epochs,
                 ext_cpu_hours=cost["training_hours"])
    v.update(gmm_fit=cost.get("fit_seconds", {}).get("gmm", float("nan")),
             two_fit=cost.get("fit_seconds", {}).get("two_stage", float("nan")))
    if "gan_gamma" in v:  # the samplers on the MLP VAE-GAN with the lowest FD
        _sampled_values(v, mlp, v["gan_gamma"], "m", mlp.loc[("vaegan", v["gan_gamma"])], direction)
    v.update(answer.study_sentences(v, mlp, summary, word))
    conv = summary[summary.architecture == "conv"].set_index(["method", "gamma"])
    if ("prior", NO_GAMMA) not in conv.index:
        return marked(v)
    cp = conv.loc[("prior", NO_GAMMA)]
    v.update(conv_prior_fd=cp.fd, conv_prior_acc=cp.conditional_accuracy, conv_prior_racc=cp.reconstruction_accuracy,
             conv_prior_sharp=cp.relative_sharpness, conv_prior_recall=cp.recall)
    others = conv[conv.index.get_level_values(0) != "prior"]
    if len(others):
        cbest = others.fd.idxmin()
        v.update(conv_best_name=labels[("conv", *cbest)], conv_best_fd=conv.loc[cbest].fd,
                 conv_best_acc=conv.loc[cbest].conditional_accuracy)
    gans = conv[conv.index.get_level_values(0) == "vaegan"]
    if len(gans):
        g = gans.fd.idxmin()
        r = conv.loc[g]
        v.update(conv_gan_gamma=g[1], conv_gan_fd=r.fd, conv_gan_acc=r.conditional_accuracy, conv_gan_recall=r.recall,
                 conv_gan_precision=r.precision, conv_gan_sharp=r.relative_sharpness,
                 conv_gan_racc=r.reconstruction_accuracy, conv_gan_seeds=int(r.n_seeds), conv_gan_iwae=r.test_neg_iwae,
                 conv_prior_iwae=cp.test_neg_iwae,
                 conv_gan_fd_dir=direction(r.fd, cp.fd), conv_gan_acc_dir=direction(r.conditional_accuracy, cp.conditional_accuracy),
                 conv_gan_racc_dir=direction(r.reconstruction_accuracy, cp.reconstruction_accuracy))
        _sampled_values(v, conv, g[1], "c", r, direction)
        if ("rmsprop", NO_GAMMA) in conv.index:  # the conv CVAE with the VAE-GAN's optimizer: the conv control
            v.update(answer.conv_control(v, conv.loc[("rmsprop", NO_GAMMA)], word))
    v = marked({**v, **backbone.conv_vamp_values(conv, cp, direction)})  # the other retrained extension on conv
    return {**v, **backbone.conv_vamp_sentences(v, word)}


def _sampled_values(v: dict, rows: pd.DataFrame, gamma: float, prefix: str, gan, direction) -> None:
    """{prefix}tau_* and {prefix}gmm_* placeholders: the temperature and GMM samplers on one VAE-GAN (``gan``)."""
    for method, key in (("vaegan_temperature", "tau"), ("vaegan_gmm", "gmm")):
        if (method, gamma) in rows.index:
            r = rows.loc[(method, gamma)]
            v.update({f"{prefix}{key}_acc": r.conditional_accuracy, f"{prefix}{key}_fd": r.fd,
                      f"{prefix}{key}_recall": r.recall, f"{prefix}{key}_precision": r.precision,
                      f"{prefix}{key}_sharp": r.relative_sharpness,
                      f"{prefix}{key}_acc_dir": direction(r.conditional_accuracy, gan.conditional_accuracy),
                      f"{prefix}{key}_fd_dir": direction(r.fd, gan.fd)})



def trained_on_gpu(run_dirs) -> bool:
    """Whether every one of these runs was trained on a CUDA device (their environment.json says so)."""
    from ..training import runs
    return all(runs.read_json(Path(d) / runs.ENVIRONMENT).get("device", "").startswith("cuda") for d in run_dirs)
