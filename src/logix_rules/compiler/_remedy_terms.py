"""The terms of a remedy item beyond its amount: who bears it (``bearer``) and the
incident causes it applies to (``causes``), checked in ``validate``."""

from __future__ import annotations

from typing import Any

from ..core._errors import ErrorCode
from ._build import _Build, _Doc
from ._model import BEARERS
from ._suggest import suggest

__all__ = ["CAUSES", "check_item_terms"]

#: What an incident can be caused by (POLICY §1); ``unknown`` when the trail says nothing.
CAUSES = ("carrier", "customer", "internal", "force_majeure", "unknown")


def check_item_terms(
    build: _Build, doc: _Doc, path: tuple[str | int, ...], item: dict[str, Any], rid: str | None
) -> bool:
    """Report a ``bearer`` that is none of ``BEARERS`` and ``causes`` that are not a
    list of ``CAUSES``."""
    ok = True
    bearer = item.get("bearer", "merchant")
    if bearer not in BEARERS:
        build.issue(
            doc,
            (*path, "bearer"),
            ErrorCode.BAD_REMEDY,
            f"remedy item bearer {bearer!r} is not one of {', '.join(BEARERS)}."
            + suggest(str(bearer), BEARERS),
            rule_id=rid,
            value=bearer,
            hint="Who pays this amount in the end: the merchant, the carrier or the insurer.",
        )
        ok = False
    causes = item.get("causes")
    if causes is not None and (
        not isinstance(causes, list) or not causes or any(c not in CAUSES for c in causes)
    ):
        wrong = [c for c in causes if c not in CAUSES] if isinstance(causes, list) else causes
        build.issue(
            doc,
            (*path, "causes"),
            ErrorCode.BAD_REMEDY,
            f"remedy item causes {wrong!r}: list some of {', '.join(CAUSES)}.",
            rule_id=rid,
            value=causes,
            hint="e.g. 'causes: [carrier, internal, unknown]'; leave it out for every cause.",
        )
        ok = False
    return ok
