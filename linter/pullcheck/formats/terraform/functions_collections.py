"""Terraform's functions over lists and maps, and those that pick one of their arguments (coalesce(), try()).

Those that take known arguments (see functions.Pure) return None when they cannot tell and a Missing where
Terraform gives an error; the others are given the call's arguments and its ``unknown``. Maps are read in
the order of their keys and sets in theirs (unify.set_of), as Terraform reads them."""
from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Dict, List

from pullcheck.formats.terraform.budget import Budget, Opaque
from pullcheck.formats.terraform.convert import (
    NULL,
    Invalid,
    TfList,
    TfMap,
    TfSet,
    at_most,
    equality_key,
    is_known,
    text_known,
    text_of,
    to_number,
)
from pullcheck.formats.terraform.number import go_int
from pullcheck.formats.terraform.unify import DYNAMIC, convert, set_of, type_of, unified, unify
from pullcheck.graph.values import MAX_ITEMS, Missing, Ref, Template, Undeclared, Unknown


def _unknown(v: Any) -> bool:
    return isinstance(v, (Unknown, Ref, Template, Opaque))


# Where distinct(), compact() and flatten() need a value that is only known after apply (is it equal to
# another element? empty? a list?), Terraform answers unknown, and so does ``pullcheck console``. A lint
# takes a reference to a resource's attribute as that resource's own ID, ARN or name instead: one string,
# equal only to a reference to the same attribute, never empty, so that ``flatten([aws_subnet.a[*].id])``
# stays the subnets it lists. The console sets this to True.
STRICT_REFERENCES = ContextVar("strict_references", default=False)


# attributes that are one string for every resource type that has them (an ID, an ARN, a name); any other
# may be a list (``data.aws_subnets.x.ids``, ``aws_vpc_endpoint.x.network_interface_ids``)
_ONE_STRING = frozenset(("id", "arn", "name", "arn_without_revision", "repository_url", "family", "json", "url",
                         "cidr_block", "vpc_id", "subnet_id", "dns_name", "zone_id", "owner_id", "account_id",
                         "availability_zone", "ipv6_cidr_block", "main_route_table_id", "default_route_table_id",
                         "default_security_group_id", "registry_id", "key_id", "invoke_arn", "bucket"))


def _undecided(x: Any) -> bool:
    """An element whose value distinct(), compact() or flatten() would need and cannot have."""
    if isinstance(x, Ref) and not STRICT_REFERENCES.get() and x.attr in _ONE_STRING:
        return False
    return _unknown(x)


def _text_shaped(v: Any) -> bool:
    """``v`` is known to be one string, not a list that flatten() would open: a template, an unknown of a
    primitive type."""
    ty = getattr(v, "ty", None) if isinstance(v, Unknown) else None
    return isinstance(v, Template) or ty is not None and ty.kind in ("string", "number", "bool")


def _whole(v: Any, what: str) -> Any:
    """A whole number given for ``what`` (an index, a size), or the Missing of Terraform's error."""
    n = to_number(v)
    if isinstance(n, float) and n == 0:  # negative zero is the Go int 0
        return 0
    if not isinstance(n, int):
        return Missing(f"{what} must be a whole number")
    return n


def _list_like(xs: Any) -> bool:
    return isinstance(xs, list)


def zipmap(keys: Any, values: Any) -> Any:
    if not _list_like(keys) or not _list_like(values) or isinstance(values, TfSet):
        return Missing("zipmap() of a value that is not a list")  # its values a list or tuple, never a set
    if any(_unknown(k) for k in keys):
        return None  # keys not all known: Terraform's result is unknown before anything else is checked
    if len(keys) != len(values):
        return Missing(f"zipmap(): {len(keys)} keys for {len(values)} values")
    names = [text_of(k) for k in keys]
    if None in names:
        return None if any(_unknown(k) for k in keys) else Missing("zipmap() with a key that is not a string")
    out = dict(zip(names, values))
    return TfMap(out) if isinstance(values, (TfList, TfSet)) else out


