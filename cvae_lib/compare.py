"""Tables and conclusions across run folders, computed from their files (never retrained)."""
from pathlib import Path

import numpy as np
import pandas as pd

from . import runs
from .models import build_model, count_parameters

FINAL = [f"{split}_{term}" for split in ("train", "test") for term in ("total", "reconstruction", "kl")]
# Evaluation metrics (metrics.json) compared across architectures: column -> (label, lower is better);
# None marks a descriptive metric, shown but not ranked: the mean step along an interpolation grows with the
# distance between its endpoints, so neither direction is "better" (max / mean measures smoothness); more active
# units means the code carries more, which is neither good nor bad for generation by itself.
METRICS = {
    "test_neg_elbo": ("test −ELBO (nats)", True),
    "test_neg_iwae": ("test −IWAE bound (nats)", True),
    "test_neg_iwae_continuous_bernoulli": ("test −IWAE, continuous Bernoulli (nats)", True),
    "active_units": ("active latent units", None),
    "conditional_accuracy": ("conditional accuracy", False),
    "fd": ("Fréchet distance to the test set", True),
    "reconstruction_accuracy": ("classifier accuracy on reconstructions", False),
    "interp_cross_mean_step_change": ("mean image change per interpolation step", None),
    "interp_cross_max_over_mean": ("max / mean step change along a path", True),
}


def summarize(run_dir) -> dict:
    """One finished run in numbers: size, final losses (nats per image), speed."""
    run_dir = Path(run_dir)
    runs.require_finished(run_dir)
    config = runs.read_config(run_dir)
    history = runs.read_history(run_dir)
    size = runs.file_size(run_dir / runs.MODEL)
    last = history.iloc[-1]
    return {
        "run": run_dir.name, "architecture": config.architecture, "seed": config.seed, "beta": config.beta,
        "likelihood": config.likelihood, "kl_warmup_epochs": config.kl_warmup_epochs,
        "epochs": int(last["epoch"]),
        "parameters": count_parameters(build_model(config.architecture, config.latent_size)),
        "checkpoint_bytes": size["bytes"], "checkpoint_mib": round(size["mib"], 3),
        "checkpoint_ls_h": size["ls_h"],
        **{k: float(last[k]) for k in FINAL},
        "seconds_per_epoch": float(history["seconds"].median()),
        "training_seconds": float(history["seconds"].sum()),
        **evaluation_columns(run_dir),
    }


def evaluation_columns(run_dir) -> dict:
    """The scalar metrics of metrics.json, flattened (empty when the run was not evaluated)."""
    path = Path(run_dir) / runs.METRICS
    if not path.exists():
        return {}
    saved = runs.read_json(path)
    m = saved["metrics"]
    out = {k: v for k, v in m.items() if isinstance(v, (int, float))}
    out["iwae_k"] = saved["eval_config"]["iwae_k"]
    out["evaluation_seconds"] = float(sum(saved.get("seconds", {}).values()))
    # A true log-density bound for every likelihood: the continuous Bernoulli normalization for the
    # Bernoulli decoder, the run's own likelihood otherwise (it is a density already).
    out["test_neg_iwae_density"] = m.get("test_neg_iwae_continuous_bernoulli", m["test_neg_iwae"])
    for kind, short in (("same_class", "same"), ("cross_class", "cross")):
        for k, v in m["interpolation"][kind].items():
            out[f"interp_{short}_{k}"] = v
    return out


def summary_table(run_dirs) -> pd.DataFrame:
    return pd.DataFrame([summarize(d) for d in run_dirs])


def mean_std(table: pd.DataFrame, column: str, digits: int = 2) -> pd.Series:
    """"mean ± std" strings per architecture (std omitted with a single seed)."""
    def fmt(values):
        if len(values) < 2:
            return f"{values.mean():.{digits}f}"
        return f"{values.mean():.{digits}f} ± {values.std(ddof=1):.{digits}f}"
    return table.groupby("architecture", sort=False)[column].agg(fmt)


def difference(table: pd.DataFrame, column: str, a: str, b: str) -> dict:
    """Mean of b minus mean of a, its standard error (Welch) where both have two seeds or more, and
    ``resolved``: whether the difference exceeds two standard errors (the one significance test here)."""
    va = table.loc[table.architecture == a, column].to_numpy(float)
    vb = table.loc[table.architecture == b, column].to_numpy(float)
    diff = vb.mean() - va.mean()
    se = float(np.sqrt(va.var(ddof=1) / len(va) + vb.var(ddof=1) / len(vb))) if min(len(va), len(vb)) > 1 \
        else float("nan")
    return {"diff": float(diff), "se": se, "n": (len(va), len(vb)), "resolved": bool(abs(diff) > 2 * se)}


def size_sentence(table: pd.DataFrame, a: str = "mlp", b: str = "conv") -> str:
    """Parameters and checkpoint sizes of b against a, with "fewer"/"more" following the numbers."""
    first = table.groupby("architecture").first()
    pa, pb = int(first.loc[a, "parameters"]), int(first.loc[b, "parameters"])
    relation = (f"{100 * abs(1 - pb / pa):.1f}% {'fewer' if pb < pa else 'more'}" if pb != pa else "the same number")
    return (f"{b} has {pb:,} parameters against {a}'s {pa:,} ({relation}); its saved state dict takes "
            f"{first.loc[b, 'checkpoint_bytes']:,} bytes against {first.loc[a, 'checkpoint_bytes']:,}, which `ls -lh` "
            f"prints as {first.loc[b, 'checkpoint_ls_h']} vs {first.loc[a, 'checkpoint_ls_h']}: 4 bytes per float32 "
            "parameter plus a few KB of archive overhead, in MiB rounded up.")


