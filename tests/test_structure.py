"""The package's shape: its layers, no import cycle between its modules, modules and functions of a readable
size, and no grab-bag state on the graph."""
import ast
import os

import pullcheck
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


def _read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def _top_level_imports(path):
    """Modules imported when the module is imported (not inside functions, not under TYPE_CHECKING)."""
    tree = ast.parse(_read(path))
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
    assert "pullcheck.graph.model" in graph
    assert "pullcheck.rules.network.net001_public_subnet_without_public_ip" in graph
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


def test_plugin_api_imports_nothing_and_says_the_same_thrice():
    """``__all__``, ``_FROM`` and the names type checkers see name the same things; only a function or the
    TYPE_CHECKING block (never run) imports."""
    tree = ast.parse(_read(os.path.join(ROOT, "linter", "pullcheck", "__init__.py")))
    typed = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for sub in node.body:
                assert isinstance(sub, ast.ImportFrom), ast.unparse(sub)
                for alias in sub.names:
                    assert alias.asname == alias.name, ast.unparse(sub)  # ``as`` itself: a re-export
                    typed[alias.name] = sub.module
        else:
            assert not isinstance(node, (ast.Import, ast.ImportFrom, ast.If, ast.Try)), ast.unparse(node)
    assert sorted(typed) == sorted(pullcheck.__all__)
    for name, module in typed.items():
        where = pullcheck._FROM.get(name, "pullcheck.graph.model")
        assert where in (module, f"{module}.{name}"), (name, module, where)  # the latter: the module itself
    assert not set(pullcheck._FROM) - set(pullcheck.__all__)


# Layers. Every import counts, at the top, inside a function or under TYPE_CHECKING: a function-level import
# is a dependency deferred, not removed.

_RUNNERS = ("pullcheck.engine", "pullcheck.outputs", "pullcheck.integrations", "pullcheck.tools", "pullcheck.cli",
            "pullcheck.__main__", "pullcheck.cfnlint_plugin")

# Imports that break a layer, each with what it waits for (none today). The list may only shrink: an entry
# that no longer applies fails test_layer_exceptions_are_still_needed until it is taken off.
_LAYER_EXCEPTIONS: dict = {}


def _inside(mod, *packages):
    return any(mod == p or mod.startswith(p + ".") for p in packages)


def _imports(source, mod, is_package, known, through_api):
    """Every pullcheck module ``source`` (module ``mod``) imports. ``from pullcheck import X`` is the plugin
    API (``pullcheck``) when ``through_api``, otherwise the module X comes from."""
    package = mod if is_package else mod.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            for alias in node.names:
                if f"{base}.{alias.name}" in known:  # a submodule: ``from pullcheck.engine import fixes``
                    out.add(f"{base}.{alias.name}")
                elif base == "pullcheck" and alias.name in pullcheck.__all__ and not through_api:
                    out.add(pullcheck._FROM.get(alias.name, "pullcheck.graph.model"))
                else:
                    out.add(base)
    return {m for m in out if _inside(m, "pullcheck")}


def _layer_broken(mod, dep):
    """The layer rule ``mod`` breaks by importing ``dep``, or None."""
    if _inside(dep, "pullcheck.tools") and not _inside(mod, "pullcheck.tools"):
        return "nothing imports tools"
    if _inside(mod, "pullcheck.rules"):
        if dep != "pullcheck" and not _inside(dep, "pullcheck.facts", "pullcheck.rules"):
            return "rules import only the plugin API (pullcheck), facts and their own helpers"
    elif _inside(mod, "pullcheck.facts"):
        if _inside(dep, "pullcheck.formats", *_RUNNERS):
            return "facts never import formats, engine, outputs, integrations, tools or the command line"
    elif _inside(mod, "pullcheck.formats"):
        if _inside(dep, *_RUNNERS):
            return "formats never import engine, outputs, integrations, tools or the command line"
    elif _inside(mod, "pullcheck.graph"):
        if dep != "pullcheck" and not _inside(dep, "pullcheck.graph", "pullcheck.sources"):
            return "graph imports only graph and sources"
    elif _inside(mod, "pullcheck.sources"):
        if dep != "pullcheck" and not _inside(dep, "pullcheck.sources"):
            return "sources import only sources"
    return None


def _layer_violations():
    paths = dict(_modules())
    found = {}
    for mod, path in sorted(paths.items()):
        deps = _imports(_read(path), mod, path.endswith("__init__.py"), paths, _inside(mod, "pullcheck.rules"))
        for dep in sorted(deps):
            why = _layer_broken(mod, dep)
            if why:
                found[(mod, dep)] = why
    return found


def test_layer_checker():
    known = {"pullcheck.engine.fixes", "pullcheck.facts.network", "pullcheck.formats.common", "pullcheck.tools.docs"}
    text = ("from pullcheck import Graph, fixes\nfrom pullcheck.facts import network\n\n\ndef f():\n"
            "    from pullcheck.formats import common\n    import pullcheck.tools.docs\n")
    assert _imports(text, "pullcheck.rules.x.y", False, known, True) == {
        "pullcheck", "pullcheck.facts.network", "pullcheck.formats.common", "pullcheck.tools.docs"}
    assert _imports(text, "pullcheck.facts.y", False, known, False) == {
        "pullcheck.graph.model", "pullcheck.engine.fixes", "pullcheck.facts.network", "pullcheck.formats.common",
        "pullcheck.tools.docs"}
    broken = [("pullcheck.rules.x", "pullcheck.engine.registry"), ("pullcheck.rules.x", "pullcheck.graph.values"),
              ("pullcheck.facts.x", "pullcheck.formats.common"), ("pullcheck.facts.x", "pullcheck.engine.fixes"),
              ("pullcheck.formats.x", "pullcheck.outputs.safetext"), ("pullcheck.formats.x", "pullcheck.cli"),
              ("pullcheck.graph.x", "pullcheck.facts.network"), ("pullcheck.sources.x", "pullcheck.graph.model"),
              ("pullcheck.engine.x", "pullcheck.tools.docs")]
    fine = [("pullcheck.rules.x", "pullcheck"), ("pullcheck.rules.x", "pullcheck.facts.iam"),
            ("pullcheck.rules.x", "pullcheck.rules.iam._common"), ("pullcheck.facts.x", "pullcheck.graph.model"),
            ("pullcheck.formats.x", "pullcheck.sources.marked"), ("pullcheck.graph.x", "pullcheck.sources.errors"),
            ("pullcheck.engine.x", "pullcheck.formats.common"), ("pullcheck.tools.x", "pullcheck.tools.y")]
    assert all(_layer_broken(*pair) for pair in broken)
    assert not any(_layer_broken(*pair) for pair in fine)