def setproduct(*lists: Any) -> Any:
    import itertools

    if len(lists) < 2:
        return Missing("setproduct() of fewer than two lists")
    if not all(_list_like(x) for x in lists):
        return Missing("setproduct() of a value that is not a list or set")
    # each argument a list or set of one element type: a tuple's elements take the type they unify to
    lists = tuple(x if isinstance(x, (TfList, TfSet)) else unified(x) for x in lists)
    size = 1
    for x in lists:
        size *= len(x)
    if size > MAX_ITEMS:
        return None
    products = [list(p) for p in itertools.product(*lists)]
    # a set among the arguments makes the result a set (each product once, in a set's order)
    return set_of(products) if any(isinstance(x, TfSet) for x in lists) else TfList(products)


def distinct(xs: Any) -> Any:
    """The list without repeats, its elements of one type, in one pass: each element by its equality key."""
    if not _list_like(xs):
        return Missing("distinct() of a value that is not a list")
    if any(_undecided(x) for x in xs):  # which are equal is not known
        return None
    key = equality_key()
    seen: set = set()
    out = TfList()
    for x in unified(xs):
        k = key(x)
        if k not in seen:
            seen.add(k)
            out.append(x)
    return out


def contains(xs: Any, v: Any) -> Any:
    if not _list_like(xs):
        return Missing("contains() of a value that is not a list or set")
    key = equality_key()
    want = key(v)
    return any(key(x) == want for x in xs)


def index(xs: Any, v: Any) -> Any:
    if not _list_like(xs) or isinstance(xs, TfSet):
        return Missing("index() of a value that is not a list")
    key = equality_key()
    want = key(v)
    return next((go_int(i) for i, x in enumerate(xs) if key(x) == want), Missing("index(): item not found"))


def one(xs: Any) -> Any:
    if xs is None:
        return Missing("one() of null")
    if not _list_like(xs) or len(xs) > 1:
        return Missing("one() of a value that is not a list of at most one element")
    return xs[0] if xs and xs[0] is not None else NULL


def coalescelist(*xs: Any) -> Any:
    if not all(_list_like(x) and not isinstance(x, TfSet) for x in xs):  # lists or tuples, all; no null
        return Missing("coalescelist() of a value that is not a list")
    for x in xs:
        if x:
            return x
    return Missing("coalescelist(): no non-empty list")


def reverse(xs: Any) -> Any:
    if not _list_like(xs):
        return Missing("reverse() of a value that is not a list")
    out = list(reversed(xs))
    return TfList(out) if isinstance(xs, (TfList, TfSet)) else out


def _slice_bounds(a: Any, b: Any) -> Any:
    """(start, end) of slice() as whole numbers in order, or the Missing of Terraform's error."""
    start, end = _whole(a, "a start index"), _whole(b, "an end index")
    for got in (start, end):
        if isinstance(got, Missing):
            return got
    if start < 0:
        return Missing("slice(): the start index must not be less than zero")
    if start > end:
        return Missing("slice(): the start index must not be greater than the end index")
    return start, end


def slice_list(xs: Any, a: Any, b: Any) -> Any:
    if not _list_like(xs) or isinstance(xs, TfSet):
        return Missing("slice() of a value that is not a list")
    bounds = _slice_bounds(a, b)
    if isinstance(bounds, Missing):
        return bounds
    start, end = bounds
    if end > len(xs):
        return Missing("slice(): the end index must not be greater than the length of the list")
    out = xs[start:end]
    return TfList(out) if isinstance(xs, TfList) else list(out)