def speed_sentence(table: pd.DataFrame, a: str = "mlp", b: str = "conv") -> str:
    """Epoch time of b against a; the remark on compute only where the smaller model is the slower one."""
    epoch = table.groupby("architecture")["seconds_per_epoch"].median()
    params = table.groupby("architecture")["parameters"].first()
    out = (f"An epoch of {b} takes {epoch[b] / epoch[a]:.1f}× as long as one of {a} on this machine "
           f"({epoch[b]:.1f} s vs {epoch[a]:.1f} s, medians over epochs and runs, measured while training)")
    smaller, larger = (b, a) if params[b] < params[a] else (a, b)
    if params[a] != params[b] and epoch[smaller] > epoch[larger]:
        out += (f": {smaller} has fewer parameters but needs more compute, since convolutions reuse each weight "
                "at many positions")
    return out + "."


def conclusions(table: pd.DataFrame, a: str = "mlp", b: str = "conv") -> list:
    """Sentences comparing architecture b with a, each computed from the table."""
    if not {a, b} <= set(table.architecture):
        return [f"Both {a} and {b} runs are needed for a comparison; got {sorted(set(table.architecture))}."]
    out = [size_sentence(table, a, b)]
    for column, what in (("test_total", "final test −ELBO"), ("test_reconstruction", "final test reconstruction"),
                         ("test_kl", "final test KL")):
        d = difference(table, column, a, b)
        word = "lower" if d["diff"] < 0 else "higher"
        if np.isnan(d["se"]):
            verdict = "(one seed each, so no error bar: treat small differences as noise)"
        elif not d["resolved"]:
            verdict = f"within two standard errors ({d['se']:.2f}) over {d['n'][0]} and {d['n'][1]} seeds: no clear difference"
        else:
            verdict = f"more than two standard errors ({d['se']:.2f}) over {d['n'][0]} and {d['n'][1]} seeds"
        out.append(f"{b}'s {what} is {abs(d['diff']):.2f} nats per image {word} than {a}'s, {verdict}.")
    out += metric_verdicts(table, a, b)
    out.append(speed_sentence(table, a, b))
    return out


def rank_metrics(table: pd.DataFrame, a: str = "mlp", b: str = "conv") -> dict:
    """The ranked evaluation metrics present, split by whether b is better, worse or not resolved (2 SE) than a."""
    present = [c for c in METRICS if c in table.columns and table[c].notna().all()]
    groups = {"better": [], "worse": [], "tied": []}
    for column in present:
        lower_is_better = METRICS[column][1]
        if lower_is_better is None:
            continue
        d = difference(table, column, a, b)
        if not d["resolved"]:
            groups["tied"].append(column)
        else:
            groups["better" if (d["diff"] < 0) == lower_is_better else "worse"].append(column)
    groups["descriptive"] = [c for c in present if METRICS[c][1] is None]
    return groups


def overall_verdict(groups: dict, b: str = "conv", a: str = "mlp") -> str:
    """The verdict's words, following the counts: "beats", "matches or beats ... except", "is worse on", ..."""
    label = lambda cs: ", ".join(METRICS[c][0] for c in cs)  # noqa: E731
    better, worse, tied = groups["better"], groups["worse"], groups["tied"]
    if not worse and better:
        return f"{b} matches or beats {a} on every ranked metric"
    if not worse:
        return f"{b} and {a} cannot be told apart on any ranked metric"
    if not better and not tied:
        return f"{b} is worse than {a} on every ranked metric"
    if len(worse) >= len(better) + len(tied):
        return f"{b} is worse than {a} on most ranked metrics ({label(worse)})"
    return f"{b} matches or beats {a} on every ranked metric except {label(worse)}"


def metric_verdicts(table: pd.DataFrame, a: str = "mlp", b: str = "conv") -> list:
    """Does b match a? One sentence over the ranked evaluation metrics (better / worse / no clear difference at 2 SE)."""
    groups = rank_metrics(table, a, b)
    ranked = groups["better"] + groups["worse"] + groups["tied"]
    if not ranked:
        return []
    label = lambda cs: ", ".join(METRICS[c][0] for c in cs) or "none"  # noqa: E731
    seeds = table.groupby("architecture").size()
    caveat = " (one seed per architecture: every difference counts as unresolved)" if seeds.min() < 2 else ""
    params = table.groupby("architecture")["parameters"].first()
    size = (f", with {100 * abs(1 - params[b] / params[a]):.0f}% {'fewer' if params[b] < params[a] else 'more'} "
            "parameters") if params[b] != params[a] else ""
    descriptive = [METRICS[c][0] for c in groups["descriptive"]]
    note = f" ({', '.join(descriptive)}: shown, not ranked.)" if descriptive else ""
    return [f"Across {len(ranked)} ranked evaluation metrics{caveat}, {b} is better on {len(groups['better'])} "
            f"({label(groups['better'])}), worse on {len(groups['worse'])} ({label(groups['worse'])}) and "
            f"indistinguishable within two standard errors on {len(groups['tied'])}: "
            f"{overall_verdict(groups, b, a)}{size}.{note}"]


def beta_trend(table: pd.DataFrame, column: str) -> str:
    """How a metric moves across the Bernoulli runs of a beta sweep, from the smallest beta to the largest."""
    runs_ = table[table.likelihood == "bernoulli"].sort_values("beta")
    if len(runs_) < 2 or column not in runs_:
        return f"too few Bernoulli runs to trace {column} across beta"
    first, last = runs_.iloc[0], runs_.iloc[-1]
    return (f"{column} goes from {first[column]:.4g} at beta = {first.beta:g} to {last[column]:.4g} at "
            f"beta = {last.beta:g} (" + ", ".join(f"{b:g}: {v:.4g}" for b, v in zip(runs_.beta, runs_[column])) + ")")