def test_layers_hold():
    found = _layer_violations()
    new = [f"{mod} imports {dep}: {why}" for (mod, dep), why in found.items() if (mod, dep) not in _LAYER_EXCEPTIONS]
    assert not new, "\n".join(new)


def test_layer_exceptions_are_still_needed():
    stale = sorted(set(_LAYER_EXCEPTIONS) - set(_layer_violations()))
    assert not stale, f"no longer needed, take them off _LAYER_EXCEPTIONS: {stale}"


# Sizes: a module past MODULE_LINES or a function past FUNCTION_LINES (from its def to its last line) is hard to
# read and to change. The oversized ones, each with what it waits for, are listed (none today); the list may only
# shrink.

MODULE_LINES = 600
FUNCTION_LINES = 60

_SIZE_EXCEPTIONS: dict = {}


def _oversized():
    found = {}
    for mod, path in sorted(_modules()):
        text = _read(path)
        lines = len(text.splitlines())
        if lines > MODULE_LINES:
            found[mod] = f"{lines} lines"

        def visit(node, prefix):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    size = child.end_lineno - child.lineno + 1
                    if size > FUNCTION_LINES:
                        found[f"{prefix}.{child.name}"] = f"{size} lines"
                    visit(child, f"{prefix}.{child.name}")
                elif isinstance(child, ast.ClassDef):
                    visit(child, f"{prefix}.{child.name}")
                else:
                    visit(child, prefix)

        visit(ast.parse(text), mod)
    return found


def test_sizes_hold():
    found = _oversized()
    new = [f"{name}: {size}" for name, size in sorted(found.items()) if name not in _SIZE_EXCEPTIONS]
    assert not new, f"past {MODULE_LINES} lines a module, {FUNCTION_LINES} a function:\n" + "\n".join(new)


def test_size_exceptions_are_still_needed():
    stale = sorted(set(_SIZE_EXCEPTIONS) - set(_oversized()))
    assert not stale, f"no longer oversized, take them off _SIZE_EXCEPTIONS: {stale}"


def test_graph_has_no_cache_dict():
    from pullcheck.graph.model import Graph

    g = Graph()
    assert not hasattr(g, "cache") and not hasattr(g, "memo")
    calls = []
    assert g.facts.index(lambda graph: calls.append(graph) or 1) == 1
    assert g.facts.index(lambda graph: calls.append(graph) or 2) == 2  # another builder, another fact
    built = [g.facts.index(lambda graph: calls.append(graph) or 3) for _ in range(3)]
    assert built == [3, 3, 3] and len(calls) == 3  # one lambda, built once although created three times


# Private names stay in their module: a module that needs another's ``_name`` asks for a public one. Each
# exception says what it waits for; the list may only shrink.
_PRIVATE_EXCEPTIONS: dict = {}


def _private_uses(source, mod, known):
    """(module, name) of each private name ``source`` takes from another pullcheck module: ``from m import
    _x`` or ``alias._x`` where ``alias`` is an imported pullcheck module."""
    aliases, out = {}, set()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pullcheck"):
            for a in node.names:
                full = f"{node.module}.{a.name}"
                if full in known:
                    aliases[a.asname or a.name] = full
                elif a.name.startswith("_") and not a.name.startswith("__") and node.module != mod:
                    out.add((node.module, a.name))
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name in known and a.asname:
                    aliases[a.asname] = a.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases \
                and node.attr.startswith("_") and not node.attr.startswith("__") and aliases[node.value.id] != mod:
            out.add((aliases[node.value.id], node.attr))
    return out


def _private_violations():
    paths = dict(_modules())
    found = {}
    for mod, path in sorted(paths.items()):
        for owner, name in _private_uses(_read(path), mod, paths):
            found.setdefault((mod, owner), set()).add(name)
    return found


def test_private_name_checker():
    known = {"pullcheck.facts.routing", "pullcheck.engine.stages"}
    text = ("from pullcheck.facts import routing\nfrom pullcheck.engine.stages import _norm, lint\n"
            "from pullcheck.rules.network._common import sites\nx = routing._index(g)\ny = routing.route_index(g)\n")
    assert _private_uses(text, "pullcheck.engine.parallel", known) == {
        ("pullcheck.engine.stages", "_norm"), ("pullcheck.facts.routing", "_index")}


def test_no_module_takes_another_modules_private_names():
    found = _private_violations()
    new = [f"{mod} uses {owner}'s {sorted(names)}" for (mod, owner), names in found.items()
           if (mod, owner) not in _PRIVATE_EXCEPTIONS]
    assert not new, "\n".join(new)
    stale = sorted(set(_PRIVATE_EXCEPTIONS) - set(found))
    assert not stale, f"no longer needed, take them off _PRIVATE_EXCEPTIONS: {stale}"
