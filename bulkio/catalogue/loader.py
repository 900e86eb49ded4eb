"""The loader of the module files: templates/modules/*.toml, one file per Zoho module.

A file is refused, naming it, when it is not TOML or holds a key the catalogue does not know (a
typo must not be dropped in silence). `load_module("items")` returns the frozen `Module`;
`Catalogue(directory)` reads the files of another directory the same way.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields as dataclass_fields
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from bulkio.catalogue.field import FIELD_TYPES, Field, Lookup
from bulkio.catalogue.module import IMPORTABLE_KINDS, Module
from bulkio.errors import ConfigError

MODULE_KEYS = tuple(f.name for f in dataclass_fields(Module))
# custom, customfield_id, index and active come from an organisation's metadata, never a file
FIELD_KEYS = tuple(f.name for f in dataclass_fields(Field)
                   if f.name not in ("custom", "customfield_id", "index", "active"))
LOOKUP_KEYS = tuple(f.name for f in dataclass_fields(Lookup))
LIST_KEYS = ("custom_field_shape", "update_custom_field_shape", "upsert_requires",
             "line_custom_field_shape", "update_line_custom_field_shape",
             "ignore_auto_number_kinds", "list_filters", "aliases", "scopes")


def templates_dir(kind: str) -> Traversable:
    """A subfolder of templates/ (`modules`, `mappings`) of the installed package
    `bulkio.templates`, else of the source checkout (a plain checkout on sys.path)."""
    try:
        found = resources.files("bulkio.templates") / kind
        if any(p.name.endswith(".toml") for p in found.iterdir()):
            return found
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError, TypeError):
        pass
    return Path(__file__).resolve().parents[2] / "templates" / kind


def catalogue_dir() -> Traversable:
    """Where the module files are: templates/modules/."""
    return templates_dir("modules")


def canonical_name(name: str) -> str:
    """How module names compare: case, spaces, underscores and dashes ignored."""
    return re.sub(r"[\s_\-]+", "", str(name).strip().lower())


class Catalogue:
    """The module files of one directory, each read and checked once, each module built once."""

    def __init__(self, directory: Traversable | Path):
        self.directory = directory
        self._files: dict[str, tuple[str, dict]] | None = None
        self._aliases: dict[str, str] | None = None
        self._built: dict[str, Module] = {}

    def files(self) -> dict[str, tuple[str, dict]]:
        """Every module file, parsed and checked: module name -> (file name, its data)."""
        if self._files is None:
            found = {}
            for entry in sorted(self.directory.iterdir(), key=lambda e: e.name):
                if entry.name.endswith(".toml"):
                    data = read_module_file(entry)
                    found[data.get("name", entry.name[:-5])] = (str(entry), data)
            if not found:
                raise ConfigError(f"no module catalogue found in {self.directory}")
            self._files = found
        return self._files

    def names(self) -> list[str]:
        """Modules that can be imported and exported (records and documents), sorted."""
        return sorted(n for n, (_, d) in self.files().items() if d.get("kind") in IMPORTABLE_KINDS)

    def aliases(self) -> dict[str, str]:
        """Each module file's `aliases`, compared as `canonical_name` -> the module's name."""
        if self._aliases is None:
            found: dict[str, str] = {}
            for name, (source, data) in self.files().items():
                for alias in data.get("aliases", ()):
                    other = found.setdefault(canonical_name(alias), name)
                    if other != name:
                        raise ConfigError(f'{source}: the alias "{alias}" is already one of {other}\'s')
            self._aliases = found
        return self._aliases

    def resolve(self, name: str) -> str:
        """The catalogue name for `name`: "item", "Sales-Orders", "sales_order" and the files'
        aliases ("customers", "po") all work."""
        known, aliases = self.files(), self.aliases()
        key = canonical_name(name)
        for candidate in (key, key + "s", aliases.get(key), aliases.get(key + "s")):
            if candidate in known:
                return candidate
        raise ConfigError(f"unknown module {name!r}; known modules: {', '.join(self.names())}")

    def modules(self) -> list[Module]:
        """Every module of the directory, reference data included, in file-name order."""
        return [self.load(name) for name in self.files()]

    def load(self, name: str) -> Module:
        """The module `name` (any spelling `resolve` accepts)."""
        resolved = self.resolve(name)
        if resolved not in self._built:
            source, data = self.files()[resolved]
            self._built[resolved] = build_module(data, source)
        return self._built[resolved]


def read_module_file(entry: Traversable | Path) -> dict:
    """One module file parsed, its keys checked: ConfigError naming the file otherwise."""
    try:
        data = tomllib.loads(entry.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"module file {entry} is not valid TOML: {exc}") from exc
    check_keys(data, MODULE_KEYS, str(entry), "the top level")
    for table in ("fields", "line_fields"):
        for raw in data.get(table, ()):
            where = f'[[{table}]] {raw.get("api_name", "?")!r}' if isinstance(raw, dict) else f"[[{table}]]"
            check_keys(raw, FIELD_KEYS, str(entry), where)
            check_keys(raw.get("lookup"), LOOKUP_KEYS, str(entry), f"the lookup of {where}")
    return data


def check_keys(table: Any, known: tuple[str, ...], source: str, where: str) -> None:
    """ConfigError naming the file, the place and the first unknown key of `table`."""
    if not isinstance(table, dict):
        if table is not None:
            raise ConfigError(f"module file {source}: {where} must be a table, not {table!r}")
        return
    unknown = [key for key in table if key not in known]
    if unknown:
        raise ConfigError(
            f'module file {source}: unknown key "{unknown[0]}" in {where}; the known keys are '
            + ", ".join(known))


def build_module(data: dict, source: str) -> Module:
    """A Module from one checked module file; ConfigError naming the file if a value is wrong."""
    data = dict(data)
    try:
        fields = tuple(build_field(f, "header") for f in data.pop("fields", ()))
        lines = tuple(build_field(f, "line") for f in data.pop("line_fields", ()))
        for key in LIST_KEYS:
            if key in data:
                data[key] = tuple(data[key])
        return Module(fields=fields, line_fields=lines, **data)
    except (TypeError, ValueError, KeyError) as exc:
        raise ConfigError(f"module file {source} is malformed: {exc}") from exc


def build_field(raw: dict, level: str) -> Field:
    """A Field from one `[[fields]]` or `[[line_fields]]` entry."""
    raw = dict(raw)
    lookup = raw.pop("lookup", None)
    kind = raw.get("type", "string")
    if kind not in FIELD_TYPES:
        raise ValueError(f"field {raw.get('api_name')!r} has unknown type {kind!r}")
    for key in ("values", "aliases"):
        raw[key] = tuple(raw.get(key, ()))
    if lookup:
        lookup = Lookup(module=lookup["module"], match=tuple(lookup["match"]), target=lookup["target"])
    return Field(level=raw.pop("level", level), lookup=lookup, **raw)


@cache
def default_catalogue() -> Catalogue:
    """The catalogue bulkio ships: templates/modules/."""
    return Catalogue(catalogue_dir())


def every_module() -> list[Module]:
    """Every module bulkio ships, reference data (taxes, accounts) included."""
    return default_catalogue().modules()


def module_names() -> list[str]:
    """Modules that can be imported and exported (records and documents), sorted."""
    return default_catalogue().names()


def resolve_name(name: str) -> str:
    """The catalogue name for `name`: "item", "Sales-Orders" and "sales_order" all work."""
    return default_catalogue().resolve(name)


def load_module(name: str) -> Module:
    """The catalogue entry for `name` (see `resolve_name` for accepted spellings).

    >>> load_module("item").endpoint
    '/items'
    """
    return default_catalogue().load(name)
