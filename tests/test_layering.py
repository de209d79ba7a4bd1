"""The architecture's one-way layering, read from the source with ``ast``.

docs/architecture.md is the map; this test keeps the tree true to it.  Every import
counts: module level, inside functions and under ``TYPE_CHECKING`` alike, because a
function-level import is still a dependency and hides a cycle instead of removing it.
"""

from __future__ import annotations

import ast
import pathlib
from collections.abc import Iterator

import pytest

SRC = pathlib.Path(__file__).resolve().parents[1] / "src"

#: What each room of ``logix_rules`` may import from the others (besides itself and
#: ``logix_carriers``).  Rooms not created yet are listed so that their place is fixed.
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "compiler": {"core"},
    "runtime": {"core", "compiler"},
    "testing": {"core", "compiler", "runtime"},
    "demo": {"core", "compiler", "runtime"},
    "integrations": {"core", "compiler", "runtime", "demo"},
    "store": {"core", "compiler", "runtime"},
    "review": {"core", "compiler", "runtime", "store"},
    "intake": {"core", "compiler", "runtime", "store"},
    "messages": {"core", "compiler", "runtime", "store", "intake"},
    "service": {"core", "compiler", "runtime", "store", "review", "intake", "messages"},
    "cli": {
        "core",
        "compiler",
        "runtime",
        "testing",
        "demo",
        "integrations",
        "store",
        "review",
        "intake",
        "messages",
        "service",
    },
    "packs": set(),
}
#: Top-level public modules that only re-export a room (thin façades).
FACADES = {"__init__", "strategies", "spark", "backends"}


def _module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_package(path: pathlib.Path) -> bool:
    return path.name == "__init__.py"


def _imports(path: pathlib.Path) -> Iterator[tuple[str, int]]:
    """Absolute names of the modules (or packages) that ``path`` imports."""
    tree = ast.parse(path.read_text("utf-8"), str(path))
    name = _module_name(path)
    package = name if _is_package(path) else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target, node.lineno
            # `from . import x` and `from pkg import module` import submodules too.
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                if _exists(candidate):
                    yield candidate, node.lineno


def _exists(module: str) -> bool:
    path = SRC.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _sources(package: str) -> list[pathlib.Path]:
    return sorted((SRC / package).rglob("*.py"))


def _room(module: str) -> str | None:
    """The room of a ``logix_rules`` module: its first sub-package, or None (façade)."""
    parts = module.split(".")
    if parts[0] != "logix_rules" or len(parts) < 2:
        return None
    return parts[1] if parts[1] not in FACADES else None


def test_carriers_import_nothing_from_rules() -> None:
    offenders = [
        f"{path.relative_to(SRC)}:{line} imports {target}"
        for path in _sources("logix_carriers")
        for target, line in _imports(path)
        if target.split(".")[0] == "logix_rules"
    ]
    assert not offenders


def test_every_rules_module_lives_in_a_known_room() -> None:
    unknown = []
    for path in _sources("logix_rules"):
        module = _module_name(path)
        parts = module.split(".")
        if len(parts) == 1 or parts[1] in FACADES:
            continue
        if parts[1] not in ALLOWED:
            unknown.append(module)
    assert not unknown, "add the room to ALLOWED and to docs/architecture.md"


def test_rooms_import_only_the_rooms_below_them() -> None:
    offenders = []
    for path in _sources("logix_rules"):
        room = _room(_module_name(path))
        if room is None:
            continue
        for target, line in _imports(path):
            if target.split(".")[0] != "logix_rules":
                continue
            other = _room(target)
            if other == room:
                continue
            if other is None:
                offenders.append(f"{path.relative_to(SRC)}:{line} imports the façade {target}")
            elif other not in ALLOWED[room]:
                offenders.append(f"{path.relative_to(SRC)}:{line}: {room} -> {other} ({target})")
    assert not offenders


@pytest.mark.parametrize(
    ("room", "forbidden"),
    [
        ("compiler", {"runtime"}),
        ("runtime", {"cli", "testing", "demo", "integrations"}),
    ],
)
def test_the_rules_the_architecture_page_names(room: str, forbidden: set[str]) -> None:
    assert not ALLOWED[room] & forbidden


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for package in ("logix_carriers", "logix_rules"):
        for path in _sources(package):
            module = _module_name(path)
            edges = graph.setdefault(module, set())
            for target, _ in _imports(path):
                if target.split(".")[0] in ("logix_carriers", "logix_rules") and target != module:
                    edges.add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in graph:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_between_modules() -> None:
    # A package's __init__ re-exports its own modules, so edges from a package to its
    # own children (and back) are the re-export pattern, not a cycle of meaning.
    graph = {
        module: {
            t for t in targets if not (t.startswith(module + ".") or module.startswith(t + "."))
        }
        for module, targets in _graph().items()
    }
    assert _cycles(graph) == []


def test_the_checker_sees_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_architecture_page_names_every_room() -> None:
    page = (SRC.parent / "docs" / "architecture.md").read_text("utf-8")
    rooms = [p.name for p in (SRC / "logix_rules").iterdir() if (p / "__init__.py").is_file()]
    rooms += ["packs"]
    missing = [room for room in rooms if room not in FACADES and f"`{room}/`" not in page]
    assert not missing, "describe each room in docs/architecture.md"
