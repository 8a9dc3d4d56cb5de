"""What a pipeline step's cache key is made of, and why it is made that way.

Two kinds of cached work, keyed two ways:

* **Results that cost minutes to hours** -- trained weights, evaluation metrics, sampler scores -- are cached
  in their run folder and keyed on their parameters and on *explicit versions* of the code that computes them
  (``objectives.training_version``, ``metrics.EVALUATION_VERSION``, ``extensions.SAMPLERS_VERSION``; the
  evaluation classifier is committed and reused on its config). A version is bumped by the change that alters what the code computes,
  and ``tests/test_versions.py`` fails when the computed numbers move while the version stays. Bytes would be
  the wrong key there: a comment, a rename or moving a function to another module would throw away hours of
  training, and the cache would punish cleaning the code.
* **Pages and documents that cost seconds** are keyed here, on bytes: the notebook, its parameters, the source
  of every ``cvae_lib`` module it imports (followed through the imports, function-level ones included; ast,
  not regexes), the data files those modules read (prose, templates), and the result files the page shows.
  A false alarm here costs a re-render, never a retraining.

``step_inputs`` returns these as a mapping name -> digest, which the stamp keeps, so that a plan can say which
input changed.
"""
import ast
import hashlib
import json
from pathlib import Path

PACKAGE = "cvae_lib"
PACKAGE_DIR = Path(__file__).resolve().parents[1]
DATA_FILES = {"cvae_lib.reporting.document": ("reporting/text/*.yaml",), "cvae_lib.reporting.pages": ("reporting/templates/*/*",)}
"""files a module reads at run time, which belong to its code (prose in two languages, the LaTeX template)"""
EXPORT_MODULES = ("cvae_lib.reporting.pages", "cvae_lib.reporting.pdfcheck")
"""what exports and checks every page, outside the notebook (steps.execute_step)"""
RUN_RESULT_FILES = ("config.json", "model.pt", "history.csv", "metrics.json", "samplers.json", "sampler_samples.pt",
                    "summary.json", "reference.json")
"""the files of a run folder that pages show (state.pt, a checkpoint in progress, and figures/, which the pages
write, are not inputs)"""
REVIEWED_RUN_FILES = RUN_RESULT_FILES + ("review.json", "review_heldout.json", "review_wide.json", "operating_point.json")
"""the same and the review's files (review.json of the review step; the held-out and wide checks' and the operating
point's of scripts/review.py and scripts/operating_point.py), for the documents that show the review: only steps after the
review may read them (the review writes it into the run folders the extensions step reads, which would otherwise
be stale after every build)"""

_digests: dict = {}


def digest(path: Path) -> str:
    """SHA-256 of a file's bytes ("absent" when there is none), memoized on (path, size, mtime)."""
    path = Path(path)
    try:
        stat = path.stat()
    except FileNotFoundError:
        return "absent"
    memo = (str(path), stat.st_size, stat.st_mtime_ns)
    if memo not in _digests:
        _digests[memo] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _digests[memo]


def module_path(name: str):
    """The source file of a cvae_lib module (a package's __init__.py), or None when there is none."""
    parts = name.split(".")[1:]
    base = PACKAGE_DIR.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def imported_modules(source: str, module: str = PACKAGE) -> set:
    """The cvae_lib modules a piece of source imports, anywhere in it (``module``: its own name, for the
    relative imports of a module inside the package)."""
    package = module if module_path(module) and module_path(module).name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == PACKAGE}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if target.split(".")[0] != PACKAGE:
                continue
            found.add(target)
            found |= {f"{target}.{a.name}" for a in node.names if module_path(f"{target}.{a.name}")}
    return {m for m in found if module_path(m)}


def closure(modules) -> list:
    """Every cvae_lib module the given ones import, directly or not, themselves included (sorted)."""
    todo, seen = list(modules), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for parent in _parents(name):  # importing a.b runs a/__init__.py first
            todo.append(parent)
        todo.extend(imported_modules(module_path(name).read_text(encoding="utf-8"), name) - seen)
    return sorted(seen)


def _parents(name: str) -> list:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def notebook_modules(path: Path) -> set:
    """The cvae_lib modules a notebook's code cells import (IPython magics and shell lines left out)."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    found = set()
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        found |= imported_modules("\n".join(lines))
    return found


def code_files(notebook: Path, extra_modules=EXPORT_MODULES) -> list:
    """The files whose bytes a page of ``notebook`` depends on: the notebook, the modules it imports (and what
    they import), those modules' data files."""
    modules = closure(notebook_modules(notebook) | set(extra_modules))
    files = [Path(notebook)] + [module_path(m) for m in modules]
    for module in modules:
        for pattern in DATA_FILES.get(module, ()):
            files.extend(sorted(PACKAGE_DIR.glob(pattern)))
    return files


PAGE_RUN_FILES = ("config.json", "model.pt", "history.csv", "metrics.json", "reference.json")
"""what a run's own page shows of its folder and the classifier's (not the latent samplers' results, which
the extensions page adds to the main runs' folders later in the same build)"""


def step_inputs(notebook: Path, parameters: dict, files, run_dirs, root: Path, extra: dict = None,
                run_files=RUN_RESULT_FILES) -> dict:
    """Name -> digest of everything a page depends on: the code (code_files), its parameters, the ``files`` and
    the ``run_files`` of the ``run_dirs`` it reads, and ``extra`` values (e.g. the PDF switch). Code is named
    as in the repository (notebooks/x.ipynb, cvae_lib/...), wherever the package lives; other files by their
    path relative to ``root``."""
    def name(path):
        path = Path(path).resolve()
        return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    code = code_files(notebook)
    inputs = {f"notebooks/{Path(notebook).name}": digest(code[0])}
    inputs.update({f"{PACKAGE}/{p.relative_to(PACKAGE_DIR)}": digest(p) for p in code[1:]})
    inputs["parameters"] = hashlib.sha256(json.dumps(parameters, sort_keys=True).encode()).hexdigest()
    for path in [*map(Path, files), *(Path(d) / n for d in run_dirs for n in run_files)]:
        inputs[name(path)] = digest(path)
    inputs.update({k: str(v) for k, v in (extra or {}).items()})
    return inputs


def key_of(inputs: dict) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def changed(old: dict, new: dict) -> list:
    """The names whose digest differs between two input mappings (added and removed ones included), sorted
    with code first."""
    names = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return sorted(names, key=lambda k: (not k.startswith(PACKAGE), k != "parameters", k))
