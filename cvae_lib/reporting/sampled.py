"""The report's word on the likelihood of what the operating points sample (evaluation/sampled_likelihood.py): the
answer's trained model and its backbone's original CVAE, each sampler at the review's operating point, as -IWAE
(nats per image, lower is better) over seeds, with the paired gain over N(0, I) on the same images."""
from pathlib import Path

from ..evaluation.sampled_likelihood import SAMPLED
from ..evaluation.stats import t_interval
from ..training import runs
from .answer import by_criterion, family
from .review_table import backbone_original


def sampled_values(table: dict, labels: dict, runs_dir) -> dict:
    """method -> {"tau", "neg_iwae" and "neg_standard" (means over seeds of -L_k under the sampler and under N(0, I)),
    "gain" (t interval over seeds of the per-run mean gain, nats), "n_images", "k"} for every sampler of the answer's
    trained model (by_criterion's first) and of its backbone's original CVAE; {} unless every run of those methods
    has sampled_likelihood.json at the table's operating points."""
    first = by_criterion(table, labels)[0]
    models = {family(first), family(backbone_original(first))}
    out = {}
    for method, entry in table["methods"].items():
        if family(method) not in models or method not in labels:
            continue
        found = [runs.read_json(Path(runs_dir) / name / SAMPLED) for name in entry["runs"]
                 if (Path(runs_dir) / name / SAMPLED).exists()]
        rows = [f[entry["sampler"]] for f in found if entry["sampler"] in f and f[entry["sampler"]]["tau"] == entry["tau"]]
        if len(rows) < len(entry["runs"]):
            return {}
        out[method] = {"tau": entry["tau"], "neg_iwae": -sum(r["mean"] for r in rows) / len(rows),
                       "neg_standard": -sum(f["standard"]["mean"] for f in found) / len(found),
                       "gain": t_interval([r["gain"]["mean"] for r in rows])._asdict(),
                       "n_images": found[0]["key"]["images"], "k": found[0]["key"]["k"]}
    return out


def sampled_sentence(values: dict, table: dict, labels: dict, word) -> str:
    """Section 5's paragraph: each sampler's -IWAE under what it samples beside N(0, I), and the answer's price in
    likelihood against its backbone's original CVAE read again there; "" without values."""
    if not values:
        return ""
    first = by_criterion(table, labels)[0]
    base = backbone_original(first)
    if first not in values or base not in values:
        return ""
    items = [word("sampled_item", name=labels[m], tau=v["tau"], sampled=v["neg_iwae"], standard=v["neg_standard"])
             for m, v in values.items()]
    price = values[first]["neg_iwae"] - values[base]["neg_iwae"]
    return word("sampled_check", n_images=values[first]["n_images"], k=values[first]["k"],
                items=word("list_sep_strong").join(items), first=labels[first], base=labels[base],
                price=price, standard_price=values[first]["neg_standard"] - values[base]["neg_standard"])
