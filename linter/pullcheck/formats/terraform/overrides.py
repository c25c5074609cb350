"""Override files (``override.tf``, ``*_override.tf`` and their ``.tf.json`` forms) merged into a module as
Terraform merges them, after every other file and one file after another in the order of their names.

A top-level block merges into the block of the same header (type and labels): each attribute it sets
replaces the one of that name, and its nested blocks of a type replace all the blocks of that type (a
``dynamic`` block counting as its type); a resource's ``lifecycle`` merges argument by argument. Locals
merge one by one, whichever block holds them; an output takes the override's value. A block with nothing
to override is an error to Terraform, and is left out here; so is what pullcheck does not read (the
``terraform`` block, providers other than the default AWS one)."""
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


def apply(module: "Module", body: Body) -> None:
    """An override file's blocks merged into what ``module`` declares."""
    for name, labels, b, pos in body.blocks:
        module.defs.append(b)  # what its resources read changes with it (modules.BUILT)
        if name in ("resource", "data") and len(labels) == 2:
            _resource(module, name, labels, b)
        elif name == "variable" and labels and labels[0] in module.variables:
            module.variables[labels[0]] = merged(module.variables[labels[0]], b)
        elif name == "locals":
            module.locals.update({k: t for k, t in b.attrs.items() if k in module.locals})
        elif name == "output" and labels and labels[0] in module.outputs and "value" in b.attrs:
            module.outputs[labels[0]] = b.attrs["value"]
        elif name == "module" and labels and labels[0] in module.calls:
            old, at, file = module.calls[labels[0]]
            module.calls[labels[0]] = (merged(old, b), at, file)
        elif name == "provider" and labels == ["aws"] and "alias" not in b.attrs:
            # a default provider that no file configures is an empty one: Terraform lets an override set it
            module.provider = b if module.provider is None else merged(module.provider, b)


def _resource(module: "Module", name: str, labels: List[str], b: Body) -> None:
    address = f"{labels[0]}.{labels[1]}" if name == "resource" else f"data.{labels[0]}.{labels[1]}"
    declared: Any = module.resources.get(address)
    if declared is not None:
        declared.body = merged(declared.body, b, lifecycle=name == "resource")
    if name == "data" and labels[0] == "template_file" and labels[1] in module.template_files:
        module.template_files[labels[1]] = merged(module.template_files[labels[1]], b)
