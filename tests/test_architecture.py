"""The shape of the code: no import cycles, no project imports hidden inside functions,
and the pure packages (``search/``, ``watermark/``) knowing nothing of Flask or the portal.

Read from the source with :mod:`ast`, so it needs no app and fails on a new cycle
at once, naming it.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("portal", "search", "watermark", "demo")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _resolve(name: str, current: str, level: int, is_package: bool) -> str | None:
    """The project module an import names (the longest known prefix), or None for outside code."""
    if level:
        base = current.split(".") if is_package else current.split(".")[:-1]
        base = base[:len(base) - (level - 1)]
        name = ".".join(base + ([name] if name else []))
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path, *, inside_functions: bool = False) -> set[str]:
    """Project modules imported by ``module`` (everywhere, or only inside function bodies)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    nodes = ast.walk(tree)
    if inside_functions:
        nodes = (inner for func in ast.walk(tree) if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef))
                 for inner in ast.walk(func))
    targets: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names = [_resolve(alias.name, module, 0, is_package) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [_resolve(node.module or "", module, node.level, is_package)]
            names += [_resolve(f"{node.module or ''}.{alias.name}".lstrip("."), module, node.level, is_package)
                      for alias in node.names]
        else:
            continue
        targets.update(t for t in names if t and t != module and not module.startswith(t + ".")
                       and not t.startswith(module + "."))
    return targets


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_there_are_no_import_cycles_between_the_projects_modules():
    edges = {name: _imports(name, path) for name, path in MODULES.items()}
    assert _cycles(edges) == []


def test_the_cycle_finder_finds_a_cycle():
    # The check above can only pass honestly if it can fail.
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_project_module_is_imported_inside_a_function():
    hidden = {name: sorted(_imports(name, path, inside_functions=True)) for name, path in MODULES.items()}
    assert {name: targets for name, targets in hidden.items() if targets} == {}


def test_search_and_watermark_know_nothing_of_flask_or_the_portal():
    for name, path in MODULES.items():
        if not name.startswith(("search", "watermark")):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                roots = {(node.module or "").split(".")[0]}
            else:
                continue
            assert not roots & {"flask", "flask_babel", "flask_login", "portal", "demo"}, (name, roots)


def test_every_package_says_what_it_holds():
    for name, path in MODULES.items():
        if path.name == "__init__.py" or name.count(".") == 0:
            assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), f"{name} has no docstring"
