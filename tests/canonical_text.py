"""The generic canonical text of an incident, shared by the tests that check the
encoders which write it faster (``runtime/_canonical.py``, ``_canonical_pending.py``,
a store's rows): ``json.dumps`` of ``to_dict(mask=False)``, sorted, compact."""

from __future__ import annotations

import json

from logix_rules.runtime._incidents import Incident


def generic(incident: Incident) -> str:
    return json.dumps(
        incident.to_dict(mask=False),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
