"""The hyperparameter appendix: every method's and every judge's settings, read from the run folders that were
scored (each run's config.json, the samplers' and the review's records of what BIC chose, the judges' configs),
so that the table cannot drift from what was run. Words come from the document's language file (``word``)."""
import inspect
import json
from pathlib import Path

from ..training import runs


def span(values) -> str:
    """"4–8" for a set of numbers with a range, "8" for one value."""
    low, high = min(values), max(values)
    return f"{low:g}" if low == high else f"{low:g}–{high:g}"


def rate(x: float) -> str:
    """A learning rate or weight decay as the text writes it: "10⁻³", "3×10⁻⁴"; a number that is not one digit times
    a power of ten below 1 as it is ("0.25")."""
    mantissa, exponent = f"{x:.0e}".split("e")
    if x <= 0 or x >= 1 or float(f"{mantissa}e{exponent}") != x:
        return f"{x:g}"
    power = "10" + str(int(exponent)).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    return power if mantissa == "1" else f"{mantissa}×{power}"


def _training(configs: list, word, optimizer: str = None) -> str:
    """One training recipe in words, from configs that share it (their seeds listed)."""
    c = configs[0]
    name = optimizer or c.optimizer
    return word("hp_training", optimizer=word(f"hp_opt_{name}"), lr=rate(c.learning_rate), batch=c.batch_size,
                epochs=c.epochs, seeds=word("list_sep").join(str(s) for s in sorted({x.seed for x in configs})))


def chosen_components(run_dirs, file: str) -> list:
    """Every per-class mixture size BIC chose in ``file`` (samplers.json: the extensions' section; review.json: the
    review's) over ``run_dirs``, with the candidates it chose from: (chosen, candidates); ([], []) where none."""
    chosen, candidates = [], set()
    for d in run_dirs:
        path = Path(d) / file
        if not path.exists():
            continue
        record = json.loads(path.read_text())
        gmm = record.get("details", {}).get("gmm", {})
        if "components" in gmm:
            chosen += gmm["components"]
            candidates |= set(record["key"]["gmm_components"])
    return chosen, sorted(candidates)


def same_mixtures(run_dirs) -> bool:
    """Whether BIC chose the same size for every class in the extensions' section (samplers.json) and the review
    (review.json) of each run that has both: then both sections sample the same mixtures (same codes, same seed)."""
    pairs = [tuple(chosen_components([d], f)[0] for f in ("samplers.json", "review.json")) for d in run_dirs]
    pairs = [(a, b) for a, b in pairs if a and b]
    return bool(pairs) and all(a == b for a, b in pairs)


def judge_settings(judge_dir, word) -> str:
    """The second judge's training, as the hyperparameter table and Section 1 state it, from its config.json."""
    judge = runs.read_json(Path(judge_dir) / "config.json")
    return word("hp_judge_set", epochs=judge["epochs"], lr=rate(judge['learning_rate']), batch=judge["batch_size"],
                wd=rate(judge['weight_decay']), shift=judge["shift"], width=judge["width"], seed=judge["seed"])


def _own(training: str, own: str) -> str:
    """A retrained extension's settings: its training (may be "") then its own, which open with a separator that
    only follows something."""
    return training + own if training else own.lstrip("；;").strip()


