"""The layout of bulkio/, read from the source (nothing of bulkio is imported): no import circle,
no module using another's private name, no hand-written module over LINE_LIMIT lines, and every
import going down the layers of LAYERS or sideways within one."""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "bulkio"
LINE_LIMIT = 400

#: Generated modules, each with the tool that writes it; they may be longer than LINE_LIMIT.
GENERATED = {"bulkio/sandbox/schema_data.py": "tools/gen_sandbox_schema.py"}

#: The layers, lowest first; a module may import from its own layer and the ones below it. A name
#: is the part of a module's dotted name after `bulkio.`, up to the first dot ("run" holds
#: bulkio.run.*). prepare sends nothing: of zoho, below it, it uses only zoho/records.py, the one
#: reader of values in Zoho's JSON (no I/O), as NO_SENDING says; of readers, the facts a reader
#: left on a frame (cell flags, the delimiter).
LAYERS = (
    ("errors", "outcomes", "modes", "settings", "version"),
    ("catalogue",),
    ("readers", "zoho"),
    ("prepare",),
    ("run",),
    ("sheets",),
    ("preparing", "importing", "validating", "exporting"),
    ("cli", "__main__"),
)
#: Layers that talk to no Zoho, and the only modules of bulkio/zoho they may use.
NO_SENDING, SENDING_LAYER = {"prepare": ("bulkio.zoho.records",)}, "zoho"
#: bulkio/sandbox is a separate program (a local Zoho for tests and demos): it imports nothing of
#: bulkio outside itself, and only these layers start it.
ISLAND, ISLAND_USERS = "sandbox", ("cli",)
#: bulkio/__init__.py is the public API: it loads any module (lazily) and no module imports it.
ROOT_MODULE = "bulkio"


@dataclass(frozen=True)
class Import:
    """One import statement of a bulkio name: who, what, the line, and the names it takes."""

    source: str
    target: str
    line: int
    names: tuple[str, ...]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    """Every module of bulkio/ by its dotted name."""
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def package_of(name: str) -> str:
    return name if modules()[name].name == "__init__.py" else name.rpartition(".")[0]


