"""Terraform's built-in functions, over values the evaluator computes: call() looks a function
up in the registry (_FUNCTIONS) of small functions, by family in the functions_* modules. What each costs
is charged from the root module's budget (pullcheck.formats.terraform.budget)."""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

from pullcheck.formats.terraform import functions_collections as coll
from pullcheck.formats.terraform import functions_conversion as conversion
from pullcheck.formats.terraform import functions_encoding as encoding
from pullcheck.formats.terraform import functions_files as files
from pullcheck.formats.terraform import functions_hash as hashes
from pullcheck.formats.terraform import functions_net as net
from pullcheck.formats.terraform import functions_numbers as numbers
from pullcheck.formats.terraform import functions_regex as regex
from pullcheck.formats.terraform import functions_sets as sets
from pullcheck.formats.terraform import functions_template as templates
from pullcheck.formats.terraform import functions_text as text
from pullcheck.formats.terraform import functions_time as times
from pullcheck.formats.terraform import functions_world as world
from pullcheck.formats.terraform import functions_yaml as yaml
from pullcheck.formats.terraform.budget import (
    CONSTANT,
    DEEP,
    ELEMENTWISE,
    READS_PER_STEP,
    Budget,
    JsonEncoded,
    Opaque,
    built,
    extra_work,
    reading,
)
from pullcheck.formats.terraform.convert import MAX_BITS, NULL, Unknowable, is_known, text_of
from pullcheck.formats.terraform.failures import Fails
from pullcheck.formats.terraform.unicode_text import nfc
from pullcheck.graph.values import MAX_ITEMS, MAX_STRING, Missing, Ref, Template, Undeclared, Unknown
from pullcheck.sources.errors import ParseError

# a function as the registry holds it: given the call's arguments, its unknown (what the call is when it
# cannot be evaluated) and the budget, its value
Function = Callable[[List[Any], Callable[[], Unknown], Budget], Any]


# functions that charge all they do as they do it (reading their text, building their result): a cached
# jsondecode() reads nothing, and regexall()'s scan covers reading its text
_SELF_CHARGED = {"regexall", "jsondecode"}


def reason_in(args: List[Any], most: int = 200) -> Optional[str]:
    """Why a call over ``args`` cannot be evaluated: the first unknown met inside them (a variable, a data
    source, a resource's attribute), looked for among at most ``most`` parts; None if none is met."""
    todo = list(args)
    for _ in range(most):
        if not todo:
            return None
        a = todo.pop(0)
        if isinstance(a, Unknown):
            return a.origin
        if isinstance(a, Ref):
            said = a.target.split(":", 1)[-1]
            return f"data source {said}" if a.rtype.startswith("data.") else f"attribute {a.attr} of {said}"
        if isinstance(a, Template):
            todo.extend(p for p in a.parts if not isinstance(p, str))
        elif isinstance(a, dict):
            todo.extend(a.values())
        elif isinstance(a, list):
            todo.extend(a)
    return None


