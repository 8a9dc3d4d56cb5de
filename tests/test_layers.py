"""Imports run one way, from the command line down to the base layer (CONVENTIONS.md, item 13)."""
from cvae_lib import keys

LAYERS = {
    "base": ("config", "data", "fileio"),
    "models": ("models", "losses", "priors", "vaegan", "reference"),
    "training": ("objectives", "train", "runs"),
    "evaluation": ("evaluate", "metrics", "fidelity", "classifier", "generate", "extensions"),
    "report": ("plots", "compare", "findings", "leaderboard", "document", "demos", "pages", "pdfcheck", "steps", "keys",
               "schedule", "report", "sweep", "explore"),
    "command line": ("__main__",),
}
ORDER = list(LAYERS)


def layer_of(module: str) -> int:
    name = module.split(".")[-1]
    return next(i for i, members in enumerate(LAYERS.values()) if name in members)


def test_every_module_has_a_layer():
    modules = {p.stem for p in keys.PACKAGE_DIR.glob("*.py")} - {"__init__"}
    assert modules == {m for members in LAYERS.values() for m in members}


def test_no_module_imports_one_of_a_higher_layer():
    upward = []
    for members in LAYERS.values():
        for name in members:
            module = f"cvae_lib.{name}"
            source = keys.module_path(module).read_text(encoding="utf-8")
            for imported in keys.imported_modules(source, module) - {"cvae_lib"}:
                if layer_of(imported) > layer_of(module):
                    upward.append(f"{name} ({ORDER[layer_of(module)]}) imports {imported} "
                                  f"({ORDER[layer_of(imported)]})")
    assert upward == []


def test_no_module_is_much_over_350_lines():
    long = {p.name: n for p in keys.PACKAGE_DIR.glob("*.py") if (n := len(p.read_text().splitlines())) > 360}
    assert long == {}


def test_the_names_config_accepts_are_the_registries():
    from cvae_lib import config, losses, models, objectives
    assert set(config.ARCHITECTURES) == set(models.MODELS)
    assert config.LIKELIHOODS is losses.LIKELIHOODS
    assert set(config.EXTENSIONS) == set(objectives.OBJECTIVES)
