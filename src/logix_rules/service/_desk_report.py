"""The desk's weekly brief: the review room's report (``logix_rules.review``) of the
week before ``until`` (by default the last whole week, Monday to Monday, UTC), as its
own HTML page with charts, or as Markdown on a desk page without matplotlib."""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime, time, timedelta

from ..store import Store

__all__ = ["report_available", "report_until", "weekly_brief"]


def report_available() -> bool:
    """Whether the review room is installed (it is part of logix from issue 16 on)."""
    try:
        return importlib.util.find_spec("logix_rules.review") is not None
    except ImportError:
        return False


def report_until(asked: str | None, now: datetime) -> datetime:
    """The end of the week to report: ``asked`` (a date, ``2026-03-09``) or the Monday
    of ``now``'s week, at midnight UTC."""
    if asked:
        day = date.fromisoformat(asked[:10])
    else:
        today = now.astimezone(UTC).date()
        day = today - timedelta(days=today.weekday())
    return datetime.combine(day, time(0), UTC)


def weekly_brief(store: Store, until: datetime) -> tuple[str, str]:
    """``("html", document)`` with the charts, or ``("markdown", text)`` when the
    review extra (matplotlib) is missing."""
    from ..review import ReviewError, build_review, render_html, render_markdown

    review = build_review(store, kind="weekly", until=until)
    try:
        return "html", render_html(review)
    except ReviewError as error:
        if error.code.value != "review_extra_missing":
            raise
        return "markdown", render_markdown(review)