def call(name: str, args: List[Any], budget: Any = None) -> Any:
    """A function's value; its work and what it builds are spent from the root module's ``budget``. A call
    that cannot be evaluated because an argument is unknown is unknown for that argument's reason; a call
    Terraform reports an error for (or given an argument that is one) is that error (a Missing)."""
    def unknown() -> Unknown:
        return Unknown(reason_in(args) or f"function {name}() is not evaluated")

    meter = budget if budget is not None else Budget()
    if meter.over():
        return meter.spent()
    wrong = arity_error(name, len(args))
    if wrong is not None:
        return wrong
    run = _FUNCTIONS.get(name)
    if name not in CONSTANT and name not in _SELF_CHARGED:
        deep = name in DEEP or (isinstance(run, Pure) and not run.structural)
        steps = reading(args, deep, meter.steps_left(), ELEMENTWISE.get(name, 0))
        if not meter.spend(steps + extra_work(name, args)):
            return meter.spent()
    result = _call(name, run, args, unknown, meter)
    if name not in CONSTANT and name not in _SELF_CHARGED and not any(result is a for a in args):
        made = built(result)  # also when the result is past a bound below: it was built
        meter.spend(made // READS_PER_STEP, made)
    if meter.over():
        return meter.spent()
    if isinstance(result, str) and not isinstance(result, JsonEncoded):
        result = nfc(result)  # cty holds every string in NFC
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
    converts to strings (the indexes in ``text``, or "all") are converted, numbers and bools to text, and
    text to NFC. ``metered``: it is also given the budget, to charge its searches as it goes. It returns
    None when it cannot be evaluated, and NULL for null; it raises Fails where Terraform reports an error."""

    __slots__ = ("fn", "structural", "text", "metered")

    def __init__(self, fn: Callable[..., Any], structural: bool = False, text: Any = (),
                 metered: bool = False) -> None:
        self.fn, self.structural, self.text, self.metered = fn, structural, text, metered

    def __call__(self, args: List[Any], unknown: Callable[[], Unknown], meter: Budget) -> Any:
        if self.text and any(_a_collection(a) for i, a in enumerate(args) if self.text == "all" or i in self.text):
            raise Fails("a string is required")
        ok = _known_itself if self.structural else is_known
        if not all(ok(a) for a in args):
            return unknown()
        if self.text:  # Terraform converts numbers and bools given where a string is expected
            which = self.text
            wanted = [which == "all" or i in which for i in range(len(args))]
            texts = [text_of(a) if w else a for a, w in zip(args, wanted)]
            if any(t is None for t, w in zip(texts, wanted) if w):
                if any(a is None or isinstance(a, (list, dict)) for a, w in zip(args, wanted) if w):
                    raise Fails("a string is required")
                return unknown()
            args = [nfc(t) if w else t for t, w in zip(texts, wanted)]
        out = self.fn(*args, meter=meter) if self.metered else self.fn(*args)
        return None if out is NULL else unknown() if out is None else out


def _structure(a: Any) -> bool:
    """A collection or an object itself, which no conversion makes a primitive."""
    return isinstance(a, (list, dict)) or _a_collection(a)


def _a_collection(a: Any) -> bool:
    """``a`` is an unknown whose type is a collection or an object: never a primitive."""
    ty = getattr(a, "ty", None) if isinstance(a, Unknown) else None
    return ty is not None and ty.kind not in ("string", "number", "bool", "any")


def _known_itself(a: Any) -> bool:
    """The argument itself is known; a list or map may hold references and unknowns."""
    return not isinstance(a, (Unknown, Ref, Template, Opaque))


def _call(name: str, run: Optional[Function], args: List[Any], unknown: Callable[[], Unknown],
          meter: Budget) -> Any:
    """The value ``run`` (the function named ``name``) gives, or the unknown of a call it cannot evaluate."""
    if "::" in name:
        return Unknown(f"provider function {name}()")
    failed = next((a for a in args if isinstance(a, Missing)), None)
    if failed is not None and name not in ("try", "can"):
        return failed
    refused = NOT_NULL.get(name, ())
    if any(i < len(args) and args[i] is None for i in refused):
        return Missing(f"function {name}() fails: argument {refused[0] + 1} must not be null")
    if name in ("tostring", "tonumber", "tobool") and args and _structure(args[0]):
        return Missing(f"function {name}() fails: a collection or object cannot be converted to a primitive")
    if run is None:
        return unknown()  # a function Terraform has that is not evaluated here (see ARITY)
    try:
        return run(args, unknown, meter)
    except Unknowable as e:
        return Unknown(f"function {name}() {e}")
    except Fails as e:
        return Missing(f"function {name}() fails: {e}")
    except (TypeError, ValueError, ParseError, IndexError, ZeroDivisionError, OverflowError, RecursionError):
        return unknown()


# the arguments (by index) that a function of Terraform refuses null for, before it looks at the others
NOT_NULL: Dict[str, Tuple[int, ...]] = {"contains": (1,), "index": (1,)}


def arity_error(name: str, count: int) -> Any:
    """The Missing of Terraform's error for a call of ``name`` with ``count`` arguments (a function Terraform
    does not have, too few or too many arguments), or None."""
    if "::" in name or name == "type":  # a provider's function; type() of the console alone
        return None
    bounds = ARITY.get(name)
    if bounds is None:
        return Missing(f"call to unknown function {name}()")
    least, most = bounds
    if count < least:
        return Missing(f"{name}(): not enough function arguments (it takes {least})")
    if most is not None and count > most:
        return Missing(f"{name}(): too many function arguments (it takes {most})")
    return None


# each function of Terraform (1.11) that needs no provider: the fewest and the most arguments it takes (None:
# any number more), as Terraform checks them before it calls the function
ARITY: Dict[str, Tuple[int, Optional[int]]] = {
    **{name: (1, 1) for name in (
        "abs", "abspath", "alltrue", "anytrue", "base64decode", "base64encode", "base64gzip", "base64sha256",
        "base64sha512", "basename", "can", "ceil", "chomp", "cidrnetmask", "compact", "csvdecode", "dirname",
        "distinct", "ephemeralasnull", "file", "filebase64", "filebase64sha256", "filebase64sha512", "fileexists",
        "filemd5", "filesha1", "filesha256", "filesha512", "flatten", "floor", "issensitive", "jsondecode",
        "jsonencode", "keys", "length", "lower", "md5", "nonsensitive", "one", "pathexpand", "reverse",
        "sensitive", "sha1", "sha256", "sha512", "signum", "sort", "strrev", "sum", "title", "tobool", "tolist",
        "tomap", "tonumber", "toset", "tostring", "transpose", "trimspace", "upper", "urlencode", "values",
        "yamldecode", "yamlencode")},
    **{name: (2, 2) for name in (
        "chunklist", "cidrhost", "contains", "element", "endswith", "fileset", "formatdate", "indent", "index", "log",
        "parseint", "pow", "regex", "regexall", "rsadecrypt", "setsubtract", "split", "startswith", "strcontains",
        "templatefile", "templatestring", "textdecodebase64", "textencodebase64", "timeadd", "timecmp", "trim",
        "trimprefix", "trimsuffix", "uuidv5", "zipmap")},
    **{name: (3, 3) for name in ("cidrsubnet", "matchkeys", "replace", "slice", "substr")},
    **{name: (0, 0) for name in ("plantimestamp", "timestamp", "uuid")},
    **{name: (0, None) for name in (
        "coalesce", "coalescelist", "concat", "list", "map", "max", "merge", "min", "range", "setproduct", "try")},
    **{name: (1, None) for name in ("cidrsubnets", "format", "formatlist", "join", "setintersection", "setunion")},
    "bcrypt": (1, 2), "lookup": (2, None),
}


def _can(args: List[Any], unknown: Callable[[], Unknown], meter: Budget) -> Any:
    """can(): true when its argument is known, false when it is an error; otherwise the call is unknown."""
    if len(args) != 1:
        return unknown()
    if isinstance(args[0], Undeclared):
        return args[0]  # reported before evaluation: can() does not see it
    if isinstance(args[0], Missing):
        return False
    return True if is_known(args[0]) else Unknown("can() of a value that cannot be known")


def _slice(args: List[Any], unknown: Callable[[], Unknown], meter: Budget) -> Any:
    """slice(): of a known list, or (with known indexes) of a data source's list, as long as it asks."""
    if len(args) == 3 and coll.from_data_source(args[0]) and all(is_known(a) for a in args[1:]):
        return coll.data_slice(args, unknown, meter)
    return _SLICE(args, unknown, meter)


