"""Tables and conclusions across run folders, computed from their files (never retrained)."""
from pathlib import Path

import numpy as np
import pandas as pd

from ..training import runs
from ..modelling.models import build_model, count_parameters

FINAL = [f"{split}_{term}" for split in ("train", "test") for term in ("total", "reconstruction", "kl")]
# Evaluation metrics (metrics.json) compared across architectures: column -> (label, lower is better);
# None marks a descriptive metric, shown but not ranked: the likelihood bounds (the test -ELBO is a looser bound
# than -IWAE, and the Bernoulli and continuous-Bernoulli -IWAE are one model's likelihood under two normalizations,
# which can rank two models oppositely: no normalization is privileged, so none votes); the mean step along an
# interpolation grows with the distance between its endpoints, so neither direction is "better" (max / mean measures smoothness); more active
# units means the code carries more, which is neither good nor bad for generation by itself.
METRICS = {
    "test_neg_elbo": ("test −ELBO (nats)", None),
    "test_neg_iwae": ("test −IWAE bound (nats)", None),
    "test_neg_iwae_continuous_bernoulli": ("test −IWAE, continuous Bernoulli (nats)", None),
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
    size = runs.file_size(run_dir / runs.MODEL) if (run_dir / runs.MODEL).exists() else runs.state_dict_size(
        build_model(config.architecture, config.latent_size))
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
    ``resolved``: whether Welch's t-test rejects equal means at the 5 % level, i.e. the difference exceeds
    ``t_crit`` standard errors, the t quantile at the Welch–Satterthwaite degrees of freedom (about 2.8 for 3
    seeds each, where two standard errors would pass noise)."""
    va = table.loc[table.architecture == a, column].to_numpy(float)
    vb = table.loc[table.architecture == b, column].to_numpy(float)
    diff = vb.mean() - va.mean()
    se = float(np.sqrt(va.var(ddof=1) / len(va) + vb.var(ddof=1) / len(vb))) if min(len(va), len(vb)) > 1 \
        else float("nan")
    t_crit = float("nan")
    if se == se and se > 0:
        from scipy import stats
        da, db = va.var(ddof=1) / len(va), vb.var(ddof=1) / len(vb)
        dof = (da + db) ** 2 / (da ** 2 / (len(va) - 1) + db ** 2 / (len(vb) - 1))
        t_crit = float(stats.t.ppf(0.975, dof))
    p = float(2 * stats.t.sf(abs(diff) / se, dof)) if t_crit == t_crit else float("nan")  # Welch's two-sided p
    return {"diff": float(diff), "se": se, "n": (len(va), len(vb)), "t_crit": t_crit, "p": p,
            "resolved": bool(abs(diff) > t_crit * se) if t_crit == t_crit else False}


def holm(p_values: dict, alpha: float = 0.05) -> set:
    """The keys whose null hypotheses Holm's step-down procedure rejects at family-wise level ``alpha``: the
    smallest p against alpha / m, the next against alpha / (m - 1), ..., stopping at the first that fails (a NaN
    p is never rejected)."""
    order = sorted(((p, k) for k, p in p_values.items() if p == p), key=lambda pk: pk[0])  # keys of any kind
    m, rejected = len(p_values), set()
    for i, (p, key) in enumerate(order):
        if p > alpha / (m - i):
            break
        rejected.add(key)
    return rejected


def resolved_metrics(table: pd.DataFrame, a: str = "mlp", b: str = "conv") -> set:
    """The ranked metrics (METRICS' with a direction) present in ``table`` on which b and a differ: Welch's test
    per metric, Holm-corrected over them all, so that testing several metrics does not raise the chance of a
    verdict from noise above 5 %."""
    return holm({c: difference(table, c, a, b)["p"] for c in ranked_metrics(table)})


def ranked_metrics(table: pd.DataFrame) -> list:
    """The ranked metrics (METRICS' with a direction) that every row of ``table`` has: the family of Table 1's
    tests."""
    return [c for c in METRICS if METRICS[c][1] is not None and c in table.columns and table[c].notna().all()]


def rank_metrics(table: pd.DataFrame, a: str = "mlp", b: str = "conv") -> dict:
    """The ranked evaluation metrics present, split by whether b is better, worse or not resolved (Welch's t-test,
    Holm-corrected over the ranked metrics: resolved_metrics) than a."""
    present = [c for c in METRICS if c in table.columns and table[c].notna().all()]
    groups = {"better": [], "worse": [], "tied": []}
    resolved = resolved_metrics(table, a, b)
    for column in present:
        lower_is_better = METRICS[column][1]
        if lower_is_better is None:
            continue
        d = difference(table, column, a, b)
        if column not in resolved:
            groups["tied"].append(column)
        else:
            groups["better" if (d["diff"] < 0) == lower_is_better else "worse"].append(column)
    groups["descriptive"] = [c for c in present if METRICS[c][1] is None]
    return groups


def verdict_key(groups: dict) -> str:
    """Which verdict the counts support (the words are the document's, in each language): "beats" (better on
    some, worse on none), "tied" (no resolved difference), "all_worse", "mostly_worse" or "except" (better or
    tied on most, worse on the rest)."""
    better, worse, tied = groups["better"], groups["worse"], groups["tied"]
    if not worse:
        return "beats" if better else "tied"
    if not better and not tied:
        return "all_worse"
    return "mostly_worse" if len(worse) >= len(better) + len(tied) else "except"
