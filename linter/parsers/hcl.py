"""HCL2 syntax trees from python-hcl2's grammar, with a start-up-friendly parser cache.

python-hcl2 keeps its Lark cache inside its install folder, so a read-only install rebuilds the grammar
(seconds) on every run. pullcheck loads the same grammar with its cache in the user's cache folder.
The grammar file is checked against the pinned python-hcl2 release: checkov's bc-python-hcl2 installs a
module also named ``hcl2`` with a different grammar.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
from typing import Any, Optional

from pullcheck.cache import cache_dir
from pullcheck.parsers.errors import ParseError

GRAMMAR_SHA256 = "d7a5d29be3463df69b9eb30bd2840ba4fef2bf005e106af9f0bc9c2ff2c16812"  # python-hcl2 7.3.1
_parser: Optional[Any] = None


class GrammarError(Exception):
    pass


def _grammar() -> str:
    spec = importlib.util.find_spec("hcl2")
    if spec is None or not spec.submodule_search_locations:
        raise GrammarError("python-hcl2 is not installed (pip install python-hcl2==7.3.1)")
    path = os.path.join(list(spec.submodule_search_locations)[0], "hcl2.lark")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        raise GrammarError(f"the installed hcl2 module has no grammar file ({path}): "
                           f"is bc-python-hcl2 installed in place of python-hcl2 7.3.1?") from None
    if hashlib.sha256(data).hexdigest() != GRAMMAR_SHA256:
        raise GrammarError(f"the hcl2 module at {os.path.dirname(path)} is not python-hcl2 7.3.1 (another "
                           f"package, such as bc-python-hcl2, installs a module named hcl2); "
                           f"pip install --force-reinstall python-hcl2==7.3.1")
    return path


def parser() -> Any:
    global _parser
    if _parser is None:
        import lark

        grammar = _grammar()
        folder = cache_dir()
        cache: Any = False
        if folder:
            cache = os.path.join(folder, f"hcl2-{GRAMMAR_SHA256[:12]}-lark-{lark.__version__}-tokens.cache")
        _parser = lark.Lark.open(grammar, parser="lalr", cache=cache)
    return _parser


def parse(text: str) -> Any:
    import lark

    try:
        return parser().parse(text + "\n")
    except lark.exceptions.UnexpectedInput as e:
        line = getattr(e, "line", 1) or 1
        col = getattr(e, "column", 1) or 1
        kind = type(e).__name__
        detail = ""
        tok = getattr(e, "token", None)
        if tok is not None:
            detail = f": unexpected {str(tok)[:30]!r}"
        elif getattr(e, "char", None):
            detail = f": unexpected character {e.char!r}"
        raise ParseError(f"HCL syntax error ({kind}){detail}", line, col) from None
    except lark.exceptions.LarkError as e:
        raise ParseError(f"HCL: {str(e).splitlines()[0][:200]}") from None
    except RecursionError:
        raise ParseError("nesting too deep") from None
