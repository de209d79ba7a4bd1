"""``logix_rules.review``: exactly these public names, sorted as ruff sorts them, and
typed (``py.typed``)."""

from __future__ import annotations

from pathlib import Path

import logix_rules.review as public

REVIEW_API = {
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
}


def _ruff_sorted(names: list[str]) -> list[str]:
    # RUF022: SCREAMING_CASE, then CamelCase, then the rest.
    def key(name: str) -> tuple[int, str]:
        if name.isupper():
            return (0, name)
        return (1, name) if name[:1].isupper() else (2, name)

    return sorted(names, key=key)


def test_exported_names() -> None:
    names = list(public.__all__)
    assert names == _ruff_sorted(names)
    assert set(names) == REVIEW_API
    for name in names:
        assert getattr(public, name) is not None


def test_typed_and_importable_without_matplotlib() -> None:
    assert (Path(public.__file__).parent / "py.typed").exists()
    # Importing the review never imports matplotlib: only drawing an HTML report does.
    source = "\n".join(p.read_text("utf-8") for p in Path(public.__file__).parent.glob("*.py"))
    assert "\nimport matplotlib" not in source
    assert "\nfrom matplotlib" not in source
