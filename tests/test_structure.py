"""The package's shape: no import cycle between its modules, and no grab-bag state on the graph."""
import ast
import os

from conftest import ROOT


def _modules():
    for top, prefix in ((os.path.join("linter", "pullcheck"), "pullcheck"), ("rules", "pullcheck.rules")):
        base = os.path.join(ROOT, top)
        for folder, _, files in os.walk(base):
            for name in files:
                if name.endswith(".py"):
                    rel = os.path.relpath(os.path.join(folder, name), base)[:-3].replace(os.sep, ".")
                    mod = prefix if rel == "__init__" else f"{prefix}.{rel}".removesuffix(".__init__")
                    yield mod, os.path.join(folder, name)


def _top_level_imports(path):
    """Modules imported when the module is imported (not inside functions, not under TYPE_CHECKING)."""
    tree = ast.parse(open(path, encoding="utf-8").read())
    out = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for sub in ([node] if not isinstance(node, (ast.If, ast.Try)) else ast.walk(node)):
            if isinstance(sub, ast.ImportFrom) and sub.module and sub.level == 0:
                out.add(sub.module)
            elif isinstance(sub, ast.Import):
                out.update(a.name for a in sub.names)
    return {m for m in out if m.startswith("pullcheck")}


def test_no_import_cycle():
    graph = {mod: _top_level_imports(path) for mod, path in _modules()}
    assert "pullcheck.graph.model" in graph and "pullcheck.rules.network.net001_public_subnet_without_public_ip" in graph
    state = {}

    def visit(mod, stack):
        state[mod] = "open"
        for dep in sorted(graph.get(mod, ())):
            if dep not in graph:
                continue
            if state.get(dep) == "open":
                raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(dep):] + [dep]))
            if dep not in state:
                visit(dep, stack + [dep])
        state[mod] = "done"

    for mod in sorted(graph):
        if mod not in state:
            visit(mod, [mod])


def test_graph_has_no_cache_dict():
    from pullcheck.graph.model import Graph

    g = Graph()
    assert not hasattr(g, "cache") and not hasattr(g, "memo")
    calls = []
    assert g.facts.index(lambda graph: calls.append(graph) or 1) == 1
    assert g.facts.index(lambda graph: calls.append(graph) or 2) == 2  # another builder, another fact
    built = [g.facts.index(lambda graph: calls.append(graph) or 3) for _ in range(3)]
    assert built == [3, 3, 3] and len(calls) == 3  # one lambda, built once although created three times
