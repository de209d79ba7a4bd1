"""Errors as data: every problem has a stable code, a location and a hint.

Pack problems are collected across all compiler stages and raised together as one
``PackError``; bad events become ``InputProblem`` values.  ``ErrorCode`` is the
single list of codes, documented in ``docs/errors.md`` (a test keeps them in sync).
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

import attrs

__all__ = [
    "MAX_INPUT_CHARS",
    "MAX_MESSAGE_CHARS",
    "CodedError",
    "ErrorCode",
    "InputProblem",
    "InvalidEvents",
    "LogixError",
    "PackError",
    "PackIssue",
    "UnknownIncident",
    "clip_input",
    "located",
]


class ErrorCode(StrEnum):
    """Stable error codes.  The value is what users see and search for."""

    # parse
    YAML_SYNTAX = "yaml_syntax"
    FILE_NOT_FOUND = "file_not_found"
    UNKNOWN_PACK = "unknown_pack"
    NOT_A_PACK = "not_a_pack"
    PACK_TOO_LARGE = "pack_too_large"
    YAML_TOO_COMPLEX = "yaml_too_complex"
    # validate (schema)
    UNKNOWN_KEY = "unknown_key"
    MISSING_KEY = "missing_key"
    WRONG_TYPE = "wrong_type"
    BAD_IDENTIFIER = "bad_identifier"
    UNSUPPORTED_FORMAT = "unsupported_format"
    DUPLICATE_RULE = "duplicate_rule"
    # resolve
    EXTENDS_CYCLE = "extends_cycle"
    BAD_PARAM = "bad_param"
    PARAM_TYPE_CHANGED = "param_type_changed"
    MONEY_WITHOUT_CURRENCY = "money_without_currency"
    UNKNOWN_CURRENCY = "unknown_currency"
    MISSING_FX_RATE = "missing_fx_rate"
    BAD_REMEDY = "bad_remedy"
    BAD_DURATION = "bad_duration"
    UNKNOWN_SEVERITY = "unknown_severity"
    UNKNOWN_RULE = "unknown_rule"
    STEP_ORDER = "step_order"
    UNKNOWN_KIND = "unknown_kind"
    SUPERSESSION_CYCLE = "supersession_cycle"
    ACTION_CONFLICT = "action_conflict"
    # expressions (parse / resolve / typecheck)
    EXPR_SYNTAX = "expr_syntax"
    FORBIDDEN_SYNTAX = "forbidden_syntax"
    UNKNOWN_NAME = "unknown_name"
    UNKNOWN_FIELD = "unknown_field"
    UNKNOWN_FUNCTION = "unknown_function"
    BAD_ARGUMENTS = "bad_arguments"
    UNKNOWN_VALUE = "unknown_value"
    TYPE_MISMATCH = "type_mismatch"
    NOW_IN_CONDITION = "now_in_condition"
    EXPR_TOO_COMPLEX = "expr_too_complex"
    OUT_OF_RANGE = "out_of_range"
    # runtime input
    INVALID_EVENT = "invalid_event"
    INVALID_SHIPMENT = "invalid_shipment"
    UNKNOWN_INCIDENT = "unknown_incident"
    UNKNOWN_ACTION = "unknown_action"
    BAD_CAUSE = "bad_cause"
    BAD_STATE = "bad_state"
    # store
    BAD_STORE_URL = "bad_store_url"
    STORE_UNAVAILABLE = "store_unavailable"
    SCHEMA_TOO_NEW = "schema_too_new"
    PURGE_TOO_RECENT = "purge_too_recent"
    BAD_FEED_COMMIT = "bad_feed_commit"
    # intake
    BAD_LEXICON = "bad_lexicon"
    NOT_CLAIMABLE = "not_claimable"
    # messages
    BAD_MESSAGE_OPTION = "bad_message_option"
    NO_TEMPLATE = "no_template"
    BAD_TEMPLATE = "bad_template"
    # review
    BAD_REVIEW_PERIOD = "bad_review_period"
    REVIEW_EXTRA_MISSING = "review_extra_missing"
    # service
    BAD_SERVICE_SETTING = "bad_service_setting"
    UNSAFE_SERVICE = "unsafe_service"
    BAD_USER = "bad_user"


#: How much of a bad input an error shows: enough to recognise it, never a whole file.
MAX_INPUT_CHARS = 200
#: The longest message a ``PackIssue`` keeps (messages quote what they are about).
MAX_MESSAGE_CHARS = 1000
_BIG_INT_BITS = 640  # about 200 decimal digits


def clip_input(value: Any) -> Any:
    """``value`` as an error may carry it: text and bytes cut to ``MAX_INPUT_CHARS``.

    A huge integer becomes a short description (printing it would cost more than
    reading it did); other values are kept, and ``_short_repr`` bounds how they print.
    """
    if isinstance(value, str) and len(value) > MAX_INPUT_CHARS:
        return value[: MAX_INPUT_CHARS - 1] + "…"
    if isinstance(value, bytes) and len(value) > MAX_INPUT_CHARS:
        return value[: MAX_INPUT_CHARS - 3] + b"..."
    if isinstance(value, int) and value.bit_length() > _BIG_INT_BITS:
        return f"<an integer of about {int(value.bit_length() * 0.30103)} digits>"
    return value


def _clip_message(msg: str) -> str:
    return msg if len(msg) <= MAX_MESSAGE_CHARS else msg[: MAX_MESSAGE_CHARS - 1] + "…"


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = MAX_INPUT_CHARS
_REPR.maxlong = 60


def _short_repr(value: Any) -> str:
    """A bounded ``repr`` (containers shown in part) for the ``repr`` of an error."""
    if isinstance(value, int) and value.bit_length() > _BIG_INT_BITS:
        return repr(clip_input(value))
    try:
        return _REPR.repr(value)
    except Exception:  # a caller's object with a broken __repr__ still prints
        return f"<{type(value).__name__}>"


def _clip_errors(errors: Any) -> tuple[dict[str, Any], ...]:
    """Error details with the ``input`` each may carry clipped (see ``clip_input``)."""
    return tuple(
        {**err, "input": clip_input(err["input"])}
        if isinstance(err, dict) and "input" in err
        else err
        for err in errors
    )


class LogixError(Exception):
    """Base class of every error logix_rules raises on purpose."""


class CodedError(LogixError, ValueError):
    """An error that is data, as the rooms past the compiler raise it: a stable
    ``code``, ``loc`` (where), ``msg`` (what was wrong), ``input`` (cut to a printable
    size) and ``hint`` (what to do).  A room's error class names its codes."""

    def __init__(
        self, code: ErrorCode, loc: str, msg: str, *, input: Any = None, hint: str = ""
    ) -> None:
        self.code = code
        self.loc = loc
        self.msg = msg
        self.input = self._clip(input)
        self.hint = hint
        super().__init__(self._line())

    def _clip(self, value: Any) -> Any:
        return clip_input(value)

    def _line(self) -> str:
        return f"{self.code.value}: {self.msg}{f' ({self.hint})' if self.hint else ''}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "loc": self.loc,
            "msg": self.msg,
            "input": self.input,
            "hint": self.hint,
        }


