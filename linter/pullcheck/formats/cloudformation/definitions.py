"""Where a CloudFormation state machine's definition is written: as a mapping (``Definition``), as JSON text
(``DefinitionString``), or in a file beside the template, which the deploy tooling uploads: SAM's
``AWS::Serverless::StateMachine`` ``DefinitionUri`` (``sam build`` / ``sam package``) and a local
``DefinitionS3Location`` of ``AWS::StepFunctions::StateMachine`` (``aws cloudformation package``). Such a
file, JSON or YAML, is read only when it lies in the run's scope (``pullcheck.sources.scope``), relative to
the template's folder. ``DefinitionSubstitutions`` apply to each form, as Step Functions applies them."""
from __future__ import annotations

import os
from typing import Any, NamedTuple, Optional

from pullcheck.formats import statemachine
from pullcheck.graph.values import Unknown
from pullcheck.sources.marked import MDict

# the property that names a definition file, per resource type
LOCAL_FILE = {"AWS::Serverless::StateMachine": "DefinitionUri", "AWS::StepFunctions::StateMachine": "DefinitionS3Location"}


class Definition(NamedTuple):
    value: Any  # the definition as a marked mapping, or an Unknown
    key: str  # the property it is written in
    file: str  # the file its positions are in: the definition file, or "" for the template
    placed: bool  # its states carry positions in ``file`` (a mapping); False: text, placed at ``key``


def local_file(template: str, rtype: Any, props: Any) -> Optional[str]:
    """The definition file a state machine names, as a path beside the template's (as findings name files),
    or None: not a local path (an S3 URI or location, a value only the deployment knows)."""
    where = props.get(LOCAL_FILE[rtype]) if rtype in LOCAL_FILE and isinstance(props, dict) else None
    if not isinstance(where, str) or not where.strip() or "\x00" in where or "://" in where \
            or where.startswith("s3:"):
        return None
    path = os.path.normpath(os.path.join(os.path.dirname(template), where))
    return path.replace(os.sep, "/")


def definition_of(rtype: Any, template: str, props: MDict) -> Optional[Definition]:
    """The definition of a state machine resource of type ``rtype`` in ``template``, with
    ``DefinitionSubstitutions`` applied; None when it has none."""
    subs = props.get("DefinitionSubstitutions")
    subs = dict(subs) if isinstance(subs, dict) else {}
    for key in ("Definition", "DefinitionString"):
        if key in props:
            return Definition(statemachine.definition_value(props[key], subs), key, "", key == "Definition")
    key = LOCAL_FILE.get(rtype, "")
    if key not in props:
        return None
    path = local_file(template, rtype, props)
    if path is None:
        return Definition(Unknown(f"{key} is not a file beside the template"), key, "", False)
    doc = _read(path)
    if isinstance(doc, Unknown):
        return Definition(doc, key, "", False)
    return Definition(statemachine.definition_value(doc, subs), key, path, True)


def _read(path: str) -> Any:
    """A definition file as a marked mapping, or an Unknown that says why not."""
    from pullcheck.sources import scope
    from pullcheck.sources.errors import ParseError, read_text
    from pullcheck.sources.marked import load_json, load_yaml_documents

    if not scope.readable(path):
        return Unknown(f"definition file {path} lies outside the paths this run reads")
    if not os.path.isfile(path):
        return Unknown(f"definition file {path} is not there")
    try:
        text = read_text(path)
        docs = [load_json(text)] if text.lstrip().startswith("{") else load_yaml_documents(text)
    except ParseError as e:
        return Unknown(f"definition file {path} cannot be read: {e.message}")
    if len(docs) != 1 or not isinstance(docs[0], dict):
        return Unknown(f"definition file {path} is not one mapping")
    return docs[0]
