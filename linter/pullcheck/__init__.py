"""pullcheck: find why a Fargate task will not pull its image, before it is deployed.

The plugin API: ``rule`` declares a rule, ``Hit`` is what it yields, ``Graph`` / ``Resource`` are what it
reads, ``Ref`` / ``Template`` / ``Unknown`` are the values it meets, and ``spell`` writes an attribute as
the user's format does. Imported on first use, so that ``import pullcheck`` stays free for the command line.
"""
__version__ = "0.1.0"
__all__ = ["rule", "Hit", "Graph", "Resource", "Span", "Ref", "Template", "Unknown", "SITE_KINDS",
           "TASK_DEFINITION_KINDS", "LAUNCH_KINDS", "spell"]

_FROM = {"rule": "pullcheck.engine.registry", "Ref": "pullcheck.graph.values", "Template": "pullcheck.graph.values",
         "Unknown": "pullcheck.graph.values", "spell": "pullcheck.graph.mapping"}


# no import at the top, not even typing: ``python -m pullcheck`` imports this package while the current folder
# (the scanned repository) is still on the import path, see __main__
def __getattr__(name: str) -> object:
    if name in __all__:
        import importlib

        return getattr(importlib.import_module(_FROM.get(name, "pullcheck.graph.model")), name)
    raise AttributeError(f"module 'pullcheck' has no attribute {name!r}")
