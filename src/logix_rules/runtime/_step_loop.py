"""The kernel's step loop for one pack: the compiler writes its text
(``compiler/_codegen_step.py``: ``step_many`` with the pack's ``__absorb`` written into
the loop), and this module compiles it with the runtime helpers it calls.

Compiled once per text (every kernel of a pack shares it) and registered in
``linecache``, so tracebacks and debuggers show its lines like the pack's module.
"""

from __future__ import annotations

import hashlib
import linecache
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..compiler._codegen_step import STEP_NAME
from ..compiler._model import Pack
from ._checkpoints import capture
from ._replay import content
from ._state import ID_BITS, INDEX_FROM, find_event, index_events

if TYPE_CHECKING:
    from ..core._records import EventRec
    from ._incidents import Change
    from ._state import ShipmentState

__all__ = ["ID_BIT", "StepMany", "step_loop"]

ID_BIT = tuple(1 << i for i in range(ID_BITS))  # id_bit's values, made once

# (kernel, state, records) -> changes
StepMany = Callable[[Any, "ShipmentState", "list[EventRec]"], "list[Change]"]


def step_loop(pack: Pack) -> StepMany:
    """``pack``'s step loop, compiled (once per pack)."""
    step = _LOOPS.get(pack)
    if step is None:
        step = _LOOPS[pack] = _compiled(pack)
    return step


_LOOPS: weakref.WeakKeyDictionary[Pack, StepMany] = weakref.WeakKeyDictionary()


def _compiled(pack: Pack) -> StepMany:
    source = pack.step_source
    if not source:
        raise ValueError(f"pack {pack.name!r} was not compiled with a step loop")
    digest = hashlib.sha256(source.encode()).hexdigest()[:12]
    filename = f"<logix-step {pack.name[:60]!r} {digest}>"
    # The globals of the pack's module (_FINAL, _fallback_stage, _ZEROS...), which the
    # absorb written into the loop reads, and the kernel's helpers the loop calls.
    namespace: dict[str, Any] = dict(pack.absorb.__globals__)
    namespace.update(
        _ID_BIT=ID_BIT,
        _ID_BITS=ID_BITS,
        _INDEX_FROM=INDEX_FROM,
        _find_event=find_event,
        _index_events=index_events,
        _content=content,
        _capture=capture,
    )
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)
    exec(compile(source, filename, "exec"), namespace)
    step: StepMany = namespace[STEP_NAME]
    return step
