"""pullcheck: find why a Fargate task will not pull its image, before it is deployed.

The plugin API: ``rule`` declares a rule, ``Hit`` is what it yields, ``Graph`` / ``Resource`` are what it
reads, ``Ref`` / ``Template`` / ``Unknown`` are the values it meets and ``text_of`` / ``truthy`` /
``placeholder`` read them, ``spell`` writes an attribute as the user's format does, ``fixes`` builds the
edits of a fix and ``reference`` is the image reference grammar. Imported on first use, so that
``import pullcheck`` stays free for the command line.
"""
__version__ = "0.1.0"
__all__ = ["rule", "Hit", "Graph", "Resource", "Span", "Ref", "Template", "Unknown", "SITE_KINDS",
           "TASK_DEFINITION_KINDS", "LAUNCH_KINDS", "spell", "text_of", "truthy", "placeholder", "fixes",
           "reference"]

# where each name lives (the rest in pullcheck.graph.model); a name that is its module's last part is the module
_FROM = {"rule": "pullcheck.engine.registry", "Ref": "pullcheck.graph.values", "Template": "pullcheck.graph.values",
         "Unknown": "pullcheck.graph.values", "text_of": "pullcheck.graph.values",
         "truthy": "pullcheck.graph.values", "placeholder": "pullcheck.graph.values",
         "spell": "pullcheck.graph.mapping", "fixes": "pullcheck.engine.fixes",
         "reference": "pullcheck.graph.reference"}

# no import at the top, not even typing: ``python -m pullcheck`` imports this package while the current folder
# (the scanned repository) is still on the import path, see __main__. The block below never runs: it shows the
# names to type checkers and editors (mypy takes any name TYPE_CHECKING as true)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pullcheck.engine import fixes as fixes
    from pullcheck.engine.registry import rule as rule
    from pullcheck.graph import reference as reference
    from pullcheck.graph.mapping import spell as spell
    from pullcheck.graph.model import LAUNCH_KINDS as LAUNCH_KINDS
    from pullcheck.graph.model import SITE_KINDS as SITE_KINDS
    from pullcheck.graph.model import TASK_DEFINITION_KINDS as TASK_DEFINITION_KINDS
    from pullcheck.graph.model import Graph as Graph
    from pullcheck.graph.model import Hit as Hit
    from pullcheck.graph.model import Resource as Resource
    from pullcheck.graph.model import Span as Span
    from pullcheck.graph.values import Ref as Ref
    from pullcheck.graph.values import Template as Template
    from pullcheck.graph.values import Unknown as Unknown
    from pullcheck.graph.values import placeholder as placeholder
    from pullcheck.graph.values import text_of as text_of
    from pullcheck.graph.values import truthy as truthy


def __getattr__(name: str) -> object:
    if name in __all__:
        import importlib

        where = _FROM.get(name, "pullcheck.graph.model")
        module = importlib.import_module(where)
        return module if where.rpartition(".")[2] == name else getattr(module, name)
    raise AttributeError(f"module 'pullcheck' has no attribute {name!r}")
