"""Usage errors that say what was meant: the command line's parser, which names the closest flag to one it does
not know ("did you mean --format?") and the closest value to one it does not take ("a similar value exists:
'json'", as ruff says it), and ``closest`` for the configuration's keys and values. Closest as ``difflib``
measures it; nothing is suggested when nothing is close."""
from __future__ import annotations

import argparse
import difflib
from typing import Any, Iterable, NoReturn, Optional


def closest(word: str, known: Iterable[str]) -> Optional[str]:
    """The one of ``known`` closest to ``word``, or None when none is close."""
    found = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """" (did you mean 'x'?)" for the closest of ``known``, or ""."""
    near = closest(word, known)
    return "" if near is None else f" (did you mean {near!r}?)"


class Parser(argparse.ArgumentParser):
    """argparse's parser, whose errors end with a tip when a flag or a value was mistyped."""

    def error(self, message: str) -> NoReturn:
        prefix = "unrecognized arguments: "  # parse_args's words for what no flag took, the arguments after
        if message.startswith(prefix):
            unknown = [a for a in message[len(prefix):].split(" ") if a.startswith("--")]
            tips = [f"did you mean {near}?" for near in (self._flag_near(a) for a in unknown) if near]
            message += "".join(f"\n\n  tip: {tip}" for tip in tips)
        super().error(message)

    def _flag_near(self, arg: str) -> Optional[str]:
        flags = [s for action in self._actions for s in action.option_strings if s.startswith("--")]
        return closest(arg.partition("=")[0], flags)

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        if action.choices is not None and value not in action.choices:
            choices = ", ".join(map(str, action.choices))
            near = closest(str(value), map(str, action.choices))
            tip = f"\n\n  tip: a similar value exists: {near!r}" if near else ""
            raise argparse.ArgumentError(action, f"invalid choice: {value!r} (choose from {choices}){tip}")


def jobs_count(text: str) -> int:
    """``--jobs``' value: a number of processes, at least 1."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of processes: {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"at least 1 process: {text!r}")
    return n
