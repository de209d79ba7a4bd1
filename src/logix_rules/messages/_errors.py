"""``MessageError``: a message that cannot be rendered, saying where and what to do."""

from __future__ import annotations

from typing import Any

from ..core._errors import ErrorCode, LogixError

__all__ = ["MessageError"]

#: How much of an offending value an error keeps: enough to recognise it.
_INPUT_CHARS = 200


class MessageError(LogixError, ValueError):
    """A message could not be rendered.

    ``code`` is ``bad_message_option`` (an audience, channel, language, moment or time
    zone that does not exist), ``no_template`` (no template for the scenario in any
    language of the fallback chain) or ``bad_template`` (a template that does not
    parse, names an unknown filter, uses a variable the context lacks, or does what
    the sandbox forbids).  ``loc`` locates it: ``file:line`` for a template, the
    option's name otherwise.  ``input`` is the offending value, clipped.
    """

    def __init__(self, code: ErrorCode, msg: str, *, loc: str = "", input: Any = None) -> None:
        self.code = code
        self.msg = msg
        self.loc = loc
        if isinstance(input, str) and len(input) > _INPUT_CHARS:
            input = input[: _INPUT_CHARS - 1] + "…"
        self.input = input
        where = f"{loc}: " if loc else ""
        super().__init__(f"{where}{code.value}: {msg}")
