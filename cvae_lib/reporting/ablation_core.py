"""The ablation study's shared ground (reporting.ablation and reporting.holes): what one run
is scored by (its review's points at tau = 1, its sharpness and rate) and how one run's number stands against the
full model's seeds (verdict). Kept apart so that the study and the two tests of its reading import it, not each
other."""
from pathlib import Path

from ..evaluation.stats import prediction_p, welch_p
from ..training import runs

SAMPLERS = ("prior", "gmm")
JUDGES = ("classifier", "judge")
TAU = 1.0
"""the fixed temperature the study reads (Section 5's: the ablations change the training, not the sampling)"""


def point(review: dict, sampler: str, judge: str, tau: float = TAU, reference: str = "test") -> dict:
    """One judge's scores of one sampler at one temperature in a review.json."""
    for p in review["curves"][sampler]:
        if p["tau"] == tau:
            return p[reference][judge]
    raise ValueError(f"the review has no point at tau = {tau} for sampler {sampler!r}")


def scores(run_dir) -> dict:
    """What the ablation study reads of one run: sampler -> judge -> {fd, accuracy}, and the prior samples'
    sharpness and the rate (test KL per image) from metrics.json."""
    run_dir = Path(run_dir)
    review = runs.read_json(run_dir / "review.json")
    metrics = runs.read_json(run_dir / runs.METRICS)["metrics"]
    out = {s: {j: {q: point(review, s, j)[q] for q in ("fd", "accuracy")} for j in JUDGES} for s in SAMPLERS}
    out["sharpness"], out["rate"] = metrics["relative_sharpness"], metrics["test_kl"]
    return out


BASELINES = ("control", "original")
"""the runs shown beside the ablations for scale: the CVAE trained with the VAE-GAN's optimizer (the optimizer
alone) and the original CVAE, both on the same backbone"""


HOLE = "hole"
"""the key holes.add_holes gives the hole gap: shaped like a sampler's (judge -> fd): verdict and the cells read it"""
SIGNIFICANT = 0.05


def verdict(entry: dict, sampler: str, full: dict) -> str:
    """How one ablation's FD of one sampler stands against the full model's seeds in the two judges: "higher" or
    "lower" (both judges, both significant after Holm), "higher_one" or "lower_one" (one judge significant, the
    other not), "split" (the two significant in opposite directions), "same" (neither)."""
    sides = set()
    for j in JUDGES:
        if entry[sampler][j]["p_holm"] < SIGNIFICANT:
            mean = sum(full[sampler][j]["fd"]) / len(full[sampler][j]["fd"])
            sides.add("higher" if entry[sampler][j]["fd"] > mean else "lower")
        else:
            sides.add("same")
    if len(sides) == 1:
        return sides.pop()
    return "split" if sides == {"higher", "lower"} else f"{(sides - {'same'}).pop()}_one"


WORSE = ("higher", "higher_one")
"""the verdicts of an ablation whose FD rose significantly: in both judges, or in one"""


def group_p(values, full) -> float:
    """Two-sided p of an ablation's per-seed ``values`` against the full model's seeds ``full``: Welch's t-test where
    it has two seeds or more (the report's comparison of two recipes), the prediction-interval t-test where it has
    one (is it outside what another seed of the full recipe would give?)."""
    values = list(values)
    return welch_p(values, full) if len(values) > 1 else prediction_p(values[0], full)


def group_runs(entry: dict) -> list:
    """An ablation's runs, one per seed (summarize's "runs"; an entry with one "run" is that run alone)."""
    return entry.get("runs") or [entry.get("run")]


def seed_values(cell: dict) -> list:
    """One FD cell's per-seed values (summarize's "fds"; a cell without them is its single value)."""
    return cell.get("fds", [cell["fd"]])


def _mean(values) -> float:
    return sum(values) / len(values)


def _sd(values) -> float:
    """The sample standard deviation (n - 1)."""
    mean = _mean(values)
    return (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5


def _mean_sd(values, fmt: str, spread: bool = True, sep: str = " ± ") -> str:
    """The values' mean in ``fmt``, with their standard deviation after ``sep`` where there are two or more (and
    ``spread``); a signed format's spread is printed without its sign."""
    if len(values) < 2 or not spread:
        return fmt.format(_mean(values))
    return f"{fmt.format(_mean(values))}{sep}{fmt.replace('+', '').format(_sd(values))}"


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}"


def _single(table: dict) -> bool:
    """Whether some ablation was trained at one seed only (seed 0): the table then shows the full model's seed 0."""
    return any(len(group_runs(entry)) == 1 for entry in table["ablations"].values())


def _design_kind(table: dict) -> str:
    """"welch" where every ablation has several seeds, "single" where each has one, "mixed" otherwise."""
    seeds = [len(group_runs(entry)) for entry in table["ablations"].values()]
    many, one = any(n > 1 for n in seeds), any(n == 1 for n in seeds)
    return "mixed" if many and one else "welch" if many else "single"


def _feature_seeds(table: dict) -> int:
    """How many seeds the feature ablation was trained at (0 where it was not)."""
    entry = table["ablations"].get("no_feature")
    return len(group_runs(entry)) if entry else 0


def _pair(table: dict, name: str, key: str):
    """(the ablation ``name``'s ``key``, "rate" or "sharpness", its seeds' mean, and the full model's mean), or None
    where that ablation was not run."""
    entry = table["ablations"].get(name)
    return (entry[key], _mean(table["full"][key])) if entry else None


def design(table: dict, word) -> str:
    """How the ablations were run and tested: Welch's t-test for those with several seeds, the prediction-interval
    t-test (its statistic said) for those trained once, or both, naming which ablation had which."""
    n = len(table["full"]["runs"])
    seeds = {name: len(group_runs(entry)) for name, entry in table["ablations"].items()}
    many, one = [k for k, v in seeds.items() if v > 1], [k for k, v in seeds.items() if v == 1]
    def quoted(names):  # each ablation's name in its own quotes
        return word("list_sep").join(word("abl_quoted", name=word(f"abl_{k}")) for k in names)

    said = dict(n=n, df=n - 1, many=quoted(many), one=quoted(one), k=max(seeds.values(), default=1))
    return word("abl_design_" + _design_kind(table), **said)


def _recon_gmm_side(verdicts: dict) -> str:
    """The third ablation's verdict on the GMM's draws, as its words name it: "higher" (worse in one judge or both),
    "same", or "other"."""
    gmm = verdicts.get(("no_recon_gan", "gmm"))
    return "higher" if gmm in WORSE else "same" if gmm == "same" else "other"
