"""Override files (``override.tf``, ``*_override.tf`` and their ``.tf.json`` forms) merged into a module as
Terraform merges them, after every other file and one file after another in the order of their names.

A top-level block merges into the block of the same header (type and labels): each attribute it sets
replaces the one of that name, and its nested blocks of a type replace all the blocks of that type (a
``dynamic`` block counting as its type); a resource's ``lifecycle`` merges argument by argument. Locals
merge one by one, whichever block holds them; an output takes the override's value. A block with nothing
to override is an error to Terraform: left out, and said. What pullcheck does not read (the ``terraform``
block, providers other than the default AWS one) is left out too."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Tuple

from pullcheck.formats.terraform.syntax import Body

if TYPE_CHECKING:
    from pullcheck.formats.terraform.evaluate import Module

BlockList = List[Tuple[str, List[str], Body, Tuple[int, ...]]]


def is_override(name: str) -> bool:
    """A file name Terraform reads as an override file."""
    for ext in (".tf.json", ".tf"):
        if name.endswith(ext):
            stem = name[:-len(ext)]
            return stem == "override" or stem.endswith("_override")
    return False


def _kind(name: str, labels: List[str]) -> str:
    """The block type a nested block stands for: a dynamic block's label."""
    return labels[0] if name == "dynamic" and labels else name


def merged(base: Body, over: Body, lifecycle: bool = False) -> Body:
    """``over`` merged into ``base``; with ``lifecycle``, the two ``lifecycle`` blocks argument by argument.
    Each attribute keeps the file it is written in (Body.file_of)."""
    attrs = dict(base.attrs)
    files: Dict[str, str] = {k: base.file_of(k) for k in base.attrs if base.file_of(k) != base.file}
    replaced = {_kind(n, labels) for n, labels, _, _ in over.blocks}
    if base.json:  # an object of the JSON syntax is an attribute too: the blocks replacing it take it away
        for k in replaced - set(over.attrs):
            attrs.pop(k, None)
    for k, t in over.attrs.items():
        attrs[k] = t
        files[k] = over.file_of(k)
    blocks: BlockList = [b for b in base.blocks if _kind(b[0], b[1]) not in replaced]
    for name, labels, b, pos in over.blocks:
        if lifecycle and name == "lifecycle":
            old = base.block_list("lifecycle")
            if old:
                b = merged(old[0], b)
        blocks.append((name, labels, b, pos))
    out = Body.made(base.file, attrs, blocks)
    out.json = base.json or over.json
    out.attr_files = {k: f for k, f in files.items() if f != base.file}
    return out


def apply(module: "Module", body: Body) -> List[Tuple[str, Tuple[int, ...]]]:
    """An override file's blocks merged into what ``module`` declares; what has nothing to override, as
    (why, position), which Terraform refuses."""
    missing: List[Tuple[str, Tuple[int, ...]]] = []
    for name, labels, b, pos in body.blocks:
        module.defs.append(b)  # what its resources read changes with it (the session's tf_built)
        what = _merge(module, name, labels, b)
        if what:
            missing.append((f"{what} overrides nothing: an override file only changes what the module's "
                            f"other files declare", pos))
    return missing


def _merge(module: "Module", name: str, labels: List[str], b: Body) -> str:
    """``b`` merged into the block of its header; the block's name when there is none to merge into."""
    key = labels[0] if labels else ""
    if name in ("resource", "data") and len(labels) == 2:
        return _resource(module, name, labels, b)
    if name == "variable" and key:
        if key not in module.variables:
            return f"variable {key}"
        module.variables[key] = merged(module.variables[key], b)
    elif name == "locals":
        unknown = [k for k in b.attrs if k not in module.locals]
        module.locals.update({k: t for k, t in b.attrs.items() if k in module.locals})
        if unknown:
            return f"local.{unknown[0]}"
    elif name == "output" and key:
        if key not in module.outputs:
            return f"output {key}"
        if "value" in b.attrs:
            module.outputs[key] = b.attrs["value"]
    elif name == "module" and key:
        if key not in module.calls:
            return f"module {key}"
        old, at, file = module.calls[key]
        module.calls[key] = (merged(old, b), at, file)
    elif name == "provider" and labels == ["aws"] and "alias" not in b.attrs:
        # a default provider that no file configures is an empty one: Terraform lets an override set it
        module.provider = b if module.provider is None else merged(module.provider, b)
    return ""


def _resource(module: "Module", name: str, labels: List[str], b: Body) -> str:
    address = f"{labels[0]}.{labels[1]}" if name == "resource" else f"data.{labels[0]}.{labels[1]}"
    declared: Any = module.resources.get(address)
    if declared is not None:
        declared.body = merged(declared.body, b, lifecycle=name == "resource")
    if name == "data" and labels[0] == "template_file" and labels[1] in module.template_files:
        module.template_files[labels[1]] = merged(module.template_files[labels[1]], b)
    known = declared is not None or (name == "data" and f"{labels[0]}.{labels[1]}" in module.data)
    return "" if known else address
