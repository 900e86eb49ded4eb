"""What a non-editable install ships: every package of the source tree, listed in pyproject.toml."""

import tomllib
from pathlib import Path

MAIN = Path(__file__).resolve().parents[1]


def _listed() -> set[str]:
    project = tomllib.loads((MAIN / "pyproject.toml").read_text())
    return set(project["tool"]["setuptools"]["packages"])


def test_every_python_folder_is_a_listed_package():
    folders = {p.parent for p in (MAIN / "bulkio").rglob("*.py") if "__pycache__" not in p.parts}
    packages = {".".join(f.relative_to(MAIN).parts) for f in folders}
    assert packages - _listed() == set()


def test_every_listed_package_is_a_folder_with_an_init():
    data = tomllib.loads((MAIN / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    for name in _listed():
        folder = MAIN / data[name] if name in data else MAIN.joinpath(*name.split("."))
        assert folder.is_dir(), name
        if name not in data:
            assert (folder / "__init__.py").exists(), name
