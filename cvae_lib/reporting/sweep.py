"""Sweep files: a YAML file lists training runs as parameter grids; each run executes train.ipynb.

    python -m cvae_lib sweep sweeps/report.yaml [--jobs N] [--scheduler tcp://HOST:8786] [--out DIR]

The file holds ``base`` (run parameters shared by every run), ``grids`` (each a mapping from a
parameter to a list of values; a grid contributes the product of its lists, the sweep is the union of
its grids) and optionally ``name``. Any run parameter (config.parameters(): training and evaluation,
e.g. ``iwae_k``) may appear in either. Each run's parameters are RunSpec's defaults, updated by
``base``, then by its grid point, then by the command line's (which therefore wins: ``--epochs 1``
trains every run one epoch). Execution (in parallel, or on a Dask cluster) is report.run_sweep's.
"""
import itertools
from pathlib import Path

from ..base.config import ConfigError, RunSpec, parameters


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
    unknown_keys = sorted(set(spec) - {"name", "base", "grids"})
    if unknown_keys:
        raise ConfigError(f"sweep file {path}: unknown key(s) {unknown_keys}; a sweep file has name, base and grids")
    spec.setdefault("name", path.stem)
    spec.setdefault("base", {})
    known = set(parameters()) - {"data_dir"}
    for where, mapping in [("base", spec["base"])] + [(f"grids[{i}]", g) for i, g in enumerate(spec["grids"])]:
        unknown = sorted(set(mapping) - known)
        if unknown:
            raise ConfigError(f"sweep file {path}: unknown parameter(s) {unknown} in {where}; known: {sorted(known)}")
    for i, grid in enumerate(spec["grids"]):
        for name, values in grid.items():
            if not isinstance(values, list) or not values:
                raise ConfigError(f"sweep file {path}: grids[{i}].{name} must be a non-empty list, got {values!r}")
    run_specs(spec)  # validates every run before any work
    return spec


def expand(spec: dict) -> list:
    """Every run's parameters from the file (base updated by one grid point), in file order, without two
    runs of one config."""
    out, seen = [], set()
    for grid in spec["grids"]:
        names = list(grid)
        for values in itertools.product(*(grid[n] for n in names)):
            run = {**spec["base"], **dict(zip(names, values))}
            key = tuple(sorted(RunSpec.from_params(run).params().items()))
            if key not in seen:
                seen.add(key)
                out.append(run)
    return out


def run_specs(spec: dict, overrides: dict = None) -> list:
    """The sweep's runs as RunSpecs: defaults < the file < ``overrides`` (the command line)."""
    return [RunSpec.from_params(run, overrides or {}) for run in expand(spec)]