def hyperparameter_rows(run_dirs, extension_dirs, classifier_dir, judge_dir, review: dict, temperature: float,
                        word, training: bool = True) -> list:
    """[what, settings] rows: the original CVAEs, each extension found among ``extension_dirs``, the two judges and
    CAS (``review``: the review's summary, or None without one). ``training`` False leaves out of the retrained
    extensions' rows the optimizer, step size, batch, epochs and seeds they share with the original CVAEs' (the
    PDF's short account says those once)."""
    from ..modelling.priors import train_second_stage
    configs = [runs.read_config(d) for d in list(run_dirs) + list(extension_dirs)]
    mains = configs[:len(run_dirs)]
    extensions = configs[len(run_dirs):]
    rows = [[word("hp_original"), _training(mains, word) + word("hp_latent", latent=mains[0].latent_size)]]
    main, wide = (Path(run_dirs[0]) / name for name in ("review.json", "review_wide.json"))  # the review's grids as run:
    grid = json.loads(main.read_text())["key"]["temperatures"] if review and main.exists() else []  # the choices'
    more = [t for t in (json.loads(wide.read_text())["key"]["temperatures"] if grid and wide.exists() else [])
            if t > max(grid)]  # the curves continued above it (scripts/review.py --wide)
    taus = word("list_sep").join(f"{t:g}" for t in sorted({e["tau"] for e in (review or {}).get("methods", {}).values()}))
    rows.append([word("hp_temperature"), word("hp_temperature_set", tau=f"{temperature:g}")
                 + (word("hp_temperature_review", grid=word("list_sep").join(f"{t:g}" for t in grid), taus=taus,
                         more=word("hp_grid_more", taus=word("list_sep").join(f"{t:g}" for t in more)) if more else "")
                    if grid else "")])
    gmm = []
    for file, key in (("samplers.json", "hp_gmm_extensions"), ("review.json", "hp_gmm_review"))[:2 if review else 1]:
        chosen, candidates = chosen_components(list(run_dirs) + list(extension_dirs), file)
        if chosen:
            gmm.append(word(key, candidates=word("list_sep").join(map(str, candidates)), chosen=span(chosen)))
    if gmm:
        same = len(gmm) == 2 and same_mixtures(list(run_dirs) + list(extension_dirs))
        rows.append([word("hp_gmm"), word("hp_gmm_fit") + word("list_sep_strong").join(gmm)
                     + (word("hp_gmm_same") if same else "")])
    stage = [json.loads((Path(d) / "samplers.json").read_text())["details"].get("two_stage", {})
             for d in run_dirs if (Path(d) / "samplers.json").exists()]
    stage = [s for s in stage if "epochs" in s]
    if stage:
        defaults = inspect.signature(train_second_stage).parameters
        rows.append([word("hp_two_stage"), word("hp_two_stage_set", epochs=stage[0]["epochs"],
                                                 hidden=defaults["hidden"].default, batch=defaults["batch_size"].default,
                                                 lr=rate(defaults['learning_rate'].default))])
    vamp = [c for c in extensions if c.extension == "vampprior"]
    if vamp:
        rows.append([word("hp_vampprior"), _own(_training(vamp, word) if training else "",
                                                word("hp_pseudo", n=vamp[0].vamp_pseudo_inputs))])
    gans = [c for c in extensions if c.extension == "vaegan"]
    if gans:  # the VAE-GAN always trains with RMSprop (vaegan.vaegan_optimizers), whatever config.optimizer says
        gammas = word("list_sep_strong").join(  # each backbone's weights: not every γ on both
            word("hp_gamma_item", backbone=word(f"backbone_{a}").strip(), gammas=word("list_sep").join(
                f"{g:g}" for g in sorted({c.gan_gamma for c in gans if c.architecture == a})))
            for a in ("mlp", "conv") if any(c.architecture == a for c in gans))
        rows.append([word("hp_vaegan"), _own(_training(gans, word, "rmsprop") if training else "",
                                             word("hp_gamma", gammas=gammas))])
    controls = [c for c in extensions if c.extension == "none" and c.optimizer == "rmsprop"]
    if controls:
        rows.append([word("hp_rmsprop"), _training(controls, word)])
    clf = runs.read_json(Path(classifier_dir) / "config.json")
    rows.append([word("hp_classifier"), word("hp_classifier_set", epochs=clf["epochs"], lr=rate(clf['learning_rate']),
                                             batch=clf["batch_size"], seed=clf["seed"])])
    if review and (Path(judge_dir) / "config.json").exists():
        rows.append([word("hp_judge"), judge_settings(judge_dir, word)])
        rows.append([word("hp_cas"), word("hp_cas_set", per_class=f"{review['cas_per_class']:,}",
                                          seeds=review["cas_seeds"], epochs=clf["epochs"])])
    return rows