def data_slice(args: List[Any], unknown: Any, meter: Budget) -> Any:
    """slice() of a data source's list, from known indexes: a list of as many unknown elements. Terraform
    reads a data source while planning, so the list is known then; a slice of it either has that length or
    is Terraform's error (an end past the list's), and so what is counted from it is known."""
    xs, a, b = args
    bounds = _slice_bounds(a, b)
    if isinstance(bounds, Missing):
        return bounds
    start, end = bounds
    at_most(end - start)
    return [Unknown(f"element {i} of {str(xs).split(':', 1)[-1]}") for i in range(start, end)]


def from_data_source(v: Any) -> bool:
    """``v`` is an attribute of a data source (known while planning, unknown to pullcheck)."""
    return isinstance(v, Ref) and v.rtype.startswith("data.")


def sort(xs: Any) -> Any:
    """sort(): the elements as strings (numbers and bools converted), in lexical order."""
    if not _list_like(xs):
        return Missing("sort() of a value that is not a list")
    texts = []
    if any(_unknown(x) for x in xs):  # as many elements, in an order not known
        return TfList(Unknown("an element of a sorted list that holds unknowns") for _ in xs)
    for x in xs:
        if x is None:
            return Missing("sort() of a list with a null element")
        t = text_of(x)
        if t is None:
            return Missing("sort() of a list with an element that is not a string")
        texts.append(t)
    return TfList(sorted(texts))


def matchkeys(values: Any, keys: Any, searchset: Any) -> Any:
    """matchkeys(): the values whose key (at the same index) is in the search set; the keys and the search set
    converted to the one type they unify to, the values to a list of one type. Each key is looked up by its
    equality key, so the work is the keys and the search set read once."""
    if not all(_list_like(x) for x in (values, keys, searchset)):
        return Missing("matchkeys() of a value that is not a list")
    both = unified(list(keys) + list(searchset))  # raises Invalid: keys and searchset must be of the same type
    out = TfList()
    items = unified(values)
    if len(items) != len(keys):
        return Missing("matchkeys(): length of keys and values should be equal")
    key = equality_key()
    wanted = {key(x) for x in both[len(keys):]}
    for value, k in zip(items, both[:len(keys)]):
        if key(k) in wanted:
            out.append(value)
    return out


def transpose(m: Any) -> Any:
    """transpose(): a map of lists of strings turned inside out: each string a key, listing the keys whose
    lists hold it (in the order of the keys, once per time it is held)."""
    if not isinstance(m, dict):
        return Missing("transpose() of a value that is not a map of lists of strings")
    out: Dict[str, TfList] = {}
    for name in sorted(m):
        strings = m[name]
        if not _list_like(strings):
            return Missing("transpose() of a value that is not a map of lists of strings")
        for x in strings:
            if x is None:
                return Missing("transpose(): input list must not contain null string")
            t = text_of(x)
            if t is None:
                return Missing("transpose() of a value that is not a map of lists of strings")
            out.setdefault(t, TfList()).append(name)
    return TfMap((k, out[k]) for k in sorted(out))


