"""Terraform's built-in functions, over values the evaluator computes: call() looks a function
up in the registry (_FUNCTIONS) of small functions, by family in the functions_* modules. What each costs
is charged from the root module's budget (pullcheck.formats.terraform.budget)."""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

from pullcheck.formats.terraform import functions_collections as coll
from pullcheck.formats.terraform import functions_conversion as conversion
from pullcheck.formats.terraform import functions_encoding as encoding
from pullcheck.formats.terraform import functions_numbers as numbers
from pullcheck.formats.terraform import functions_regex as regex
from pullcheck.formats.terraform import functions_text as text
from pullcheck.formats.terraform.budget import (
    _CONSTANT,
    _DEEP,
    _ELEMENTWISE,
    READS_PER_STEP,
    Budget,
    Opaque,
    _extra_work,
    _reading,
    built,
)
from pullcheck.formats.terraform.convert import MAX_BITS, NULL, Unknowable, is_known, text_of
from pullcheck.graph.values import MAX_ITEMS, MAX_STRING, Ref, Template, Unknown
from pullcheck.sources.errors import ParseError

# a function as the registry holds it: given the call's arguments, its unknown (what the call is when it
# cannot be evaluated) and the budget, its value
Function = Callable[[List[Any], Callable[[], Unknown], Budget], Any]


# functions that charge all they do as they do it (reading their text, building their result): a cached
# jsondecode() reads nothing, and regexall()'s scan covers reading its text
_SELF_CHARGED = {"regexall", "jsondecode"}


