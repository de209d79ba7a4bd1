"""HTML output escapes what the incident carries; personal data is the customer's own
to see, and masked for the carrier, the warehouse and the internal desk."""

from __future__ import annotations

from types import MappingProxyType

import attrs
import pytest

from logix_rules.messages import AUDIENCES, SCENARIOS, render
from logix_rules.messages._samples import Sample
from logix_rules.runtime._incidents import EvidenceEvent

SCRIPT = "<script>alert('x')</script>"


def _with_script(sample: Sample) -> Sample:
    event = sample.incident.evidence.events[0]
    hostile = attrs.evolve(event, description=f"Box crushed {SCRIPT} & wet")
    evidence = attrs.evolve(sample.incident.evidence, events=(hostile,))
    return attrs.evolve(sample, incident=attrs.evolve(sample.incident, evidence=evidence))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_html_escapes_incident_text(lang: str, samples: dict[str, Sample]) -> None:
    sample = _with_script(samples["damaged"])
    html = render(sample.incident, audience="internal", lang=lang, channel="html")
    assert SCRIPT not in html.body
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; wet" in html.body
    assert html.body.count("<p>") >= 4
    assert "<br>" in html.body
    text = render(sample.incident, audience="internal", lang=lang, channel="email")
    assert SCRIPT in text.body  # plain text is not HTML: nothing to escape


def test_html_escapes_the_customers_own_data(samples: dict[str, Sample]) -> None:
    sample = samples["delivery_failure"]
    recipient = {**sample.recipient, "name": "<b>Ana</b>"}
    html = render(
        sample.incident, audience="customer", lang="en", channel="html", recipient=recipient
    )
    assert "<b>Ana</b>" not in html.body
    assert "&lt;b&gt;Ana&lt;/b&gt;" in html.body
    assert "<title>We missed you: delivery of LX123456789CN failed</title>" in html.body
    # The subject is text in every channel.
    assert html.subject == "We missed you: delivery of LX123456789CN failed"


PERSONAL = ("Ana Souza", "98765-4321", "ana.souza@example.com", "Rua das Flores 123")


def _told(kind: str) -> list[str]:
    return [a for a in AUDIENCES if kind in SCENARIOS[a]]


@pytest.mark.parametrize("kind", ["delivery_failure", "refused", "wrong_or_missing_items"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_only_the_customer_sees_personal_data(
    kind: str, lang: str, samples: dict[str, Sample]
) -> None:
    sample = samples[kind]
    for audience in _told(kind):
        for channel in ("email", "html", "sms"):
            message = render(
                sample.incident,
                audience=audience,
                lang=lang,
                channel=channel,
                shipment=sample.shipment,
                recipient=sample.recipient,
            )
            shown = [p for p in PERSONAL if p in message.body]
            if audience != "customer":
                assert not shown, (audience, channel, shown)
    # The customer's e-mail does show their own name (and, for a failed delivery,
    # the address and phone to confirm).
    mail = render(sample.incident, audience="customer", lang=lang, recipient=sample.recipient)
    assert "Ana Souza" in mail.body
    if kind == "delivery_failure":
        assert "Rua das Flores 123" in mail.body
        assert "+55 11 98765-4321" in mail.body


def test_evidence_text_is_masked_for_the_carrier(samples: dict[str, Sample]) -> None:
    sample = samples["delivery_failure"]
    carrier = render(sample.incident, audience="carrier", lang="en", recipient=sample.recipient)
    assert "A*** S***" in carrier.body
    assert "+55 11 9****-4321" in carrier.body
    # The raw incident is untouched: masking works on a copy.
    assert "Ana Souza" in sample.incident.evidence.events[0].description


def test_a_name_in_the_evidence_values_greets_the_customer(samples: dict[str, Sample]) -> None:
    sample = samples["lost"]
    values = dict(sample.incident.evidence.values) | {"recipient_name": "Li Wei"}
    evidence = attrs.evolve(sample.incident.evidence, values=MappingProxyType(values))
    incident = attrs.evolve(sample.incident, evidence=evidence)
    assert render(incident, audience="customer", lang="en").body.startswith("Hello Li Wei,")
    internal = render(incident, audience="internal", lang="en")
    assert "Li Wei" not in internal.body


def test_no_event_no_evidence_line(samples: dict[str, Sample]) -> None:
    sample = samples["lost"]
    bare = attrs.evolve(sample.incident, evidence=attrs.evolve(sample.incident.evidence, events=()))
    message = render(bare, audience="internal", lang="en")
    assert "(no events)" in message.body
    assert isinstance(sample.incident.evidence.events[0], EvidenceEvent)
