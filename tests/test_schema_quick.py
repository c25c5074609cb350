"""The fast schema check answers exactly as jsonschema does on real and mutated task definitions."""
import copy
import glob
import json
import os

import jsonschema
import pytest
from conftest import FIXTURES, SHARED
from pullcheck.rules.taskdef.schema.quick import conforms, supported

SCHEMA = json.load(open(os.path.join(os.path.dirname(FIXTURES), "rules", "taskdef", "schema",
                                 "taskdef.schema.json")))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def _documents():
    paths = glob.glob(os.path.join(FIXTURES, "**", "*.json"), recursive=True)
    paths += glob.glob(os.path.join(SHARED, "corpus", "taskdef", "**", "*.json"), recursive=True)
    for p in sorted(paths):
        if os.path.basename(os.path.dirname(p)).startswith("PARSE"):
            continue  # not JSON on purpose: broken, or a template
        doc = json.load(open(p, encoding="utf-8"))
        if isinstance(doc, dict) and "containerDefinitions" in doc:
            yield os.path.relpath(p, os.path.dirname(FIXTURES)), doc


def _mutations(doc):
    yield doc
    for key, value in (("cpu", 256), ("networkMode", "bridgeish"), ("unknownKey", 1), ("family", None),
                       ("requiresCompatibilities", "FARGATE"), ("volumes", [{"name": 3}])):
        d = copy.deepcopy(doc)
        d[key] = value
        yield d
    d = copy.deepcopy(doc)
    d.pop("family", None)
    yield d
    d = copy.deepcopy(doc)
    d["containerDefinitions"][0]["essential"] = 1
    yield d


def test_schema_uses_only_supported_keywords():
    assert supported(SCHEMA)


@pytest.mark.parametrize("name,doc", list(_documents()), ids=lambda x: x if isinstance(x, str) else "")
def test_quick_check_agrees_with_jsonschema(name, doc):
    for d in _mutations(doc):
        assert conforms(SCHEMA, d) == VALIDATOR.is_valid(d), (name, d)
