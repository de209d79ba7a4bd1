"""Every built-in template renders, for every kind, audience, language and channel,
with StrictUndefined; the set covers the issue's matrix; the texts carry the facts."""

from __future__ import annotations

from collections import Counter

import pytest

from conftest import builtin_templates
from logix_rules import evaluate, generate_demo, load_pack
from logix_rules.messages import (
    AUDIENCES,
    CHANNELS,
    KINDS,
    MOMENTS,
    SCENARIOS,
    MessageError,
    check_templates,
    render,
)
from logix_rules.messages._samples import Sample

TEMPLATES = builtin_templates()
FULL = ("en", "zh")
CUSTOMER_ONLY = ("pt-BR", "es", "de", "fr")


def test_the_kinds_are_the_default_packs() -> None:
    pack = load_pack("default")
    assert set(KINDS) == {rule.kind for rule in pack.rules}


def test_the_matrix_is_covered() -> None:
    have = set(TEMPLATES)
    for lang in FULL:
        for audience in AUDIENCES:
            for scenario in SCENARIOS[audience]:
                assert (lang, audience, scenario) in have
    for lang in CUSTOMER_ONLY:
        for scenario in SCENARIOS["customer"]:
            assert (lang, "customer", scenario) in have
    assert len(TEMPLATES) >= 30
    counts = Counter(lang for lang, _, _ in TEMPLATES)
    assert counts == {"en": 55, "zh": 55, "pt-BR": 19, "es": 19, "de": 19, "fr": 19}


def _samples_for(scenario: str, samples: dict[str, Sample]) -> list[Sample]:
    return [samples[scenario]] if scenario in KINDS else list(samples.values())


@pytest.mark.parametrize(("lang", "audience", "scenario"), TEMPLATES)
def test_every_template_renders_strictly(
    lang: str, audience: str, scenario: str, samples: dict[str, Sample]
) -> None:
    moment = scenario if scenario in MOMENTS else None
    for sample in _samples_for(scenario, samples):
        for channel in CHANNELS:
            message = render(
                sample.incident,
                audience=audience,
                lang=lang,
                channel=channel,
                shipment=sample.shipment,
                recipient=sample.recipient,
                moment=moment,
            )
            assert message.template == f"{lang}/{audience}/{scenario}.j2"
            assert message.lang == lang
            assert message.subject
            assert "\n" not in message.subject
            assert "{{" not in message.body
            assert "{%" not in message.body
            assert sample.incident.tracking_number in message.subject + message.body
            if channel == "sms":
                assert message.segments is not None
                assert message.segments >= 1
                assert "\n" not in message.body
            else:
                assert message.segments is None
            if channel == "html":
                assert message.body.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("lang", [*FULL, *CUSTOMER_ONLY])
def test_customer_sms_fit_one_segment(lang: str, samples: dict[str, Sample]) -> None:
    for scenario in SCENARIOS["customer"]:
        for sample in _samples_for(scenario, samples):
            message = render(
                sample.incident,
                audience="customer",
                lang=lang,
                channel="sms",
                shipment=sample.shipment,
                moment=scenario if scenario in MOMENTS else None,
            )
            assert message.segments == 1, (scenario, message.body)
            # Latin-script languages are folded to GSM-7, Chinese is sent in UCS-2.
            assert message.encoding == ("UCS-2" if lang == "zh" else "GSM-7")


def test_the_builtin_templates_check_clean() -> None:
    report = check_templates()
    assert report.ok, report.problems
    assert report.templates >= 186
    assert report.renders > 1000
    # Non-customer audiences fall back to English outside en and zh, and say so.
    assert {g.lang for g in report.gaps} == set(CUSTOMER_ONLY)
    assert not [g for g in report.gaps if g.audience == "customer"]


def test_demo_incidents_render_for_every_audience() -> None:
    """Incidents the demo data raises (not hand-made ones) fill every template they have."""
    demo = generate_demo(seed=7, shipments=300)
    incidents = evaluate("default", demo.events, shipments=demo.shipments, at=demo.at)
    assert len({i.kind for i in incidents}) >= 6
    shipments = {s.tracking_number: s for s in demo.shipments}
    rendered = 0
    for incident in incidents:
        for audience in AUDIENCES:
            if incident.kind not in SCENARIOS[audience]:
                with pytest.raises(MessageError):
                    render(incident, audience=audience, lang="en")
                continue
            for lang in ("en", "zh", "pt-BR"):
                message = render(
                    incident,
                    audience=audience,
                    lang=lang,
                    shipment=shipments.get(incident.tracking_number),
                )
                assert incident.tracking_number in message.body
                rendered += 1
    assert rendered > 100
