"""``report_to_event``: a classified message as customer-report events for ``ingest``."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from pydantic import ValidationError

from logix_carriers import EventSource, Status, TrackingEvent

from ..core._errors import ErrorCode, InputProblem, InvalidEvents
from ._classify import Classification
from ._kinds import REASON_OF_KIND

__all__ = ["MAX_DESCRIPTION_CHARS", "report_to_event"]

#: The message is kept as the event's description up to this many characters.
MAX_DESCRIPTION_CHARS: Final = 1_000


def _located(index: int, data: dict[str, object], msg: str, loc: tuple[str, ...]) -> InvalidEvents:
    problem = InputProblem(
        ErrorCode.INVALID_EVENT, index, data, ({"loc": loc, "msg": msg, "type": "value_error"},)
    )
    return InvalidEvents([problem])


def report_to_event(
    classification: Classification,
    *,
    tracking_number: str | None = None,
    carrier: str | None = None,
    at: datetime | str,
) -> list[TrackingEvent]:
    """One customer-report event per kind the message reports, ready for ``ingest``.

    Each event is ``status: exception`` with the kind's reason (``REASON_OF_KIND``;
    ``wismo`` and ``other`` become ``other``), ``source.system: customer`` and
    ``source.code`` the kind, so two kinds of one message are two events.  The kind,
    the confidence, the language, the lexicon and the missing fields go into the
    attributes; the message (its first ``MAX_DESCRIPTION_CHARS`` characters) into the
    description.  ``tracking_number`` and ``carrier`` default to the first tracking
    number found in the message and its carrier.  Raises ``InvalidEvents``
    (``invalid_event``) when neither is known or an event does not validate.
    """
    found = classification.tracking_numbers
    number = tracking_number or (found[0].number if found else None)
    if carrier is None:
        carrier = next((t.carrier for t in found if t.number == number), None)
    events: list[TrackingEvent] = []
    for index, (kind, confidence) in enumerate(classification.scores):
        data: dict[str, object] = {
            "tracking_number": number,
            "carrier": carrier,
            "occurred_at": at,
            "status": Status.EXCEPTION.value,
            "reason": REASON_OF_KIND[kind].value,
            "description": classification.text[:MAX_DESCRIPTION_CHARS],
            "attributes": {
                "report_kind": kind.value,
                "confidence": confidence,
                "language": classification.language,
                "lexicon": classification.lexicon,
                "missing": ",".join(f.value for f in classification.missing),
                "photos": classification.has_photos,
            },
            "source": EventSource(system="customer", code=kind.value),
        }
        if number is None:
            raise _located(
                index,
                data,
                "no tracking number: the message has none; pass tracking_number=",
                ("tracking_number",),
            )
        if carrier is None:
            raise _located(index, data, "no carrier: pass carrier= (e.g. 'dhl')", ("carrier",))
        try:
            events.append(TrackingEvent.model_validate(data))
        except ValidationError as error:
            errors = tuple(
                {"loc": tuple(str(p) for p in e["loc"]), "msg": e["msg"], "type": e["type"]}
                for e in error.errors()
            )
            raise InvalidEvents(
                [InputProblem(ErrorCode.INVALID_EVENT, index, data, errors)]
            ) from None
    return events