def absolute(source: str, node: ast.ImportFrom) -> str:
    """The dotted name a `from ... import` names, relative imports resolved."""
    if not node.level:
        return node.module or ""
    base = package_of(source).split(".")
    base = base[: len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


@cache
def tree_of(source: str) -> ast.Module:
    return ast.parse(modules()[source].read_text(encoding="utf-8"))


def imports_of(source: str, tree: ast.Module | None = None) -> Iterator[Import]:
    """Every import of a bulkio module in `source`, at any depth (function-level imports and
    those under TYPE_CHECKING count: they are dependencies all the same)."""
    tree = tree or tree_of(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == ROOT_MODULE:
                    yield Import(source, alias.name, node.lineno, ())
        elif isinstance(node, ast.ImportFrom):
            target = absolute(source, node)
            if target.split(".")[0] != ROOT_MODULE:
                continue
            plain = tuple(a.name for a in node.names if f"{target}.{a.name}" not in modules())
            if plain:
                yield Import(source, target, node.lineno, plain)
            for alias in node.names:
                if f"{target}.{alias.name}" in modules():  # `from bulkio.x import y`, y a module
                    yield Import(source, f"{target}.{alias.name}", node.lineno, ())


def ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def runs(imp: Import) -> set[str]:
    """The modules an import runs: its target and the packages above it (each runs its
    __init__), but not the importer's own packages, which are running already."""
    own = set(ancestors(imp.source)) | {imp.source}
    found = {imp.target} | {p for p in ancestors(imp.target) if p not in own}
    return {m for m in found if m in modules()}


@cache
def graph() -> dict[str, set[str]]:
    return {m: set().union(*(runs(i) for i in imports_of(m))) - {m} for m in modules()}


def cycles() -> list[list[str]]:
    """Each strongly connected group of more than one module (Tarjan), as a sorted list."""
    edges, index, low, stack, on, found = graph(), {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on.add(node)
        for nxt in sorted(edges[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def private_uses(source: str, tree: ast.Module | None = None) -> Iterator[str]:
    """`from bulkio.x import _name` and `x._name` (x a bulkio module) of another module."""
    tree = tree or tree_of(source)
    bound: dict[str, str] = {}
    for imp in imports_of(source, tree):
        if imp.target != source:
            yield from (f"{source}:{imp.line} imports {imp.target}.{n}" for n in imp.names if is_private(n))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(ROOT_MODULE + ".") or alias.name == ROOT_MODULE:
                    bound[alias.asname or alias.name.split(".")[0]] = alias.asname and alias.name or ROOT_MODULE
        elif isinstance(node, ast.ImportFrom):
            target = absolute(source, node)
            for alias in node.names:
                if f"{target}.{alias.name}" in modules():
                    bound[alias.asname or alias.name] = f"{target}.{alias.name}"
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            owner = dotted(node.value, bound)
            if owner in modules() and owner != source:
                yield f"{source}:{node.lineno} uses {owner}.{node.attr}"


def dotted(node: ast.expr, bound: dict[str, str]) -> str | None:
    """The bulkio module an expression like `bulkio.run.runner` or `runner` names, if any."""
    if isinstance(node, ast.Name):
        return bound.get(node.id)
    if isinstance(node, ast.Attribute):
        head = dotted(node.value, bound)
        return f"{head}.{node.attr}" if head else None
    return None


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def layer_of(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else ROOT_MODULE


def rank(layer: str) -> int:
    return next(i for i, names in enumerate(LAYERS) if layer in names)


def layer_breach(imp: Import, target: str) -> str | None:
    """Why importing `target` from `imp.source` goes against the layers, or None."""
    here, there = layer_of(imp.source), layer_of(target)
    if here == ROOT_MODULE:
        return None
    if there == ROOT_MODULE:
        return "the public API (bulkio/__init__) is for callers outside bulkio"
    if ISLAND in (here, there):
        if here == there or (there == ISLAND and here in ISLAND_USERS):
            return None
        return f"bulkio/{ISLAND} imports nothing of bulkio outside itself" if here == ISLAND else (
            f"only {', '.join(ISLAND_USERS)} start the {ISLAND}")
    if rank(there) > rank(here):
        return f"{here} is below {there}"
    allowed = NO_SENDING.get(here)
    if allowed is not None and there == SENDING_LAYER and not any(target in (n, *ancestors(n)) for n in allowed):
        return f"{here} talks to no Zoho: of bulkio/{SENDING_LAYER} it uses only {', '.join(allowed)}"
    return None


def test_every_module_has_a_layer():
    missing = {layer_of(m) for m in modules()} - {ROOT_MODULE, ISLAND} - {n for ns in LAYERS for n in ns}
    assert not missing, f"add these to LAYERS: {sorted(missing)}"


def test_the_import_graph_is_read():
    # guards the rest: a graph reader that saw nothing would pass every test below
    assert "bulkio.errors" in graph()["bulkio.run.runner"]
    assert "bulkio.catalogue" in graph()["bulkio.prepare.mapper"]  # the package's __init__ runs
    assert "bulkio.sandbox.config" in graph()["bulkio.sandbox"]  # relative imports


def test_no_import_circle():
    assert cycles() == []


def test_private_names_are_seen():
    seen = private_uses("bulkio.cli.demo", ast.parse(
        "import bulkio.run.runner as r\nimport bulkio.errors\nfrom bulkio.readers import workbook, _X\n"
        "def f():\n    from ..run import journal\n    return r._a, workbook._b, journal._c, bulkio.errors._d\n"))
    assert [use.split(" ", 1)[1] for use in seen] == [
        "imports bulkio.readers._X", "uses bulkio.run.runner._a", "uses bulkio.readers.workbook._b",
        "uses bulkio.run.journal._c", "uses bulkio.errors._d"]


def test_no_module_uses_another_modules_private_names():
    assert [use for m in modules() for use in private_uses(m)] == []


def test_no_hand_written_module_is_long():
    long = {str(p.relative_to(ROOT)): n for p in modules().values()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > LINE_LIMIT}
    assert {p: n for p, n in long.items() if p not in GENERATED} == {}


def test_generated_modules_name_their_generator():
    for path, tool in GENERATED.items():
        assert (ROOT / tool).is_file()
        assert Path(path).stem in (ROOT / tool).read_text(encoding="utf-8"), f"{tool} does not write {path}"


def test_imports_go_down_the_layers():
    breaches = [f"{imp.source}:{imp.line} imports {target}: {why}"
                for m in modules() for imp in imports_of(m) for target in runs(imp)
                if (why := layer_breach(imp, target))]
    assert breaches == []


def mode_words(source: str, tree: ast.Module | None = None) -> Iterator[str]:
    """Where `source` spells a mode itself instead of using bulkio.modes: a tuple of modes, a
    mode compared with something named mode or kind, or "upsert" anywhere but a docstring."""
    tree = tree or tree_of(source)
    docs = docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            if sum(isinstance(e, ast.Constant) and e.value in MODE_WORDS for e in node.elts) > 1:
                yield f"{source}:{node.lineno} lists modes"
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(e, ast.Constant) and e.value in MODE_WORDS for e in sides) and any(
                    word in ast.unparse(e) for e in sides for word in ("mode", "kind")):
                yield f"{source}:{node.lineno} compares with a mode word"
        elif isinstance(node, ast.Constant) and node.value == "upsert" and id(node) not in docs:
            yield f"{source}:{node.lineno} spells upsert"


MODE_WORDS = ("create", "update", "upsert")
MODES_MODULE = "bulkio.modes"


def test_modes_are_spelled_once():
    assert len(list(mode_words(MODES_MODULE))) == 1  # the enum's own "upsert"
    assert list(mode_words("bulkio.cli.demo", ast.parse('M = ("create", "update")\nok = mode == "create"'))) == [
        "bulkio.cli.demo:1 lists modes", "bulkio.cli.demo:2 compares with a mode word"]
    assert [w for m in modules() if m != MODES_MODULE and layer_of(m) != ISLAND for w in mode_words(m)] == []


def test_each_constant_is_defined_once():
    # a constant kept in two modules (LINES_SHEET, NUMBER_TYPES were) drifts apart in time
    defined: dict[str, list[str]] = {}
    for m in modules():
        for node in tree_of(m).body if layer_of(m) != ISLAND else ():
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            for target in targets:
                if isinstance(target, ast.Name) and target.id.lstrip("_").isupper() and target.id != "__all__":
                    defined.setdefault(target.id, []).append(m)
    assert len(defined) > 50
    assert {name: where for name, where in defined.items() if len(set(where)) > 1} == {"MIN_PIECE": [
        "bulkio.cli.crashlog", "bulkio.zoho.session"]}  # two different bounds that share a name


#: Modules still named in code, each for a fact its module file does not hold yet; the list may
#: only shrink (docs/adding-a-module.md: a module is its file). cli.demo names the sample files'.
NAMED_IN_CODE = {
    "bulkio.exporting": ["items"],  # items are read in full by GET /itemdetails
    "bulkio.prepare.keys": ["items", "contacts"],  # standard fields Zoho keeps unique
    "bulkio.prepare.lookups": ["taxes"],  # the tax-group hint
    "bulkio.run.existing": ["items", "invoices", "salesorders", "purchaseorders", "items"],  # list rows' keys
    "bulkio.zoho.client": ["items"],  # GET /itemdetails answers under "items"
}
DEMO = "bulkio.cli.demo"


def docstrings(tree: ast.Module) -> set[int]:
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body and isinstance(node.body[0], ast.Expr)}


def test_no_code_names_a_module_but_the_known_few():
    named = set()
    for path in (ROOT / "templates" / "modules").glob("*.toml"):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        named |= {data["name"], data["endpoint"]}
    found = {}
    for m in modules():
        if layer_of(m) != ISLAND and m != DEMO:
            docs = docstrings(tree_of(m))
            words = [node.value for node in ast.walk(tree_of(m)) if isinstance(node, ast.Constant)
                     and node.value in named and id(node) not in docs]
            if words:
                found[m] = words
    assert "/items" in named and found == NAMED_IN_CODE


def test_a_breach_of_the_layers_is_seen():
    def why(source: str, target: str) -> str | None:
        return layer_breach(Import(source, target, 1, ()), target)

    assert why("bulkio.catalogue.loader", "bulkio.run.runner") == "catalogue is below run"
    assert why("bulkio.prepare.mapper", "bulkio.zoho.client").startswith("prepare talks to no Zoho")
    assert why("bulkio.sandbox.app", "bulkio.errors") == "bulkio/sandbox imports nothing of bulkio outside itself"
    assert why("bulkio.run.runner", "bulkio.sandbox") == "only cli start the sandbox"
    assert why("bulkio.prepare.mapper", "bulkio.zoho.records") is None
    assert why("bulkio.run.runner", "bulkio.run.journal") is None
