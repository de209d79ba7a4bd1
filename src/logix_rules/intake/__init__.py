"""Customer reports: classifying a message and turning it into report events.

``classify`` reads a customer's message (English, Brazilian Portuguese, Spanish,
German, French, Chinese) with a lexicon that is data (``lexicon.yaml``, extendable
with ``load_lexicon``) and says what it reports, with evidence, the tracking numbers
in it and the fields still missing.  ``report_to_event`` makes ``TrackingEvent``s
with ``source.system = "customer"`` of it, for ``Engine.ingest``.  ``claim_package``
gathers the evidence a claim with a carrier or insurer needs (JSON and a printable
page).  See docs/intake.md.
"""

from ._claim_model import CLAIM_SCHEMA, CLAIMABLE_KINDS, ClaimAmount, ClaimEvent, ClaimPackage
from ._claims import ClaimError, claim_package, claim_package_from_engine
from ._classify import MAX_TEXT_CHARS, Classification, EvidenceSpan, classify
from ._errors import LexiconError
from ._events import report_to_event
from ._kinds import REASON_OF_KIND, MissingField, ReportKind
from ._lexicon import Lexicon
from ._lexicon_load import default_lexicon, load_lexicon, loads_lexicon
from ._tracking import TrackingNumber, find_tracking_numbers

__all__ = [
    "CLAIMABLE_KINDS",
    "CLAIM_SCHEMA",
    "MAX_TEXT_CHARS",
    "REASON_OF_KIND",
    "ClaimAmount",
    "ClaimError",
    "ClaimEvent",
    "ClaimPackage",
    "Classification",
    "EvidenceSpan",
    "Lexicon",
    "LexiconError",
    "MissingField",
    "ReportKind",
    "TrackingNumber",
    "claim_package",
    "claim_package_from_engine",
    "classify",
    "default_lexicon",
    "find_tracking_numbers",
    "load_lexicon",
    "loads_lexicon",
    "report_to_event",
]
