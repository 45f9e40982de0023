"""The API page documents every public name; gallery examples carry a title."""

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
API = (ROOT / "docs" / "api.rst").read_text()
PUBLIC_MODULES = [
    "deepsubspace", "deepsubspace.baselines", "deepsubspace.presets", "deepsubspace.affinity",
    "deepsubspace.metrics", "deepsubspace.datasets", "deepsubspace.plotting",
    "deepsubspace.nn.memory_bank", "deepsubspace.nn.self_expression", "deepsubspace.nn.losses",
    "deepsubspace.nn.encoders", "deepsubspace.nn.augment", "deepsubspace.nn.momentum",
    "deepsubspace.nn.distributed",
]


def _public_names(module):
    names = getattr(module, "__all__", None)
    if names is None:
        names = [name for name, obj in vars(module).items()
                 if not name.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
                 and obj.__module__ == module.__name__]
    # re-exports from other packages (scikit-learn's metrics) are documented by their owners
    return [name for name in names
            if getattr(getattr(module, name), "__module__", "deepsubspace").startswith("deepsubspace")]


def _documented(module_name, name):
    qualified = re.escape(f"{module_name}.{name}")
    if re.search(rf"^\.\. auto(class|function|data):: {qualified}\s*$", API, re.M):
        return True
    block = re.search(rf"^\.\. automodule:: {re.escape(module_name)}\n((?:   .*\n)*)", API, re.M)
    if block is None:
        return False
    members = re.search(r":members:(.*(?:\n      .*)*)", block.group(1))
    if members is None:
        return False
    listed = members.group(1).strip()
    return not listed or name in re.split(r"[\s,]+", listed)


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_api_page_lists_every_public_name(module_name):
    module = importlib.import_module(module_name)
    missing = [name for name in _public_names(module) if not _documented(module_name, name)]
    assert not missing, f"docs/api.rst does not document {module_name}: {missing}"


@pytest.mark.parametrize("path", sorted((ROOT / "examples" / "gallery").glob("plot_*.py")),
                         ids=lambda path: path.name)
def test_gallery_example_starts_with_a_titled_docstring(path):
    docstring = ast.get_docstring(ast.parse(path.read_text()))
    assert docstring, f"{path.name} has no docstring"
    title, underline, *text = docstring.strip().splitlines()
    assert set(underline) == {"="} and len(underline) >= len(title), f"{path.name}: no rst title"
    assert " ".join(text).strip(), f"{path.name}: the title has no text under it"
