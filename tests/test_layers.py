"""The package's layers are its subpackages, and imports run one way, from the command line down to the base
layer (CONVENTIONS.md, item 13)."""
from cvae_lib.reporting import keys

ORDER = ["base", "modelling", "training", "evaluation", "reporting", "__main__"]
"""cvae_lib's subpackages from the bottom up; the command line (cvae_lib.__main__) on top"""


def layer_of(module: str) -> int:
    """Index in ORDER of a dotted cvae_lib module name (cvae_lib itself and its __init__ count as base)."""
    parts = module.split(".")
    return ORDER.index(parts[1]) if len(parts) > 1 else 0


def modules() -> list:
    found = []
    for path in sorted(keys.PACKAGE_DIR.rglob("*.py")):
        rel = path.relative_to(keys.PACKAGE_DIR).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        found.append(".".join([keys.PACKAGE, *parts]))
    return found


def test_every_module_lives_in_a_layer_and_layers_hold_no_subfolders_of_code():
    for module in modules():
        parts = module.split(".")
        assert len(parts) <= 3, module
        if len(parts) > 1:
            assert parts[1] in ORDER, f"{module} is outside the layers {ORDER}"
    assert {m.split(".")[1] for m in modules() if m.count(".") == 2} == set(ORDER) - {"__main__"}


def test_no_module_imports_one_of_a_higher_layer():
    upward = []
    for module in modules():
        source = keys.module_path(module).read_text(encoding="utf-8")
        for imported in keys.imported_modules(source, module):
            if layer_of(imported) > layer_of(module):
                upward.append(f"{module} imports {imported}")
    assert upward == []


def test_the_check_sees_an_upward_import():
    source = "from ..reporting import plots\n"
    imported = keys.imported_modules(source, "cvae_lib.modelling.models")
    assert imported == {"cvae_lib.reporting", "cvae_lib.reporting.plots"}
    assert max(map(layer_of, imported)) > layer_of("cvae_lib.modelling.models")


def test_no_module_is_much_over_350_lines():
    long = {str(p.relative_to(keys.PACKAGE_DIR)): n for p in keys.PACKAGE_DIR.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 360}
    assert long == {}


def test_the_names_config_accepts_are_the_registries():
    from cvae_lib.base import config
    from cvae_lib.modelling import losses, models
    from cvae_lib.training import objectives
    assert set(config.ARCHITECTURES) == set(models.MODELS)
    assert config.LIKELIHOODS is losses.LIKELIHOODS
    assert set(config.EXTENSIONS) == set(objectives.OBJECTIVES)
