"""The kinds issue 13 added to the default pack, and the policy facts the desk sees:
the customer hears of a likely delay with the carrier's estimate, a WISMO is answered,
an uninsured parcel stays internal; cause, bearer and fast track reach the context."""

from __future__ import annotations

import pytest

from logix_rules.messages import MessageError, render
from logix_rules.messages._samples import Sample


def test_delivery_at_risk_gives_the_customer_the_new_date(samples: dict[str, Sample]) -> None:
    risk = samples["delivery_at_risk"]
    message = render(risk.incident, audience="customer", lang="pt-BR", shipment=risk.shipment)
    # the estimate 2026-03-16 18:00Z and the promise 2026-03-14 08:00Z, in São Paulo
    assert "16 de mar. de 2026 15:00" in message.body
    assert "14 de mar. de 2026 05:00" in message.body
    carrier = render(risk.incident, audience="carrier", lang="zh", shipment=risk.shipment)
    assert "2026年3月17日 02:00" in carrier.body  # the same estimate, in Shanghai


def test_wismo_tells_the_desk_its_reply_deadline(samples: dict[str, Sample]) -> None:
    wismo = samples["wismo"]
    desk = render(wismo.incident, audience="internal", lang="en", shipment=wismo.shipment)
    assert desk.subject == "[P3] Customer asks where the parcel is: LX123456789CN"
    assert "by Mar 6, 2026, 2:00\u202fPM GMT+00:00, tell the customer" in desk.body  # 2 h
    with pytest.raises(MessageError, match="no_template"):
        render(wismo.incident, audience="carrier", lang="en")


@pytest.mark.parametrize("audience", ["customer", "carrier", "warehouse"])
def test_a_missing_insurance_stays_internal(audience: str, samples: dict[str, Sample]) -> None:
    uninsured = samples["insurance_missing"]
    with pytest.raises(MessageError, match="no_template"):
        render(uninsured.incident, audience=audience, lang="en")
    desk = render(uninsured.incident, audience="internal", lang="en", shipment=uninsured.shipment)
    assert "R$2,400.00" in desk.body


def test_the_desk_sees_cause_bearer_and_fast_track(samples: dict[str, Sample]) -> None:
    damaged = samples["damaged"]  # 3 % damage on a R$ 120 parcel: fast track, carrier's fault
    assert damaged.incident.remedy is not None
    assert damaged.incident.remedy.fast_track
    en = render(damaged.incident, audience="internal", lang="en", shipment=damaged.shipment)
    assert f"Cause: {damaged.incident.cause}\n" in en.body
    assert "(fast track: pay out at once)" in en.body
    assert "- carrier_claim: R$18.50, borne by freight, paid by carrier\n" in en.body
    zh = render(damaged.incident, audience="internal", lang="zh", shipment=damaged.shipment)
    assert "快速通道" in zh.body
    assert "最终付款方 carrier" in zh.body
    # the customer is not told who pays in the end
    customer = render(damaged.incident, audience="customer", lang="en")
    assert "paid by" not in customer.body
    assert "carrier_claim" not in customer.body