def chunklist(xs: Any, n: Any) -> Any:
    size = _whole(n, "the size of a chunk")
    if isinstance(size, Missing) or size < 0:
        return size if isinstance(size, Missing) else Missing("chunklist(): the size must not be negative")
    if not _list_like(xs):
        return Missing("chunklist() of a value that is not a list")
    xs = xs if isinstance(xs, (TfList, TfSet)) else unified(xs)  # a list of one element type
    if size == 0:
        return TfList([TfList(xs)])
    at_most(len(xs) // size + len(xs))
    return TfList(TfList(xs[i:i + size]) for i in range(0, len(xs), size))


def element(args: List[Any], unknown: Any, meter: Budget) -> Any:
    """element(list, i): the element at ``i`` modulo the length (a negative index from the end of a list); a
    fractional index, an empty list or a set are Terraform's errors."""
    if len(args) != 2 or _unknown(args[0]) or _unknown(args[1]):
        return unknown()
    xs, i = args
    if not _list_like(xs) or isinstance(xs, TfSet):
        return Missing("element() of a value that is not a list")
    n = _whole(i, "an index")
    if isinstance(n, Missing):
        return n
    if not xs:
        return Missing("element() of an empty list")
    if n < 0 and not isinstance(xs, TfList) and -n % len(xs):
        # a tuple's element type is picked first with Go's remainder, which is negative here
        return Missing("element() with a negative index that is not a multiple of the tuple's length")
    return xs[n % len(xs)]  # a list's negative index counts from its end


def typed_length(v: Any) -> Any:
    """The length an unknown of a known type has whatever its value: an object's attributes, a tuple's
    elements; None for any other."""
    ty = getattr(v, "ty", None) if isinstance(v, Unknown) else None
    if ty is not None and ty.kind in ("object", "tuple"):
        return go_int(len(ty.attrs if ty.kind == "object" else ty.items))
    return None


def length(args: List[Any], unknown: Any, meter: Budget) -> Any:
    if len(args) != 1:
        return unknown()
    v = args[0]
    if v is None:
        return Missing("length() of null")
    counted = typed_length(v)
    if counted is not None:
        return counted
    if isinstance(v, TfSet) and not is_known(v) and len(v) != 1:
        return Unknown("length() of a set whose elements are not all known (equal ones are one element)")
    if isinstance(v, (list, dict)) or (isinstance(v, str) and text_known(v)):
        return go_int(len(v))  # a Go integer: a quotient of two lengths has its precision
    return unknown() if _unknown(v) or isinstance(v, str) else Missing("length() of a value that has none")


def concat(args: List[Any], unknown: Any, meter: Budget) -> Any:
    """concat(): lists made one list of their unified elements, tuples one tuple."""
    if not args:
        return Missing("concat() of no list")
    if any(_unknown(a) for a in args):
        return unknown()
    if not all(isinstance(a, list) and not isinstance(a, TfSet) for a in args):
        return Missing("concat() of a value that is not a list")
    at_most(sum(len(a) for a in args))
    joined = [x for a in args for x in a]
    if all(isinstance(a, TfList) for a in args):
        try:
            return TfList(unified(joined, sequence=False))
        except Invalid as e:
            return Missing(f"concat(): {e}")
    return joined


def flatten(args: List[Any], unknown: Any, meter: Budget) -> Any:
    """flatten(): the elements of nested lists, sets and tuples, at any depth, in one list (unknown where
    an element that cannot be known may be a list: any but a template or an unknown of a primitive type);
    a list shared many times is counted whole before anything is built."""
    if len(args) != 1 or _unknown(args[0]):
        return unknown()
    if not isinstance(args[0], list):
        return Missing("flatten() of a value that is not a list")
    sizes: Dict[int, int] = {}

    def size(xs: List[Any]) -> int:
        got = sizes.get(id(xs))
        if got is None:
            got = sizes[id(xs)] = sum(size(x) if isinstance(x, list) else 1 for x in xs)
            at_most(got)
        return got

    size(args[0])
    out: List[Any] = []
    stack = [iter(args[0])]
    while stack:
        x = next(stack[-1], _END)
        if x is _END:
            stack.pop()
        elif isinstance(x, list):
            stack.append(iter(x))
        elif _undecided(x) and not _text_shaped(x):
            return unknown()
        else:
            out.append(x)
    return TfList(out) if isinstance(args[0], (TfList, TfSet)) else out


_END = object()


def lookup(args: List[Any], unknown: Any, meter: Budget) -> Any:
    if len(args) > 3:
        return Missing("lookup() takes one default value at most")
    if len(args) not in (2, 3) or _unknown(args[0]) or _unknown(args[1]):
        return unknown()
    m, key = args[0], text_of(args[1])
    if not isinstance(m, dict) or key is None:
        return Missing("lookup() of a value that is not a map, or with a key that is not a string")
    default = args[2] if len(args) == 3 else None
    if len(args) == 3 and isinstance(m, TfMap) and m:  # converted to the map's element type, found or not
        try:
            default = convert(args[2], unify([type_of(x) for x in m.values()]) or DYNAMIC)
        except Invalid:
            return Missing("lookup(): the default is not of the type of the map's elements")
    if key in m:
        return m[key]
    if len(args) == 2:
        return Missing(f"lookup(): the map has no key {key}")
    return default


def merge(args: List[Any], unknown: Any, meter: Budget) -> Any:
    given = [a for a in args if a is not None]
    if any(_unknown(a) for a in given):
        return unknown()
    if not all(isinstance(a, dict) for a in given):
        return Missing("merge() of a value that is not a map or object")
    at_most(sum(len(a) for a in given))
    out: Dict[str, Any] = {}
    for a in given:
        out.update(a)
    return out


def keys(args: List[Any], unknown: Any, meter: Budget) -> Any:
    if len(args) != 1 or not isinstance(args[0], dict):
        return unknown() if len(args) != 1 or _unknown(args[0]) else Missing("keys() of a value that is not a map")
    out = sorted(args[0])
    return TfList(out) if isinstance(args[0], TfMap) else out


def values(args: List[Any], unknown: Any, meter: Budget) -> Any:
    if len(args) != 1 or not isinstance(args[0], dict):
        return unknown() if len(args) != 1 or _unknown(args[0]) else Missing("values() of a value that is not a map")
    m = args[0]
    out = [m[k] for k in sorted(m)]
    return TfList(out) if isinstance(m, TfMap) else out


def compact(args: List[Any], unknown: Any, meter: Budget) -> Any:
    """compact(): the list's elements as strings, without nulls and empty strings."""
    if len(args) != 1 or _unknown(args[0]):
        return unknown()
    if not isinstance(args[0], list):
        return Missing("compact() of a value that is not a list")
    out = TfList()
    for x in args[0]:
        if isinstance(x, Ref) and not _undecided(x):
            out.append(x)  # a resource's own ID, ARN or name, taken as never empty
            continue
        if _unknown(x):
            return unknown()  # it may be empty or null, and so be left out
        if x is None:
            continue
        t = text_of(x)
        if t is None:
            return unknown() if isinstance(x, str) else Missing("compact() of an element that is not a string")
        if t:
            out.append(t)
    return out


def coalesce(args: List[Any], unknown: Any, meter: Budget) -> Any:
    """coalesce(): the first argument that is neither null nor empty text, converted to the type all the
    arguments unify to."""
    given = [a for a in args if a is not None]
    memo: Dict[int, Any] = {}
    t = unify([type_of(a, memo) for a in given])
    if t is None:
        return Missing("coalesce(): the arguments have no type in common")
    for a in given:
        if _unknown(a) or (isinstance(a, str) and not text_known(a)):
            return unknown()
        try:
            got = convert(a, t)
        except Invalid as e:
            return Missing(f"coalesce(): {e}")
        if got != "" or not isinstance(got, str):
            return got
    return Missing("coalesce(): no argument is neither null nor an empty string")


def try_values(args: List[Any], unknown: Any, meter: Budget) -> Any:
    """try(): the first argument that is not an error, nor holds one (an error anywhere in a value ends its
    evaluation in Terraform); an unknown one stays unknown."""
    for a in args:
        if isinstance(a, Undeclared):
            return a  # reported before evaluation: try() does not see it
        if not isinstance(a, Missing) and not (isinstance(a, (list, dict)) and holds_error(a)):
            return a
    return Missing("try(): no argument is without an error") if args else unknown()


def holds_error(v: Any) -> bool:
    """Whether an error (a Missing) sits inside ``v``, each shared part looked at once."""
    seen: set = set()
    todo = [v]
    while todo:
        x = todo.pop()
        if isinstance(x, Missing):
            return True
        if isinstance(x, (list, dict)) and id(x) not in seen:
            seen.add(id(x))
            todo.extend(x.values() if isinstance(x, dict) else x)
    return False
