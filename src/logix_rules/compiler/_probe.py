"""Probes: parts of a compiled pack's expressions (a sub-condition, an operand),
compiled on demand against the same namespace and state layout as the pack."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from ..core._errors import ErrorCode
from ..core._helpers import RUNTIME_GLOBALS
from ..core._records import NO_EVENT
from ._codegen import _STATE_READ, OPTIONAL_AGGREGATES
from ._expr import compile_expr
from ._expr_types import ANY, ATTR_TYPES, ExprContext, ExprError, Ty
from ._model import Pack
from ._namespace import (
    ENUMS,
    EVENT_FIELDS,
    SHIPMENT_FIELDS,
    STATE_NAMES,
    TRACKER_FIELDS,
    _event_code,
    _param_type,
    _shipment_code,
)

__all__ = ["Probe", "compile_probe", "expression_context"]


@attrs.frozen
class Probe:
    """One expression (a sub-condition or an operand) compiled against a pack.

    ``fn(state, facts, params, now)`` evaluates it on a kernel state exactly as the
    pack's generated code would; ``type`` is its static type (``type.base`` says how
    to show the value: datetimes and durations are integers of microseconds).
    """

    source: str
    fn: Callable[..., Any]
    type: Ty


def expression_context(pack: Pack) -> ExprContext:
    """The namespace ``pack``'s expressions were compiled against.

    Its trackers and attribute types are the pack's own, in the same order, so an
    expression taken from one of the pack's rules compiles to the same state slots.
    """
    attr_types = {name: ATTR_TYPES.get(base, ANY) for name, base in pack.attr_types.items()}
    return ExprContext(
        names={name: (ty, code) for name, (ty, code, _) in STATE_NAMES.items()},
        objects={
            "shipment": {name: (ty, _shipment_code(name)) for name, ty in SHIPMENT_FIELDS.items()},
            "params": {name: (_param_type(p), f"p.{name}") for name, p in pack.params.items()},
            "event": {name: (ty, _event_code(attr)) for name, (ty, attr) in EVENT_FIELDS.items()},
        },
        enums=ENUMS,
        tracker_fields=TRACKER_FIELDS,
        trackers=list(pack.trackers),
        attr_types=attr_types,
    )


def compile_probe(pack: Pack, source: str, *, want: str | None = None) -> Probe:
    """Compile ``source`` (normally a part of one of ``pack``'s expressions) to a ``Probe``.

    Raises ``ExprError`` when the text is not a valid expression of this pack.
    """
    ctx = expression_context(pack)
    known = len(ctx.trackers)
    compiled = compile_expr(source, ctx, want=want, allow_now=True)
    if len(ctx.trackers) != known:
        # A history aggregate the pack does not keep has no slot in the state.
        raise ExprError(
            ErrorCode.BAD_ARGUMENTS,
            f"'{source.strip()}' uses a count/seen/first/last filter that no rule of "
            f"pack {pack.name!r} uses",
            input=source,
        )
    missing = set(_STATE_READ.findall(compiled.code)) & (OPTIONAL_AGGREGATES - pack.aggregates)
    if missing:
        raise ExprError(
            ErrorCode.BAD_ARGUMENTS,
            f"'{source.strip()}' reads {', '.join(sorted(missing))}, which no rule of "
            f"pack {pack.name!r} reads, so the pack does not keep it",
            input=source,
        )
    namespace: dict[str, Any] = dict(RUNTIME_GLOBALS)
    namespace["_NOEV"] = NO_EVENT
    code = f"def probe(s, f, p, n):\n    return {compiled.code}\n"
    exec(compile(code, f"<logix-probe {pack.name}>", "exec"), namespace)
    return Probe(compiled.source, namespace["probe"], compiled.type)
