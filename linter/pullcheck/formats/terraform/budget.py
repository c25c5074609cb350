"""What evaluating Terraform may spend, and what each part of the work is charged.

A root module, with the modules it calls, has one Budget of two counts:

- a *step* is about the time of evaluating one expression (around a microsecond). Other work is charged in
  steps by how long it takes beside that: reading READS_PER_STEP elements, or READS_PER_STEP times
  CHARS_PER_READ characters of text; comparing, converting or checking one element (the functions in
  ELEMENTWISE); the Python work of one regex search (STEPS_PER_SEARCH); REGEX_WORK_PER_STEP units of RE2's
  work (the pattern's size times the characters it may scan); JSON and template text, by its length and the
  marks that may start its values or parts (DECODE_CHARS_PER_STEP and STEPS_PER_MARK, TEMPLATE_CHARS_PER_STEP,
  STEPS_PER_TEMPLATE_CHAR and STEPS_PER_TEMPLATE_MARK).
- an *item* is a list or map element built, or TEXT_PER_ITEM characters of text built: items bound memory.

Where they are charged:

- the evaluator: a step per expression; for each tuple, object, for-expression element, splat and template
  part it builds, items and a step per READS_PER_STEP of them; a value handed to a resource, a count or a
  variable, by what a walk that does not remember shared parts visits (expanded_size); the text file()
  reads, as it reads text; a template's text the first time the root module uses it (parsing);
- a function call (functions.call): before it runs, the arguments it reads (reading) and its work beyond
  that (extra_work); after it runs, what its result built (built) and a step per READS_PER_STEP of that,
  also when the result is past the bound of one result and so unknown;
- work whose size is known only as it is done is charged before each part: each regex search (searching)
  and the match it gives; JSON before it is decoded (decoding), then what was decoded, counted whole. A
  text jsondecode() decoded before in the root module gives the same value again at no cost (Budget.decoded).
- base64gzip() charges a step for each position its compressor passes and each few hash chain candidates
  it tries (go_deflate.CANDIDATES_PER_UNIT), as it goes (functions_hash.base64gzip).

Past MAX_STEPS or MAX_BUILT every value is unknown, naming the bound (Budget.spent). The constants are set so
that a step of any kind takes about as long as a step of plain evaluation, within a small factor, as measured
on CPython: a budget of steps is a bound of time, and the items a bound of memory.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Tuple

from pullcheck.graph.values import Ref, Template, Unknown

MAX_STEPS = 10_000_000  # work per root module and the modules it calls: past it, unknown
MAX_BUILT = 2_000_000  # items built per root module and the modules it calls: past it, unknown
TEXT_PER_ITEM = 64  # characters of built text that count as one item
READS_PER_STEP = 4  # elements a function reads in about the time of one expression evaluation,
CHARS_PER_READ = 64  # and characters of text that count as one element read
MAX_REGEX_WORK = 50_000_000  # pattern size times text length of one search: about half a second at worst
REGEX_WORK_PER_STEP = 64  # RE2 at its slowest (the DFA out of memory) does about 64 units in a step
STEPS_PER_SEARCH = 8  # a search's Python work: the match object, its offsets, its groups
DECODE_CHARS_PER_STEP = 8  # JSON decoded with positions: its characters,
STEPS_PER_MARK = 4  # and each [ { , : that starts a value or a key
TEMPLATE_CHARS_PER_STEP = 256  # a template parsed: its plain text,
STEPS_PER_TEMPLATE_CHAR = 2  # from its first interpolation or directive on, what may be expressions,
STEPS_PER_TEMPLATE_MARK = 1  # and each $ or % that may start one

# functions whose work does not grow with their arguments and that build nothing: they give a number, an
# argument or a part of one
CONSTANT = {"length", "element", "lookup", "try", "coalescelist", "jsonencode", "tostring", "one"}
# functions that compare, check or convert every element, through shared parts
DEEP = {"can", "distinct", "toset", "contains", "index", "tolist", "tomap", "coalesce"}
# functions that compare, convert or check each element they read: steps per element, not a step per
# READS_PER_STEP of them (cidrsubnets() works out a network for each)
ELEMENTWISE = {"can": 1, "distinct": 1, "toset": 1, "tolist": 1, "tomap": 1, "contains": 1, "index": 1, "sort": 1,
                "sum": 1, "min": 1, "max": 1, "zipmap": 1, "coalesce": 1, "cidrsubnets": 4,
                "matchkeys": 1, "transpose": 1}


# values the walks below tell apart: the evaluator's own (unknown to functions), and jsonencode()'s result


class Opaque:
    """A value of the evaluator's own that functions and operators cannot look into (a namespace such as
    ``var``, a resource or module instance): any operation on it is unknown."""


class JsonEncoded(str):
    """The result of jsonencode(): its JSON text, and the structure it encodes (with its positions) for the
    parser. A structure with unknowns in it (``holes``) has no text Terraform knows: its text is then a
    placeholder that functions and templates take as unknown."""

    value: Any = None
    holes = False


class Budget:
    """What evaluating a root module, with the modules it calls, may spend (see the module's docstring):
    ``steps`` of work and ``items`` built. Past either bound every value is unknown, naming it. ``decoded``
    keeps what jsondecode() gave for each text, and ``parsed`` the template texts charged, so that the same
    text again costs nothing more in the root module (and the same in every run). ``files``: the root
    module (evaluate.Module), through which the file functions read, as file() does."""

    __slots__ = ("steps", "items", "decoded", "parsed", "files")

    def __init__(self) -> None:
        self.steps = 0
        self.items = 0
        self.decoded: Dict[str, Any] = {}
        self.parsed: set = set()
        self.files: Any = None

    def over(self) -> bool:
        return self.steps > MAX_STEPS or self.items > MAX_BUILT

    def spent(self) -> Unknown:
        if self.steps > MAX_STEPS:
            return Unknown(f"evaluation budget of {MAX_STEPS} steps spent")
        return Unknown(f"evaluation bound of {MAX_BUILT} items built reached")

    def steps_left(self) -> int:
        return max(0, MAX_STEPS - self.steps)

    def spend(self, steps: int, items: int = 0) -> bool:
        """Charge work, and what it builds: whether the budget still holds."""
        self.steps += steps
        self.items += items
        return not self.over()


def shared_walk(values: Iterable[Any], limit: int) -> Any:
    """(elements read, whether every value is known) for a walk through ``values`` that reads each list
    or map once however often it is shared, counting text by CHARS_PER_READ characters; stops past
    ``limit`` elements, so its own work is bounded by what it reports."""
    seen: set = set()
    todo = list(values)
    n, known = 0, True
    while todo and n <= limit:
        x = todo.pop()
        n += 1
        if isinstance(x, (list, dict)):
            if id(x) not in seen:
                seen.add(id(x))
                todo.extend(x.values() if isinstance(x, dict) else x)
        elif isinstance(x, str):
            n += len(x) // CHARS_PER_READ
        elif isinstance(x, (Unknown, Ref, Template, Opaque)):
            known = False
    return n, known


def expanded_size(v: Any, limit: int, text: bool = False) -> int:
    """The number of elements in ``v`` with every shared part counted where it appears (what a walk that
    does not remember where it has been visits, or JSON encoding writes), or ``limit + 1`` when it is more.
    ``text``: strings count by their length (an estimate of the encoding's). The work is bounded by the
    answer: each shared part is measured once."""
    def leaf(x: Any) -> int:
        if isinstance(x, JsonEncoded) and x.value is not None:
            return expanded_size(x.value, limit, text)
        return len(x) + 2 if text and isinstance(x, str) else 1

    if not isinstance(v, (list, dict)):
        return min(leaf(v), limit + 1)
    sizes: Dict[int, int] = {}
    frames: List[Any] = [[v, iter(v.values() if isinstance(v, dict) else v), 1]]
    while frames:
        top = frames[-1]
        pushed = False
        while top[2] <= limit:
            x = next(top[1], _END)
            if x is _END:
                break
            if isinstance(x, (list, dict)):
                got = sizes.get(id(x))
                if got is None:
                    frames.append([x, iter(x.values() if isinstance(x, dict) else x), 1])
                    pushed = True
                    break
                top[2] += got
            else:
                top[2] += leaf(x)
        if pushed:
            continue
        frames.pop()
        sizes[id(top[0])] = top[2]
        if frames:
            frames[-1][2] += top[2]
        else:
            return min(top[2], limit + 1)
    return limit + 1


_END = object()


def reading(args: List[Any], deep: bool, limit: int, each: int = 0) -> int:
    """The steps of reading a call's arguments: every element (each shared part once) when ``deep``, else
    the elements and text of the arguments themselves; a step per READS_PER_STEP elements read, or ``each``
    steps per element (see ELEMENTWISE). The walk stops past ``limit`` steps."""
    if deep:
        n = shared_walk(args, limit * READS_PER_STEP if not each else limit // each + 1)[0]
    else:
        n = sum(len(a) // CHARS_PER_READ if isinstance(a, str) else len(a) if isinstance(a, (list, dict)) else 1
                for a in args)
    return n * each if each else n // READS_PER_STEP


def built(v: Any) -> int:
    """The items a new value holds: its elements and those of the lists and maps directly in it, or its text
    by TEXT_PER_ITEM characters."""
    if isinstance(v, str):
        return len(v) // TEXT_PER_ITEM
    if not isinstance(v, (list, dict)):
        return 0
    xs = v.values() if isinstance(v, dict) else v
    return len(xs) + sum(len(x) for x in xs if isinstance(x, (list, dict)))


def extra_work(name: str, args: List[Any]) -> int:
    """The steps a call costs beyond reading its arguments: format()'s verbs, done one by one. (A regex
    function charges its searches as it makes them: see searching.)"""
    fmt = args[0] if args and name in ("format", "formatlist") else None
    if isinstance(fmt, str) and not isinstance(fmt, JsonEncoded):
        lengths = [len(a) for a in args if isinstance(a, list)] if name == "formatlist" else []
        return (fmt.count("%") + 1) * max(lengths + [1])
    return 0


def scanning(size: int, length: int) -> int:
    """The steps of RE2 scanning ``length`` characters with a pattern of ``size``."""
    return size * (length + 1) // REGEX_WORK_PER_STEP


def searching(size: int, reach: Any, left: int) -> int:
    """The steps of one search beyond RE2's scan up to its match (charged once for the whole text): its Python
    work, and RE2 reading on past the match while a thread of higher priority lives, at most ``reach`` (how
    far past the start of a match a search may read; None when unbounded) and at most the text ``left``."""
    return STEPS_PER_SEARCH + scanning(size, left if reach is None else min(reach, left))


def decoding(text: str) -> Tuple[int, int]:
    """(steps, items) of decoding JSON ``text``, known before it is decoded: its characters, and a value or
    key for each mark that may start one (an upper bound of the items; marks inside strings count too)."""
    marks = text.count(",") + text.count(":") + text.count("[") + text.count("{")
    return len(text) // DECODE_CHARS_PER_STEP + STEPS_PER_MARK * marks, marks + 1 + len(text) // TEXT_PER_ITEM


def parsing(text: str) -> int:
    """The steps of parsing a template's ``text``, known before it is parsed: its plain text up to the first
    ``${`` or ``%{``, every character from there (an expression inside one is parsed as dearly as a .tf
    file's), and each mark that may start an interpolation or a directive."""
    first = min((i for i in (text.find("${"), text.find("%{")) if i >= 0), default=len(text))
    return (first // TEMPLATE_CHARS_PER_STEP + STEPS_PER_TEMPLATE_CHAR * (len(text) - first)
            + STEPS_PER_TEMPLATE_MARK * (text.count("$") + text.count("%")))
