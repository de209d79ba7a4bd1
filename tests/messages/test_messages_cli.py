"""``logix message`` over a SQLite store, and the extra's import guard."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from logix_rules import Engine
from logix_rules.cli._main import main
from logix_rules.messages._samples import _BASE, _TIMELINES, SAMPLE_RECIPIENT, sample_shipment
from logix_rules.store import open_store


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ops.db'}"
    store = open_store(url)
    try:
        engine = Engine("default", store=store)
        engine.upsert_shipment(sample_shipment())
        events, hours = _TIMELINES["delivery_failure"]
        engine.ingest(events)
        engine.advance(to=_BASE + timedelta(hours=hours))
    finally:
        store.close()
    return url


def _incident_id(url: str) -> str:
    store = open_store(url)
    try:
        (incident,) = Engine("default", store=store).open_incidents()
        return incident.id
    finally:
        store.close()


def test_customer_email_in_portuguese(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    incident = _incident_id(store_url)
    args = ["message", incident, "--store", store_url, "--audience", "customer", "--lang", "pt-BR"]
    assert main([*args, "--recipient-name", SAMPLE_RECIPIENT["name"]]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(
        "Subject: Não conseguimos entregar a encomenda LX123456789CN\n\nOlá, Ana Souza!"
    )
    assert "7 de mar. de 2026 17:00 -03:00 GMT" in out  # the solution deadline, in BR time
    assert "pt-BR/customer/delivery_failure.j2" in err
    assert "America/Sao_Paulo" in err


def test_sms_and_json(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    incident = _incident_id(store_url)
    assert (
        main(["message", incident, "--store", store_url, "--lang", "de", "--channel", "sms"]) == 0
    )
    out, err = capsys.readouterr()
    assert out.startswith("Zustellung von LX123456789CN fehlgeschlagen.")
    assert "1 SMS segment (GSM-7" in err
    assert (
        main(
            [
                "message",
                incident,
                "--store",
                store_url,
                "--lang",
                "zh",
                "--channel",
                "sms",
                "--format",
                "json",
            ]
        )
        == 0
    )
    document = json.loads(capsys.readouterr().out)
    assert document["encoding"] == "UCS-2"
    assert document["segments"] == 1
    assert document["incident_id"] == incident
    assert document["lang"] == "zh"


def test_the_carrier_sees_masked_data(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    incident = _incident_id(store_url)
    person = ["--recipient-name", "Ana Souza", "--recipient-phone", "+55 11 98765-4321"]
    assert main(["message", incident, "--store", store_url, "--audience", "carrier", *person]) == 0
    out = capsys.readouterr().out
    assert "Ana Souza" not in out
    assert "98765-4321" not in out
    assert "A*** S***" in out
    assert "+55 11 9****-4321" in out


def test_moments_and_user_templates(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    incident = _incident_id(store_url)
    assert main(["message", incident, "--store", store_url, "--moment", "acknowledgement"]) == 0
    assert capsys.readouterr().out.startswith("Subject: We are on it: parcel LX123456789CN")
    mine = tmp_path / "mine" / "en" / "customer"
    mine.mkdir(parents=True)
    (mine / "delivery_failure.j2").write_text(
        '{% extends "en/_layout.j2" %}{% block subject %}Ours{% endblock %}'
        "{% block body %}Call us.{% endblock %}"
    )
    assert (
        main(["message", incident, "--store", store_url, "--templates", str(tmp_path / "mine")])
        == 0
    )
    assert capsys.readouterr().out.startswith("Subject: Ours\n")


def test_mistakes_are_one_line(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    incident = _incident_id(store_url)
    assert main(["message", "inc_nope", "--store", store_url]) == 2
    assert "logix incidents --store URL" in capsys.readouterr().err
    assert main(["message", incident, "--store", store_url, "--audience", "warehouse"]) == 2
    err = capsys.readouterr().err
    assert "no_template" in err
    assert err.count("\n") == 1
    assert main(["message", incident, "--store", store_url, "--tz", "Mars/Olympus"]) == 2
    assert "bad_message_option" in capsys.readouterr().err


def test_without_the_extra_the_import_names_it() -> None:
    code = (
        "import sys\n"
        "sys.modules['jinja2'] = None\n"  # as if Jinja2 were not installed
        "try:\n"
        "    import logix_rules.messages\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
        "from logix_rules.cli._main import main\n"
        "print(main(['templates', 'check']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    assert "pip install 'logix[messages]'" in lines[0]
    assert lines[-1] == "2"  # the CLI says so in one line, and the other commands still work
    assert "logix[messages]" in done.stderr


def test_docs_mention_every_option() -> None:
    from logix_rules.cli._main import build_parser

    text = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text("utf-8")
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    message = sub.choices["message"]  # type: ignore[index]
    check = sub.choices["templates"]._actions[-1].choices["check"]  # type: ignore[index]
    for command in (message, check):
        for action in command._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert option in text, option
