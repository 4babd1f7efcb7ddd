"""The layer order of docs/architecture.md, checked over every import in `rbm/`, `indicators/`
and `app.py` (at module level or inside a function alike): a module imports its own group and
the layers below it, never one above it nor a sibling group of its own layer; Streamlit is
imported only by the pages' layer and `app.py`; a module named `_x.py` is imported only from
its own package."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Top to bottom, as in docs/architecture.md. A layer holds one or more sibling groups that do
# not import each other; a group is a list of module prefixes (the longest prefix wins).
LAYERS: list[list[list[str]]] = [
    [["app", "rbm.cli", "rbm.migrate", "rbm.backup"]],
    [["rbm.ui"]],
    [["rbm.reports"]],
    [["rbm.ui.charts", "rbm.ui.palette"]],
    [["rbm.exchange"], ["rbm.demo", "rbm.demo_checklist"]],
    [["rbm.queries"], ["rbm.services"]],
    [["rbm.db"]],
    [["rbm.figures"]],
    [["rbm.frames"]],
    [["rbm.principal"]],
    [["rbm.models"]],
    [["rbm.settings"]],
    [["rbm.errors", "rbm"]],
    [["rbm.i18n"]],
    [["indicators"]],
]
STREAMLIT_LAYERS = ("app", "rbm.ui")


def _place(module: str) -> tuple[int, int, str] | None:
    """(layer, group, prefix) of a module: the longest prefix that names it."""
    best: tuple[int, int, str] | None = None
    for layer, groups in enumerate(LAYERS):
        for group, prefixes in enumerate(groups):
            for prefix in prefixes:
                named = module == prefix or module.startswith(prefix + ".")
                if named and (best is None or len(prefix) > len(best[2])):
                    best = (layer, group, prefix)
    return best


def _modules() -> Iterator[tuple[str, Path]]:
    yield "app", ROOT / "app.py"
    for package in ("rbm", "indicators"):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def _imports(module: str, path: Path) -> Iterator[tuple[int, str]]:
    """(line, imported module) of every import; `from a import b` names `a.b` when b is a
    module."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                yield node.lineno, full if _is_module(full) else base


def _where(module: str, path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT)}:{line} ({module})"


def test_every_module_of_the_product_has_a_layer() -> None:
    unplaced = [module for module, _ in _modules() if _place(module) is None]
    assert unplaced == []


def test_imports_point_down_the_layers_and_never_to_a_sibling_group() -> None:
    wrong = []
    for module, path in _modules():
        here = _place(module)
        assert here is not None
        for line, imported in _imports(module, path):
            there = _place(imported)
            if there is None or there[:2] == here[:2]:
                continue
            if there[0] <= here[0]:
                wrong.append(f"{_where(module, path, line)} imports {imported}")
    assert wrong == []


def test_only_the_pages_and_the_entry_point_import_streamlit() -> None:
    wrong = []
    for module, path in _modules():
        here = _place(module)
        assert here is not None
        for line, imported in _imports(module, path):
            if imported.split(".")[0] == "streamlit" and here[2] not in STREAMLIT_LAYERS:
                wrong.append(f"{_where(module, path, line)} imports {imported}")
    assert wrong == []


def test_a_private_module_is_imported_only_from_its_own_package() -> None:
    wrong = []
    for module, path in _modules():
        for line, imported in _imports(module, path):
            parts = imported.split(".")
            private = [i for i, part in enumerate(parts) if part.startswith("_")]
            if not private or parts[0] not in ("rbm", "indicators"):
                continue
            owner = ".".join(parts[: private[0]])
            if not (module == owner or module.startswith(owner + ".")):
                wrong.append(f"{_where(module, path, line)} imports {imported}")
    assert wrong == []


def test_the_layer_check_sees_an_import_that_points_up() -> None:
    # The check itself can fail: a query importing a service is against the order.
    query, service = _place("rbm.queries.lessons"), _place("rbm.services.evaluations")
    assert query is not None and service is not None
    assert query[0] == service[0] and query[1] != service[1]
    ui, db = _place("rbm.ui.pages.project"), _place("rbm.db")
    assert ui is not None and db is not None and db[0] > ui[0]
