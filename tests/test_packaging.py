import re
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10: pip, present in every virtual environment, vendors the same parser
    from pip._vendor import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
CONDA_TO_PIP = {"pytorch": "torch"}


def _split(requirement):
    name, spec = re.match(r"^([A-Za-z0-9_.\-]+)(.*)$", requirement.strip()).groups()
    return name.lower(), spec.replace(" ", "")


def _environment_yml():
    lines = (ROOT / "environment.yml").read_text().splitlines()
    deps, in_deps = {}, False
    for line in lines:
        if line.startswith("dependencies:"):
            in_deps = True
        elif in_deps and re.match(r"^  - [A-Za-z]", line):
            name, spec = _split(line[4:])
            if name not in ("python", "pip"):
                deps[CONDA_TO_PIP.get(name, name)] = spec
    return deps


def test_pyproject_and_environment_yml_list_the_same_packages_and_versions():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    assert dict(_split(r) for r in requirements) == _environment_yml()


def test_torch_is_not_required_newer_than_2_14_1():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    torch_spec = dict(_split(r) for r in project["dependencies"])["torch"]
    assert "<=2.14.1" in torch_spec and ">=2.4" in torch_spec


def test_source_notebooks_are_committed_without_outputs():
    import nbformat
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, f"{path.name} has outputs"
