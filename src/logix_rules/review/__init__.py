"""Operations review: exception statistics, carrier scorecards, recurring-delay lanes,
loss and KPIs against their targets, as a weekly brief or a monthly review.

>>> from datetime import UTC, datetime
>>> from logix_rules.review import build_review, render_html
>>> until = datetime(2026, 3, 9, tzinfo=UTC)
>>> review = build_review(store, kind="weekly", until=until)  # doctest: +SKIP
>>> Path("brief.html").write_text(render_html(review))  # doctest: +SKIP

See docs/review.md.  Reads the store; HTML charts need the ``review`` extra (matplotlib).
"""

from ..store._facts import IncidentRecord, ShipmentFacts
from ._errors import ReviewError
from ._figures import Figure, Period
from ._html import render_html
from ._input import ReviewData, facts_of_shipment
from ._review import SCHEMA, SCHEMA_VERSION, Review, build_review, report_period, settings_from_pack
from ._settings import GRADES, GradeBounds, ReviewSettings, Target
from ._text import render_csv, render_json, render_markdown

__all__ = [
    "GRADES",
    "SCHEMA",
    "SCHEMA_VERSION",
    "Figure",
    "GradeBounds",
    "IncidentRecord",
    "Period",
    "Review",
    "ReviewData",
    "ReviewError",
    "ReviewSettings",
    "ShipmentFacts",
    "Target",
    "build_review",
    "facts_of_shipment",
    "render_csv",
    "render_html",
    "render_json",
    "render_markdown",
    "report_period",
    "settings_from_pack",
]
