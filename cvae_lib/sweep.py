"""Sweeps: a YAML file lists training runs as parameter grids; each run executes train.ipynb.

    python -m cvae_lib sweep sweeps/report.yaml [--jobs N] [--scheduler tcp://HOST:8786] [--out DIR]

The file holds ``base`` (train.ipynb parameters shared by every run), ``grids`` (each a mapping
from parameter to a list of values; a grid contributes the product of its lists, the sweep is the
union of its grids) and optionally ``eval`` (iwae_k, eval_samples_per_class, interpolation_pairs
for these runs, in place of the command line's). A run whose notebook is up to date is skipped. Runs execute in parallel, up to
``--jobs`` at a time on this machine, or on an existing Dask distributed cluster given its scheduler
address (the workers must see the same file system and have cvae_lib installed). Then sweep.ipynb
renders the rate–distortion plot and the metrics across the sweep.
"""
import concurrent.futures
import itertools
import multiprocessing
import os
from dataclasses import asdict, fields
from pathlib import Path

from .config import ConfigError, TrainConfig

EVAL_FIELDS = ("iwae_k", "eval_samples_per_class", "interpolation_pairs")
SHORT = {"beta": "beta", "kl_warmup_epochs": "warmup", "latent_size": "z", "learning_rate": "lr",
         "batch_size": "batch", "gaussian_sigma": "sigma"}


def load_sweep(path) -> dict:
    """The sweep file, checked: known parameters only, every grid value a non-empty list, every run valid."""
    import yaml
    path = Path(path)
    try:
        spec = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"sweep file {path} cannot be read: {e}") from e
    if not isinstance(spec, dict) or not isinstance(spec.get("grids"), list):
        raise ConfigError(f"sweep file {path} must be a mapping with a 'grids' list (and optional 'name', 'base')")
    spec.setdefault("name", path.stem)
    spec.setdefault("base", {})
    spec.setdefault("eval", {})
    bad_eval = sorted(set(spec["eval"]) - set(EVAL_FIELDS))
    if bad_eval or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in spec["eval"].values()):
        raise ConfigError(f"sweep file {path}: 'eval' takes positive integers for {list(EVAL_FIELDS)}, "
                          f"got {spec['eval']}")
    known = {f.name for f in fields(TrainConfig)} - {"device", "data_dir", "train_subset", "test_subset"}
    for where, mapping in [("base", spec["base"])] + [(f"grids[{i}]", g) for i, g in enumerate(spec["grids"])]:
        unknown = sorted(set(mapping) - known)
        if unknown:
            raise ConfigError(f"sweep file {path}: unknown parameter(s) {unknown} in {where}; known: {sorted(known)}")
    for i, grid in enumerate(spec["grids"]):
        for name, values in grid.items():
            if not isinstance(values, list) or not values:
                raise ConfigError(f"sweep file {path}: grids[{i}].{name} must be a non-empty list, got {values!r}")
    for run in expand(spec):
        TrainConfig(**run)  # validates every run before any work
    return spec


def expand(spec: dict) -> list:
    """Every run's parameters (base updated by one grid point), in file order, without two runs of one config."""
    runs, seen = [], set()
    for grid in spec["grids"]:
        names = list(grid)
        for values in itertools.product(*(grid[n] for n in names)):
            run = {**spec["base"], **dict(zip(names, values))}
            key = tuple(sorted(asdict(TrainConfig(**run)).items()))
            if key not in seen:
                seen.add(key)
                runs.append(run)
    return runs


def run_name(params: dict) -> str:
    """``<architecture>-s<seed>`` plus every parameter but epochs that differs from TrainConfig's default.

    A run with default values is named like the report's main runs, so it reuses their folder; a
    folder trained for another number of epochs is refused by the trainer's config check.
    """
    config, default = asdict(TrainConfig(**params)), asdict(TrainConfig())
    name = f"{config['architecture']}-s{config['seed']}"
    for field in ("beta", "likelihood", "kl_warmup_epochs", "latent_size", "learning_rate", "batch_size",
                  "gaussian_sigma"):
        if config[field] != default[field]:
            value = config[field]
            name += f"-{value}" if field == "likelihood" else f"-{SHORT[field]}{value:g}"
    return name


def _limit_threads(threads: int) -> None:
    # Inherited by each notebook kernel: N jobs share the cores instead of oversubscribing them.
    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(threads)


def execute_all(tasks, jobs: int = 1, scheduler=None, log=print) -> list:
    """Run ``report.execute_step`` on each task: here (``jobs`` processes) or on a Dask cluster.

    Returns the results in task order; a failure is returned as a result, not raised, so that one
    failed run does not cancel the others.
    """
    from .report import execute_step
    if not tasks:
        return []
    if scheduler:
        from distributed import Client, as_completed
        with Client(scheduler) as client:
            futures = {client.submit(execute_step, *t, pure=False, key=f"cvae-{t[0].name}"): i
                       for i, t in enumerate(tasks)}
            results = [None] * len(tasks)
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                result = results[futures[future]]
                log(f"{result['name']}: {result['status']} (worker process {result['pid']})")
            return results
    if jobs == 1:
        return [execute_step(*t) for t in tasks]
    threads = max(1, (os.cpu_count() or 1) // jobs)
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                                                initializer=_limit_threads, initargs=(threads,)) as pool:
        results = list(pool.map(execute_step, *zip(*tasks)))
    for r in results:
        log(f"{r['name']}: {r['status']} (process {r['pid']})")
    return results