_SLICE = Pure(coll.slice_list, structural=True)


# Terraform's functions by name, each a Pure function of values or a Function of its own; a name not here is
# not evaluated
_FUNCTIONS: Dict[str, Function] = {
    "can": _can, "try": coll.try_values, "coalesce": coll.coalesce,
    # strings
    "format": text.format_call, "formatlist": text.formatlist_call, "join": text.join, "length": text.length,
    "split": Pure(text.split, text="all"), "substr": Pure(text.substr, text=(0,), metered=True),
    "strrev": Pure(text.strrev, text="all", metered=True),
    "upper": Pure(text.upper, text="all"), "lower": Pure(text.lower, text="all"),
    "title": Pure(text.title, text="all"), "trimspace": Pure(text.trimspace, text="all"),
    "trim": Pure(text.trim, text="all"), "trimprefix": Pure(text.trimprefix, text="all"),
    "trimsuffix": Pure(text.trimsuffix, text="all"), "chomp": Pure(text.chomp, text="all"),
    "indent": Pure(text.indent, text=(1,)), "strcontains": Pure(text.strcontains, text="all"),
    "startswith": Pure(text.startswith, text="all"), "endswith": Pure(text.endswith, text="all"),
    "csvdecode": Pure(text.csvdecode, text="all", metered=True),
    # regular expressions
    "replace": Pure(regex.replace, text="all", metered=True), "regex": Pure(regex.regex, text="all", metered=True),
    "regexall": Pure(regex.regexall, text="all", metered=True),
    # lists and maps
    "zipmap": Pure(coll.zipmap, structural=True),
    "distinct": Pure(coll.distinct, structural=True), "setproduct": Pure(coll.setproduct, structural=True),
    "one": Pure(coll.one, structural=True), "coalescelist": Pure(coll.coalescelist, structural=True),
    "reverse": Pure(coll.reverse, structural=True), "slice": _slice,
    "chunklist": Pure(coll.chunklist, structural=True), "matchkeys": Pure(coll.matchkeys),
    "transpose": Pure(coll.transpose),
    "contains": Pure(coll.contains), "index": Pure(coll.index), "sort": Pure(coll.sort, structural=True),
    "element": coll.element, "concat": coll.concat, "flatten": coll.flatten,
    "lookup": coll.lookup, "merge": coll.merge, "keys": coll.keys, "values": coll.values, "compact": coll.compact,
    # type conversions
    "tostring": Pure(conversion.tostring), "tonumber": Pure(conversion.tonumber), "tobool": Pure(conversion.tobool),
    "tolist": Pure(conversion.tolist, structural=True), "toset": Pure(conversion.toset, structural=True),
    "tomap": Pure(conversion.tomap, structural=True),
    # numbers
    "max": Pure(numbers.largest), "min": Pure(numbers.smallest), "sum": Pure(numbers.sum_list),
    "abs": Pure(numbers.absolute), "ceil": Pure(numbers.ceil), "floor": Pure(numbers.floor),
    "range": Pure(numbers.number_range), "pow": Pure(numbers.power), "log": Pure(numbers.logarithm),
    "signum": Pure(numbers.signum), "parseint": Pure(numbers.parseint),
    # networks
    "cidrhost": Pure(net.cidrhost, text=(0,)), "cidrnetmask": Pure(net.cidrnetmask, text=(0,)),
    "cidrsubnet": Pure(net.cidrsubnet, text=(0,)), "cidrsubnets": Pure(net.cidrsubnets, text=(0,)),
    # sets, and tests over a list's elements
    "setunion": Pure(sets.setunion, metered=True), "setintersection": Pure(sets.setintersection, metered=True),
    "setsubtract": Pure(sets.setsubtract, metered=True), "alltrue": Pure(sets.alltrue, structural=True, metered=True),
    "anytrue": Pure(sets.anytrue, structural=True, metered=True),
    # encodings and hashes
    "jsonencode": encoding.jsonencode, "jsondecode": encoding.jsondecode,
    "yamldecode": Pure(yaml.yamldecode, text="all", metered=True), "yamlencode": yaml.yamlencode,
    "base64encode": Pure(hashes.base64encode, text="all"), "base64decode": Pure(hashes.base64decode, text="all"),
    "textencodebase64": Pure(hashes.textencodebase64, text="all"),
    "textdecodebase64": Pure(hashes.textdecodebase64, text="all"),
    "base64gzip": Pure(hashes.base64gzip, text="all", metered=True),
    "urlencode": Pure(hashes.urlencode, text="all"),
    "md5": Pure(hashes.md5, text="all"), "sha1": Pure(hashes.sha1, text="all"),
    "sha256": Pure(hashes.sha256, text="all"), "sha512": Pure(hashes.sha512, text="all"),
    "base64sha256": Pure(hashes.base64sha256, text="all"), "base64sha512": Pure(hashes.base64sha512, text="all"),
    "uuidv5": Pure(hashes.uuidv5, text="all"),
    # templates (templatefile() is read by the evaluator; templatestring()'s template is handed over by it)
    "templatestring": templates.templatestring,
    # paths and files (file() and templatefile() are read by the evaluator)
    "basename": Pure(files.basename, text="all"), "dirname": Pure(files.dirname, text="all"),
    "pathexpand": Pure(files.pathexpand, text="all"), "abspath": Pure(files.abspath, text="all"),
    "fileexists": Pure(files.fileexists, text="all", metered=True),
    "fileset": Pure(files.fileset, text="all", metered=True),
    "filebase64": Pure(files.filebase64, text="all", metered=True),
    "filemd5": Pure(files.filemd5, text="all", metered=True), "filesha1": Pure(files.filesha1, text="all", metered=True),
    "filesha256": Pure(files.filesha256, text="all", metered=True),
    "filesha512": Pure(files.filesha512, text="all", metered=True),
    "filebase64sha256": Pure(files.filebase64sha256, text="all", metered=True),
    "filebase64sha512": Pure(files.filebase64sha512, text="all", metered=True),
    # given times
    "formatdate": Pure(times.formatdate, text="all", metered=True),
    "timeadd": Pure(times.timeadd, text="all", metered=True),
    "timecmp": Pure(times.timecmp, text="all"),
    # the clock, chance, keys and marks
    "timestamp": world.timestamp, "plantimestamp": world.plantimestamp, "uuid": world.uuid, "bcrypt": world.bcrypt,
    "rsadecrypt": world.rsadecrypt, "sensitive": world.sensitive, "nonsensitive": world.nonsensitive,
    "issensitive": world.issensitive, "ephemeralasnull": world.ephemeralasnull,
    "list": world.retired_list, "map": world.retired_map,
}