def located(
    file: str, line: int, column: int, label: str, msg: str, rule_id: str | None, hint: str
) -> str:
    """``file:line:col: label: msg (rule id) hint``, the one line `logix check` prints."""
    where = f"{_printable(file)}:{line}:{column}" if line else _printable(file)
    rule = f" (rule {_printable(rule_id)})" if rule_id else ""
    return f"{where}: {label}: {_printable(msg)}{rule}{f' {_printable(hint)}' if hint else ''}"


def _printable(text: str) -> str:
    """``text`` on one line: what is not printable (a newline...) escaped as by ``repr``."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


@attrs.frozen
class PackIssue:
    """One problem in a rule pack, located as precisely as the compiler can.

    ``loc`` is the path inside the pack document (``("rules", 2, "when")``); ``line``
    and ``column`` are 1-based positions in ``file``; ``rule_id`` names the rule when
    the problem is inside one; ``hint`` says what to do.
    """

    code: ErrorCode
    msg: str = attrs.field(converter=_clip_message)
    file: str = "<pack>"
    line: int = 0
    column: int = 0
    loc: tuple[str | int, ...] = ()
    rule_id: str | None = None
    input: Any = attrs.field(default=None, converter=clip_input, repr=_short_repr)
    hint: str = ""

    def __str__(self) -> str:
        return located(
            self.file, self.line, self.column, self.code.value, self.msg, self.rule_id, self.hint
        )

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.code.value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "msg": self.msg,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "loc": list(self.loc),
            "rule_id": self.rule_id,
            "input": _json_scalar(self.input),
            "hint": self.hint,
        }


def _json_scalar(value: Any) -> Any:
    """``value`` if JSON can show it strictly (no NaN or Infinity), a text, or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    return value if isinstance(value, str | int | float | bool) else None


class PackError(LogixError):
    """A rule pack could not be compiled; ``issues`` holds every problem found, sorted."""

    def __init__(self, issues: Sequence[PackIssue]) -> None:
        self.issues: list[PackIssue] = sorted(issues, key=PackIssue.sort_key)
        count = len(self.issues)
        head = f"{count} problem{'s' if count != 1 else ''} in rule pack"
        super().__init__("\n".join([head, *(f"  {issue}" for issue in self.issues)]))


@attrs.frozen
class InputProblem:
    """An input item (event or shipment) that failed validation and was not applied.

    ``index`` is its position in the iterable given to the engine (or its line number
    when read from a file, with ``source`` naming the file).
    """

    code: ErrorCode
    index: int
    input: Any = attrs.field(repr=_short_repr)  # the item itself, for the caller to keep
    errors: tuple[dict[str, Any], ...] = attrs.field(converter=_clip_errors, repr=_short_repr)
    source: str | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.index}" if self.source else f"item {self.index}"
        detail = "; ".join(
            f"{'.'.join(str(p) for p in err.get('loc', ())) or '(item)'}: "
            f"{clip_input(str(err.get('msg', '')))}"
            for err in self.errors
        )
        return f"{where}: {self.code.value}: {detail}"


class InvalidEvents(LogixError, ValueError):
    """Some events failed validation; nothing was applied.  See ``problems``."""

    def __init__(self, problems: Sequence[InputProblem]) -> None:
        self.problems = list(problems)
        lines = [str(p) for p in self.problems[:20]]
        if len(self.problems) > 20:
            lines.append(f"... and {len(self.problems) - 20} more")
        what = (
            "shipment"
            if self.problems and all(p.code is ErrorCode.INVALID_SHIPMENT for p in self.problems)
            else "event"
        )
        super().__init__(
            f"{len(self.problems)} invalid {what}(s), nothing was applied; pass "
            "on_invalid=callback to apply the valid ones and collect the rest:\n  "
            + "\n  ".join(lines)
        )


class UnknownIncident(LogixError, KeyError):
    """``acknowledge``/``resolve`` named an incident id the engine does not hold open."""

    code = ErrorCode.UNKNOWN_INCIDENT

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown incident"
