"""Terraform expressions evaluated in a module's scope (Evaluator): values computed on demand, each node kind
by a small function (_BY_KIND), the work charged to the root module's budget."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, List, Tuple

from pullcheck.formats.terraform import number
from pullcheck.formats.terraform.budget import (
    CHARS_PER_READ,
    MAX_BUILT,
    MAX_STEPS,
    READS_PER_STEP,
    TEXT_PER_ITEM,
    JsonEncoded,
    Opaque,
    expanded_size,
    parsing,
)
from pullcheck.formats.terraform.convert import (
    Invalid,
    TfSet,
    is_known,
    is_number,
    number_of,
    text_of,
    to_bool,
    to_number,
)
from pullcheck.formats.terraform.declared import Counted, Instance, ModuleValue, Namespace, walked
from pullcheck.formats.terraform.functions import call, reason_in
from pullcheck.formats.terraform.hcl import parse_template
from pullcheck.formats.terraform.operators import binary, unary
from pullcheck.formats.terraform.sensitivity import marked
from pullcheck.formats.terraform.syntax import JsonExpr, Known, pinned, pos_of
from pullcheck.formats.terraform.types import Typed
from pullcheck.formats.terraform.unify import unify_pair
from pullcheck.formats.terraform.functions_template import is_reference, template_argument
from pullcheck.graph.values import MAX_STRING, Missing, Ref, Template, Undeclared, Unknown, make_template
from pullcheck.sources.errors import ParseError
from pullcheck.sources.marked import MDict, MList

if TYPE_CHECKING:
    from pullcheck.formats.terraform.evaluate import Module


def joined(parts: List[Any], budget: Any = None) -> Any:
    """A template's parts as one value, converted as Terraform converts them: numbers and bools as text,
    a jsonencode() result as its JSON; a collection or null inside a template is Terraform's error.
    Text past MAX_STRING characters is unknown; with a ``budget``, the text is spent from it."""
    flat: List[Any] = []
    for p in parts:
        if type(p) is str:
            flat.append(p)
        elif isinstance(p, JsonEncoded):
            flat.append(Unknown("jsonencode() of unknowns") if p.holes else str.__str__(p))
        elif isinstance(p, Template):
            flat.extend(p.parts)
        elif isinstance(p, (list, dict)):
            flat.append(Missing("a collection inside a template, which takes strings, numbers and bools"))
        elif isinstance(p, bool):
            flat.append("true" if p else "false")
        elif p is None:
            flat.append(Missing("a null inside a template"))
        elif isinstance(p, float) or (isinstance(p, int) and p.bit_length() > number.PRECISION):
            flat.append(number.text(number_of(p)))  # an int within the precision: as make_template writes it
        else:
            flat.append(p)
    failed = next((p for p in flat if isinstance(p, Missing)), None)
    if failed is not None:  # an error in a part is the template's
        return failed
    size = sum(len(p) for p in flat if isinstance(p, str))
    if size > MAX_STRING:
        return Unknown(f"a template of more than {MAX_STRING} characters")
    if budget is not None:  # its text, and its parts (holes double as fast as text does)
        budget.items += size // TEXT_PER_ITEM + len(flat)
        budget.steps += size // (READS_PER_STEP * CHARS_PER_READ) + len(flat) // READS_PER_STEP
        if budget.over():
            return budget.spent()
    return make_template(flat)


class Evaluator:
    """Expressions evaluated in one scope of module ``m``: ``ctx`` holds what the scope binds (``count.index``,
    ``each.key`` and ``each.value``; ``("for", name)`` for the names of a for expression, a template or a
    dynamic block's iterator), and ``depth`` how deep the evaluation is nested."""

    def __init__(self, module: Module, ctx: Dict[str, Any], depth: int = 0) -> None:
        self.m, self.ctx, self.depth = module, ctx, depth
        self.template_only = False  # a template's scope: its variables, no module names

    def eval(self, t: Any) -> Any:
        self.depth += 1
        try:
            if self.depth > 150:
                return Unknown("expression nested too deeply")
            budget = self.m.budget
            budget.steps += 1
            if budget.steps > MAX_STEPS or budget.items > MAX_BUILT:
                return budget.spent()
            if isinstance(t, Known):
                v = t.value
            elif isinstance(t, JsonExpr):
                v = self._json(t.value, (t.line, t.column, t.end_line, t.end_column))
            else:
                run = _BY_KIND.get(t.kind)
                v = Unknown(f"{t.kind} is not evaluated") if run is None else run(self, t)
            if self.depth == 1 and isinstance(v, (list, dict, JsonEncoded)):
                # a value for a resource, a count, a variable: what reads it (the rules, JSON encoding) walks
                # it whole, its shared parts each time they appear, so that walk is spent here
                budget.steps += expanded_size(v, budget.steps_left())
                if budget.over():
                    return budget.spent()
            return v
        finally:
            self.depth -= 1

    def _tuple(self, t: Any) -> Any:
        if not self.afford(len(t.a)):
            return self.m.budget.spent()
        out = MList()
        out.pos = t.pos()
        out.ipos = []
        for item in t.a:
            out.append(self.eval(item))
            out.ipos.append(item.pos())
            if isinstance(out[-1], Missing) and not isinstance(out[-1], Undeclared):  # the tuple's error too
                return out[-1]
        return out

    def _object(self, t: Any) -> Any:
        if not self.afford(len(t.a)):
            return self.m.budget.spent()
        d = MDict()
        d.pos = t.pos()
        d.kpos = {}
        for elem in t.a:
            key = self._object_key(elem.a)
            if not isinstance(key, str):
                return key if isinstance(key, Unknown) else Unknown("object with a key that is not a string")
            d[key] = self.eval(elem.b)
            d.kpos[key] = elem.pos()
            if isinstance(d[key], Missing) and not isinstance(d[key], Undeclared):  # the object's error too
                return d[key]
        return d

    def _cond(self, t: Any) -> Any:
        """``c ? a : b``: the branch chosen, converted to the type both branches unify to (the other is
        evaluated for its type; null takes any other branch's type as it is)."""
        test = self.eval(t.a)
        cond = to_bool(test)
        if cond is None:
            if test is None or is_known(test):
                return Missing("conditional on a value that is not a bool")
            if isinstance(test, Missing):
                return test
            a, b = self.eval(t.b), self.eval(t.c)  # the range of two numbers (or nulls) that meet is the value
            same_either = a is None is b or is_number(a) and is_number(b) and binary("==", a, b) is True
            return a if same_either else Unknown("conditional on a value that cannot be known")
        chosen = self.eval(t.b if cond else t.c)
        if chosen is None or isinstance(chosen, (Template, Unknown, Ref, Opaque)):
            return chosen
        other = self.eval(t.c if cond else t.b)
        if isinstance(chosen, str) and not isinstance(other, (list, dict)):
            return chosen  # text takes a primitive's type as it is
        try:
            return unify_pair(chosen, other, bool(cond))
        except Invalid as e:
            return Missing(f"conditional: {e}")

    def _splat(self, value: Any, ops: List[Any]) -> Any:
        """``value[*]`` followed by ``ops``, each applied to every element; a nested splat applies the
        rest of the ops to the elements of each element."""
        base = self._splat_base(value)
        if isinstance(base, Unknown):
            return base
        if not self.afford(len(base)):  # the copy; below, the list each op makes
            return self.m.budget.spent()
        for op, arg in ops:
            if not self.afford(len(base)):
                return self.m.budget.spent()
            before = base
            if op == "attr":
                base = [self._get_attr(b, arg) for b in base]
            elif op == "index":
                idx = self.eval(arg)
                base = [self._index(b, idx) for b in base]
            else:
                base = [self._splat(b, arg) for b in base]
            failed = [x for b, x in zip(before, base) if isinstance(x, Missing) and not isinstance(b, _PROVIDED)]
            if failed:  # a value without the attribute or index (not an instance's): the whole splat's error
                return failed[0]
        return base

    def _call(self, t: Any) -> Any:
        name = t.a
        if "::" in name:
            return Unknown(f"provider function {name}")
        args = [self.eval(a) for a in t.b]
        if name == "issensitive" and len(t.b) == 1 and not t.c and not isinstance(args[0], Missing):
            told = marked(self.m, t.b[0], evaluate=self.eval)
            if told or told is False and not isinstance(args[0], (Unknown, Ref, Template, Opaque)):
                return told  # an unknown value that is not marked may be marked when it is known
        if name == "templatestring" and t.b and not t.c:  # Terraform takes its template only from a reference
            args[0] = template_argument(args[0], is_reference(t.b[0]), self.depth)
        if t.c and args:  # f(list...): the last argument's elements are the arguments
            last = args.pop()
            if not isinstance(last, list) or isinstance(last, Template):
                return last if isinstance(last, Unknown) else Unknown(f"{name}(...) over a value that is not a list")
            args.extend(last)
        if name == "file" and len(args) == 1:
            return self.m.read_file(args[0])
        if name == "templatefile" and len(args) == 2:
            return self.m.render(self.m.read_file(args[0]), args[1], self.depth)
        return call(name, args, self.m.budget)

    def afford(self, items: int) -> bool:
        """Count ``items`` about to be built (list and map elements) against the budget: whether they fit."""
        budget = self.m.budget
        budget.items += items
        budget.steps += items // READS_PER_STEP
        return not budget.over()

    def _object_key(self, key: Any) -> Any:
        if key.kind == "var":  # a bare name is the key itself
            return key.a
        v = self.eval(key)
        if v is None:
            return Missing("object with a null key")
        return text_of(v) if not isinstance(v, str) and text_of(v) is not None else v

    def _json(self, v: Any, pos: Tuple[int, ...]) -> Any:
        """A value of the JSON syntax: strings are templates, containers keep their items' positions."""
        if isinstance(v, str):
            return self.template_text(v, pos) if "${" in v or "%{" in v else v
        if isinstance(v, list):
            out = MList(self._json(x, p) for x, p in zip(v, getattr(v, "ipos", [pos] * len(v))))
            out.pos, out.ipos = pos, list(getattr(v, "ipos", [pos] * len(v)))
            return out
        if isinstance(v, dict):
            d = MDict()
            d.pos, d.kpos = pos, {}
            for k, x in v.items():
                kp = getattr(v, "kpos", {}).get(k, pos)
                d[k] = self._json(x, kp)
                d.kpos[k] = kp
            return d
        if isinstance(v, float):  # JSON's number as the decimal it is written as
            got = number_of(v)
            return Unknown(f"a number past {number.MAX_BITS} bits") if got is None else got
        return v

    def template_text(self, text: str, at: Any = None) -> Any:
        """A template given as text (a template file, a JSON-syntax string) evaluated in this scope; the first
        use of a text in the root module is charged what parsing it costs (budget.parsing), whether or not
        its parse is kept from before."""
        budget = self.m.budget
        if text not in budget.parsed:
            if len(text) > MAX_STRING:
                return Unknown(f"a template of more than {MAX_STRING} characters")
            if not budget.spend(parsing(text)):
                return budget.spent()
            budget.parsed.add(text)
        node = _TEMPLATES.get(text)
        if node is None:
            try:
                node = parse_template(text)
            except ParseError as e:
                node = Missing(f"template: {e.message}")
            if len(_TEMPLATES) >= 256:
                _TEMPLATES.clear()
            _TEMPLATES[text] = node
        return node if isinstance(node, Unknown) else self.template(node.a, at)

    def template(self, parts: List[Any], at: Any = None) -> Any:
        """A template's value: ``"${x}"`` alone is x itself, of whatever type; anything else is text, with
        unknown parts kept as holes. ``at``: where the template is written, for the positions of a value
        that the template only passes on."""
        budget = self.m.budget
        if len(parts) == 1 and not isinstance(parts[0], str) and parts[0].kind not in ("tif", "tfor"):
            value = self.eval(parts[0])
            if at is not None:
                if isinstance(value, (list, dict, JsonEncoded)):  # pinning walks it whole
                    budget.steps += expanded_size(value, budget.steps_left())
                    if budget.over():
                        return budget.spent()
                if isinstance(value, JsonEncoded):
                    pinned_value = JsonEncoded(str(value))
                    pinned_value.value, pinned_value.holes = pinned(value.value, at), value.holes
                    return pinned_value
                return pinned(value, at)
            return value
        got = self._parts(parts)
        return budget.spent() if budget.over() else joined(got, budget)

    def _parts(self, parts: List[Any]) -> List[Any]:
        out: List[Any] = []
        for p in parts:
            if isinstance(p, str):
                out.append(p)
            elif p.kind == "tif":
                test = self.eval(p.a)
                cond = to_bool(test)
                if cond is None:
                    out.append(test if isinstance(test, Missing) or not is_known(test) and test is not None else
                               Missing("template %{if} on a value that is not a bool"))
                else:
                    out.extend(self._parts(p.b if cond else p.c))
            elif p.kind == "tfor":
                items = walked(self.eval(p.b), "template %{for}")
                if not isinstance(items, list):
                    out.append(items)
                    continue
                for key, value in items:
                    got = self._with(p.a, key, value)._parts(p.c)
                    if not self.afford(len(got) + 1):
                        return out
                    out.extend(got)
            else:
                out.append(self.eval(p))
        return out

    def _with(self, names: Tuple[Any, str], key: Any, value: Any) -> "Evaluator":
        """An evaluator of this scope with a for's names bound (``for k, v in``: k to the key, v the value)."""
        ctx = dict(self.ctx)
        ctx[("for", names[1])] = value
        if names[0] is not None:
            ctx[("for", names[0])] = key
        sub = Evaluator(self.m, ctx, self.depth)
        sub.template_only = self.template_only
        return sub

    def _for(self, t: Any) -> Any:
        """``[for k, v in coll : expr if cond]`` and ``{for k, v in coll : key => value if cond}``."""
        coll = self.eval(t.b)
        items = walked(coll, "for expression")
        if not isinstance(items, list):
            return coll if isinstance(coll, Unknown) else items
        self.m.budget.steps += len(coll) // READS_PER_STEP  # the walk and (a map) the sort of its keys
        value_t, cond, group = t.d
        failed = self._condition_fails(t.a, cond)
        if failed is not None:
            return failed
        out_list: List[Any] = []
        out_map: Dict[Any, Any] = {}
        for k, v in items:
            sub = self._with(t.a, k, v)
            if cond is not None:
                test = sub.eval(cond)
                keep = to_bool(test)
                if keep is None:
                    return test if isinstance(test, Missing) else Unknown("for expression with a condition not known")
                if not keep:
                    continue
            if not self.afford(1):
                return self.m.budget.spent()
            if t.c is not None:
                key = sub.eval(t.c)
                if key is None:
                    return Missing("for expression with a null key")
                key = text_of(key) if not isinstance(key, str) and text_of(key) is not None else key
                if not isinstance(key, str) or isinstance(key, JsonEncoded) and key.holes:
                    return key if isinstance(key, Missing) else Unknown("for expression with a key not known")
            value = sub.eval(value_t)
            if isinstance(value, Missing) and not isinstance(value, Undeclared):  # the whole expression's
                return value
            if t.c is not None:
                if group:
                    out_map.setdefault(key, []).append(value)
                elif key in out_map:
                    return Missing(f"for expression: two items have the key {key!r} (without ... to group them)")
                else:
                    out_map[key] = value
            else:
                out_list.append(value)
        return out_map if t.c is not None else out_list

    def _condition_fails(self, names: Any, cond: Any) -> Any:
        """The error of a for expression's condition, evaluated first with its names unknown as Terraform does
        (over an empty collection too): one that fails so, is null or is not a bool fails the expression."""
        name = Unknown("a for expression's name before the walk")
        probe = None if cond is None else self._with(names, name, name).eval(cond)
        if cond is None or isinstance(probe, Missing):
            return probe
        if probe is None:
            return Missing("for expression with a null condition")
        if isinstance(probe, (list, dict)) or is_known(probe) and to_bool(probe) is None:
            return Missing("for expression with a condition that is not a bool")
        return None

    def _root(self, name: str) -> Any:
        if ("for", name) in self.ctx:
            return self.ctx[("for", name)]
        if name == "data":
            return Namespace("dataroot")
        if self.template_only:
            return Missing(f"{name} is not a variable of the template")
        if name in ("var", "local", "module", "count", "each", "path", "terraform", "self"):
            return Namespace(name)
        return Namespace("type", name)

    def bare(self, name: str) -> Any:
        """A name alone as a value: a for expression's or a template's variable; any other (a resource type,
        ``var``, ``local``...) is Terraform's "Invalid reference", found before anything is evaluated."""
        got = self._root(name)
        if isinstance(got, Namespace):
            return Undeclared(f"invalid reference: {name} alone is not a value")
        return got

    def _get_attr(self, base: Any, name: str) -> Any:
        if isinstance(base, Namespace):
            return self._in_namespace(base, name)
        if isinstance(base, ModuleValue):
            return base.module.output(name)
        if isinstance(base, Instance):
            return base.attr(name)
        if isinstance(base, Counted):
            return Unknown(f"attribute {name} of {base.res.address} without an index")
        if isinstance(base, dict):
            return base.get(name, Missing(f"attribute {name} is not set"))
        if isinstance(base, Typed):
            return base.attribute(name)
        if isinstance(base, Unknown):
            return base
        if isinstance(base, Ref):
            if base.ty is not None and isinstance(Typed(str(base), base.ty).attribute(name), Missing):
                return Typed(str(base), base.ty).attribute(name)
            if base.rtype.startswith("data."):
                return Unknown(reason_in([base]) or "data source")
            return Unknown(f"nested attribute {name} of {base}")
        if base is None:
            return Missing(f"attribute {name} of null")
        if isinstance(base, (list, str, bool, int, float, Template)):  # Terraform's error too
            return Missing(f"attribute {name} of a value that has no attributes")
        return Unknown(f"attribute {name} of a value that has none")

    def _in_namespace(self, base: Namespace, name: str) -> Any:
        """``<namespace>.name``: a variable, a local, ``count.`` and ``each.`` of an instance, a path, a data
        source, a called module, a resource."""
        if base.kind == "var":
            return self.m.var(name)
        if base.kind == "local":
            return self.m.local(name, self.depth)
        if base.kind == "count":
            return self.ctx.get(f"count.{name}", Unknown(f"count.{name} outside a counted resource"))
        if base.kind == "each":
            return self.ctx.get(f"each.{name}", Unknown(f"each.{name} outside a for_each resource"))
        if base.kind == "dataroot":
            return Namespace("datatype", name)
        if base.kind == "datatype":
            return Namespace("data", f"{base.name}.{name}")
        if base.kind == "terraform" and name == "workspace":
            return "default"  # pullcheck reads a configuration as it is, in the workspace Terraform starts in
        if base.kind == "path":
            return self.m.path_value(name)
        if base.kind == "data" and base.name.startswith("template_file.") and name == "rendered":
            body = self.m.template_files.get(base.name.split(".", 1)[1])
            if body is not None and "count" not in body.attrs and "for_each" not in body.attrs:
                text = self.eval(body.attrs["template"]) if "template" in body.attrs else None
                variables = self.eval(body.attrs["vars"]) if "vars" in body.attrs else {}
                return self.m.render(text, variables, self.depth)
        if base.kind == "data" and name == "outputs" and base.name.startswith("terraform_remote_state."):
            linked = self.m.remote_state(base.name.split(".", 1)[1])  # a root module of the run keeps it
            if linked is not None:
                return linked
        if base.kind == "data":
            return Ref(f"{self.m.dir}:data.{base.name}", f"data.{base.name.split('.')[0]}", name)
        if base.kind == "module":
            return self.m.child_value(name)
        if base.kind == "type":
            res = self.m.resources.get(f"{base.name}.{name}")
            if res is None:
                return Undeclared(f"{base.name}.{name} is not declared in the module")
            insts = res.instances()
            if isinstance(insts, list) and insts == [("", {})]:
                return Instance(res, "")
            if isinstance(insts, Unknown) or self.m.root().stateless or not self.afford(len(insts)):
                return Counted(res)  # how many there are is unknown (or taken as unknown: see Module)
            if "count" in res.body.attrs:  # a list of its instances, as Terraform reads it (length(), [*])
                return [Instance(res, s) for s, _ in insts]
            return {s[2:-2]: Instance(res, s) for s, _ in insts}  # for_each: a map of them by key
        return Unknown(f"{base.kind}.{name}")

    def _data_instances(self, base: Namespace) -> Any:
        """The instances of a counted data source the module declares as a fact of its own (a policy
        document, a lookup), each read as ``data.type.name[i]``; unknown for any other."""
        res = self.m.resources.get(f"data.{base.name}")
        insts = res.instances() if res is not None else None
        if not isinstance(insts, list) or insts == [("", {})]:
            return insts if isinstance(insts, Unknown) else Unknown(f"data source {base.name}")
        return [Namespace("data", f"{base.name}{suffix}") for suffix, _ in insts]

    def _data_instance(self, base: Namespace, idx: Any) -> Any:
        found = self._data_instances(base)
        if not isinstance(found, list):
            return found
        want = f"[{idx}]" if isinstance(idx, int) and not isinstance(idx, bool) else \
            f'["{idx}"]' if isinstance(idx, str) else None
        return next((n for n in found if want is not None and n.name.endswith(want)),
                    Unknown(f"data source {base.name}{want or '[?]'}"))

    def _splat_base(self, base: Any) -> Any:
        if isinstance(base, Counted):
            insts = base.res.instances()
            if isinstance(insts, Unknown):
                return insts
            return [Instance(base.res, s) for s, _ in insts]
        if isinstance(base, Instance):
            return [base]
        if isinstance(base, list):
            return list(base)
        if isinstance(base, Namespace) and base.kind == "data":
            return self._data_instances(base)
        if isinstance(base, Unknown):
            return base
        if base is None:  # a splat of null is an empty tuple, of any other value a tuple of it
            return []
        if isinstance(base, (dict, str, bool, int, float, Template)):
            return [base]
        return Unknown("splat over a value that cannot be known")

    def _index(self, base: Any, idx: Any) -> Any:
        if isinstance(base, Counted):
            insts = base.res.instances()
            if isinstance(insts, Unknown):
                return insts
            want = f"[{idx}]" if isinstance(idx, int) else f'["{idx}"]'
            for s, _ in insts:
                if s == want:
                    return Instance(base.res, s)
            return Unknown(f"{base.res.address}{want} does not exist or cannot be known")
        if isinstance(base, Namespace) and base.kind == "data":
            return self._data_instance(base, idx)
        if isinstance(base, Typed) and not isinstance(idx, (Unknown, Ref, Template, Opaque)):
            return base.element(idx)
        if isinstance(base, Ref) and base.ty is not None and not isinstance(idx, (Unknown, Ref, Template, Opaque)):
            got = Typed(str(base), base.ty).element(idx)
            if isinstance(got, Missing):
                return got
        if isinstance(base, Unknown):
            return base
        if isinstance(idx, (Unknown, Ref, Template, Opaque)):
            return idx if isinstance(idx, Unknown) else Unknown("index that cannot be known")
        if isinstance(base, (list, dict)) or base is None or isinstance(base, (str, bool, int, float, Template)):
            return _element(base, idx)
        return Unknown(reason_in([base]) or "index of a value that cannot be known")


# each node kind's value (the kinds and their fields: see hcl); a kind not here is not evaluated
_BY_KIND: Dict[str, Callable[[Evaluator, Any], Any]] = {
    "var": lambda ev, t: ev.bare(t.a),
    "attr": lambda ev, t: ev._get_attr(ev._root(t.a.a) if t.a.kind == "var" else ev.eval(t.a), t.b),
    "tpl": lambda ev, t: ev.template(t.a, pos_of(t) if t.b == "h" else None),
    "num": lambda ev, t: _number(t.a),
    "lit": lambda ev, t: t.a,
    "index": lambda ev, t: ev._index(ev.eval(t.a), ev.eval(t.b)),
    "call": Evaluator._call,
    "tuple": Evaluator._tuple,
    "object": Evaluator._object,
    "paren": lambda ev, t: ev.eval(t.a),
    "splat": lambda ev, t: ev._splat(ev.eval(t.a), t.b),
    "for": Evaluator._for,
    "cond": Evaluator._cond,
    "bin": lambda ev, t: binary(t.a, ev.eval(t.b), ev.eval(t.c), ev.m.budget),
    "un": lambda ev, t: unary(t.a, ev.eval(t.b)),
}


def _number(text: str) -> Any:
    """A number literal, read as Terraform reads it (rounded to number.PRECISION bits); past the bounds of
    what is followed (number.MAX_DIGITS digits, number.MAX_BITS bits), unknown."""
    got = number.parse(text)
    return Unknown(f"a number literal of {len(text)} characters past the bounds followed") if got is None else got


def _element(base: Any, idx: Any) -> Any:
    """``base[idx]`` of known values: a list's element (its index a whole number, or text that spells one,
    in range), a map's (its key text, or a number or bool as text); any other is Terraform's error."""
    if isinstance(base, TfSet):
        return Missing("index of a set: its elements are identified by their value only")
    if isinstance(base, list):
        n = to_number(idx)
        if n is None:
            return Missing("index of a list that is not a number")
        if not isinstance(n, int):
            return Missing("index of a list with a fractional part")
        if n < 0:
            return Missing("index of a list that is negative")
        return base[n] if n < len(base) else Missing(f"index {n} out of range of a list of {len(base)}")
    if isinstance(base, dict):
        key = text_of(idx)
        if key is None:
            return Missing("key of a map that is not a string")
        return base[key] if key in base else Missing(f"key {key} is not set")
    return Missing("index of null" if base is None else "index of a value that has no index")


_PROVIDED = (Instance, Counted, Ref, Unknown)  # what a provider or a state sets, not the configuration


_TEMPLATES: Dict[str, Any] = {}  # template text -> its parse (or the Unknown of its error), kept across runs