def call(name: str, args: List[Any], budget: Any = None) -> Any:
    """A function's value; its work and what it builds are spent from the root module's ``budget``. A call
    that cannot be evaluated because an argument is unknown is unknown for that argument's reason."""
    def unknown() -> Unknown:
        why = next((a.origin for a in args if isinstance(a, Unknown)), None)
        return Unknown(why or f"function {name}() is not evaluated")

    meter = budget if budget is not None else Budget()
    if meter.over():
        return meter.spent()
    run = _FUNCTIONS.get(name)
    if name not in _CONSTANT and name not in _SELF_CHARGED:
        deep = name in _DEEP or (isinstance(run, Pure) and not run.structural)
        reading = _reading(args, deep, meter.steps_left(), _ELEMENTWISE.get(name, 0))
        if not meter.spend(reading + _extra_work(name, args)):
            return meter.spent()
    result = _call(name, run, args, unknown, meter)
    if name not in _CONSTANT and name not in _SELF_CHARGED and not any(result is a for a in args):
        made = built(result)  # also when the result is past a bound below: it was built
        meter.spend(made // READS_PER_STEP, made)
    if meter.over():
        return meter.spent()
    if isinstance(result, str) and len(result) > MAX_STRING:
        return Unknown(f"function {name}() gives a string over {MAX_STRING} characters")
    if isinstance(result, (list, dict)) and len(result) > MAX_ITEMS:
        return Unknown(f"function {name}() gives more than {MAX_ITEMS} items")
    if isinstance(result, int) and not isinstance(result, bool) and result.bit_length() > MAX_BITS:
        return Unknown(f"function {name}() gives a number of more than {MAX_BITS} bits")
    return result


class Pure:
    """A function of values alone, ``fn(*args)``: its arguments are known, or (``structural``: it only
    rearranges a collection and keeps the references inside it) not themselves unknown; those Terraform
    converts to strings (the indexes in ``text``, or "all") are converted, numbers and bools to text.
    ``metered``: it is also given the budget, to charge its searches as it goes. It returns None when it
    cannot be evaluated, and NULL for null."""

    __slots__ = ("fn", "structural", "text", "metered")

    def __init__(self, fn: Callable[..., Any], structural: bool = False, text: Any = (),
                 metered: bool = False) -> None:
        self.fn, self.structural, self.text, self.metered = fn, structural, text, metered

    def __call__(self, args: List[Any], unknown: Callable[[], Unknown], meter: Budget) -> Any:
        ok = _known_itself if self.structural else is_known
        if not all(ok(a) for a in args):
            return unknown()
        if self.text:  # Terraform converts numbers and bools given where a string is expected
            which = self.text
            wanted = [which == "all" or i in which for i in range(len(args))]
            texts = [text_of(a) if w else a for a, w in zip(args, wanted)]
            if any(t is None for t, w in zip(texts, wanted) if w):
                return unknown()
            args = texts
        out = self.fn(*args, meter=meter) if self.metered else self.fn(*args)
        return None if out is NULL else unknown() if out is None else out


def _known_itself(a: Any) -> bool:
    """The argument itself is known; a list or map may hold references and unknowns."""
    return not isinstance(a, (Unknown, Ref, Template, Opaque))


def _call(name: str, run: Optional[Function], args: List[Any], unknown: Callable[[], Unknown],
          meter: Budget) -> Any:
    """The value ``run`` (the function named ``name``) gives, or the unknown of a call it cannot evaluate."""
    if "::" in name:
        return Unknown(f"provider function {name}()")
    if run is None:
        return unknown()
    try:
        return run(args, unknown, meter)
    except Unknowable as e:
        return Unknown(f"function {name}() {e}")
    except (TypeError, ValueError, ParseError, IndexError, ZeroDivisionError, OverflowError, RecursionError):
        return unknown()


def _can(args: List[Any], unknown: Callable[[], Unknown], meter: Budget) -> Any:
    """can(): true when its argument is known; otherwise the call is unknown."""
    if len(args) != 1:
        return unknown()
    return True if is_known(args[0]) else Unknown("can() of a value that cannot be known")


# Terraform's functions by name, each a Pure function of values or a Function of its own; a name not here is
# not evaluated
_FUNCTIONS: Dict[str, Function] = {
    "can": _can, "try": coll.try_values, "coalesce": coll.coalesce,
    # strings
    "format": Pure(text.format_text, text=(0,)), "formatlist": Pure(text.formatlist, text=(0,)),
    "split": Pure(text.split, text="all"), "substr": Pure(text.substr, text=(0,)),
    "trimspace": Pure(text.trimspace, text="all"), "trim": Pure(text.trim, text="all"),
    "trimprefix": Pure(text.trimprefix, text="all"), "trimsuffix": Pure(text.trimsuffix, text="all"),
    "title": Pure(text.title, text="all"), "startswith": Pure(text.startswith, text="all"),
    "endswith": Pure(text.endswith, text="all"),
    "join": text.join, "lower": text.lower, "upper": text.upper,
    # regular expressions
    "replace": Pure(regex.replace, text="all", metered=True), "regex": Pure(regex.regex, text="all", metered=True),
    "regexall": Pure(regex.regexall, text="all", metered=True),
    # lists and maps
    "zipmap": Pure(coll.zipmap, structural=True),
    "distinct": Pure(coll.distinct, structural=True), "setproduct": Pure(coll.setproduct, structural=True),
    "one": Pure(coll.one, structural=True), "coalescelist": Pure(coll.coalescelist, structural=True),
    "reverse": Pure(coll.reverse, structural=True), "slice": Pure(coll.slice_list, structural=True),
    "chunklist": Pure(coll.chunklist, structural=True),
    "contains": Pure(coll.contains), "index": Pure(coll.index), "sort": Pure(coll.sort),
    "element": coll.element, "length": coll.length, "concat": coll.concat, "flatten": coll.flatten,
    "lookup": coll.lookup, "merge": coll.merge, "keys": coll.keys, "values": coll.values, "compact": coll.compact,
    # type conversions
    "tostring": Pure(conversion.tostring), "tonumber": Pure(conversion.tonumber), "tobool": Pure(conversion.tobool),
    "tolist": Pure(conversion.tolist, structural=True), "toset": Pure(conversion.toset, structural=True),
    "tomap": Pure(conversion.tomap, structural=True),
    # numbers and networks
    "max": Pure(numbers.largest), "min": Pure(numbers.smallest), "sum": Pure(numbers.sum_list),
    "abs": Pure(numbers.absolute), "ceil": Pure(numbers.ceil), "floor": Pure(numbers.floor),
    "range": Pure(numbers.number_range),
    "cidrsubnet": Pure(numbers.cidrsubnet), "cidrsubnets": Pure(numbers.cidrsubnets),
    # encodings
    "jsonencode": encoding.jsonencode, "jsondecode": encoding.jsondecode,
    "base64encode": Pure(encoding.base64encode, text="all"), "md5": Pure(encoding.md5, text="all"),
}
