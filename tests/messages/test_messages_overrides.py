"""User template directories: looked in first, in the order given; a channel's own
template before the one for every channel; languages fall back pt-PT -> pt -> pt-BR
-> en; ``builtin/`` reaches the original under an override."""

from __future__ import annotations

from pathlib import Path

import pytest

from logix_rules.messages import MessageError, render
from logix_rules.messages._samples import Sample


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


LOST = (
    '{% extends "en/_layout.j2" %}\n'
    "{% block subject %}{{ marker }} {{ tracking_number }}{% endblock %}\n"
    "{% block body %}{{ marker }} body{% endblock %}\n"
)


def test_a_user_directory_overrides_a_builtin(
    template_dir: Path, samples: dict[str, Sample]
) -> None:
    path = _write(template_dir, "en/customer/lost.j2", LOST.replace("{{ marker }}", "MINE"))
    message = render(
        samples["lost"].incident, audience="customer", lang="en", template_dirs=[template_dir]
    )
    assert message.subject == "MINE LX123456789CN"
    assert message.template_file == str(path.resolve())
    # Without the directory, the built-in template again.
    builtin = render(samples["lost"].incident, audience="customer", lang="en")
    assert builtin.subject.startswith("We are sorry")


def test_directories_are_searched_in_order(tmp_path: Path, samples: dict[str, Sample]) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    _write(first, "en/customer/lost.j2", LOST.replace("{{ marker }}", "FIRST"))
    _write(second, "en/customer/lost.j2", LOST.replace("{{ marker }}", "SECOND"))
    _write(second, "en/customer/damaged.j2", LOST.replace("{{ marker }}", "SECOND"))
    incident = samples["lost"].incident
    assert render(
        incident, audience="customer", lang="en", template_dirs=[first, second]
    ).subject.startswith("FIRST")
    assert render(
        incident, audience="customer", lang="en", template_dirs=[second, first]
    ).subject.startswith("SECOND")
    damaged = samples["damaged"].incident
    assert render(
        damaged, audience="customer", lang="en", template_dirs=[first, second]
    ).subject.startswith("SECOND")


def test_a_channels_own_template_comes_first(
    template_dir: Path, samples: dict[str, Sample]
) -> None:
    _write(
        template_dir,
        "en/customer/lost.sms.j2",
        '{% extends "en/_layout.j2" %}{% block subject %}S{% endblock %}'
        "{% block sms %}Short: {{ tracking_number }}{% endblock %}",
    )
    incident = samples["lost"].incident
    sms = render(
        incident, audience="customer", lang="en", channel="sms", template_dirs=[template_dir]
    )
    assert sms.body == "Short: LX123456789CN"
    assert sms.template == "en/customer/lost.sms.j2"
    mail = render(incident, audience="customer", lang="en", template_dirs=[template_dir])
    assert mail.template == "en/customer/lost.j2"  # the built-in one, for e-mail


def test_the_language_comes_before_the_directory(
    template_dir: Path, samples: dict[str, Sample]
) -> None:
    # A user's English template does not replace the built-in German one for German.
    _write(template_dir, "en/customer/lost.j2", LOST.replace("{{ marker }}", "MINE"))
    message = render(
        samples["lost"].incident, audience="customer", lang="de", template_dirs=[template_dir]
    )
    assert message.lang == "de"
    assert message.subject.startswith("Es tut uns leid")


def test_language_fallback(template_dir: Path, samples: dict[str, Sample]) -> None:
    incident = samples["lost"].incident
    assert render(incident, audience="customer", lang="pt-PT").lang == "pt-BR"
    assert render(incident, audience="customer", lang="pt").lang == "pt-BR"
    assert render(incident, audience="customer", lang="zh-CN").lang == "zh"
    assert render(incident, audience="customer", lang="ja").lang == "en"
    # es has no carrier templates: the carrier gets English.
    assert render(incident, audience="carrier", lang="es").lang == "en"
    # A user's pt (no region) comes before the built-in pt-BR for pt-PT.
    _write(template_dir, "pt/customer/lost.j2", LOST.replace("{{ marker }}", "PT"))
    message = render(incident, audience="customer", lang="pt-PT", template_dirs=[template_dir])
    assert (message.lang, message.subject) == ("pt", "PT LX123456789CN")


def test_an_override_can_extend_the_builtin(template_dir: Path, samples: dict[str, Sample]) -> None:
    _write(
        template_dir,
        "en/customer/lost.j2",
        '{% extends "builtin/en/customer/lost.j2" %}'
        "{% block subject %}[Shop] {{ super() }}{% endblock %}",
    )
    message = render(
        samples["lost"].incident, audience="customer", lang="en", template_dirs=[template_dir]
    )
    assert message.subject == "[Shop] We are sorry: your parcel LX123456789CN is lost"
    assert "lost in transit" in message.body


def test_new_scenarios_and_kinds(template_dir: Path, samples: dict[str, Sample]) -> None:
    incident = samples["delivery_failure"].incident
    with pytest.raises(MessageError) as caught:
        render(incident, audience="warehouse", lang="en")
    assert caught.value.code.value == "no_template"
    assert "en/warehouse/delivery_failure.j2" in str(caught.value)
    _write(
        template_dir,
        "en/warehouse/delivery_failure.j2",
        '{% extends "en/_layout.j2" %}{% block subject %}Hold {{ tracking_number }}'
        "{% endblock %}{% block body %}Keep it.{% endblock %}",
    )
    added = render(incident, audience="warehouse", lang="de", template_dirs=[template_dir])
    assert (added.lang, added.subject) == ("en", "Hold LX123456789CN")


def test_bad_options(tmp_path: Path, samples: dict[str, Sample]) -> None:
    incident = samples["lost"].incident
    for kwargs, loc in [
        ({"audience": "courier"}, "audience"),
        ({"channel": "fax"}, "channel"),
        ({"moment": "party"}, "moment"),
        ({"template_dirs": [tmp_path / "missing"]}, "template_dirs"),
    ]:
        with pytest.raises(MessageError) as caught:
            render(incident, **{"audience": "customer", "lang": "en", **kwargs})  # type: ignore[arg-type]
        assert caught.value.loc == loc
        assert caught.value.code.value == "bad_message_option"


def test_sandbox_and_strictness(template_dir: Path, samples: dict[str, Sample]) -> None:
    incident = samples["lost"].incident
    _write(
        template_dir,
        "en/customer/lost.j2",
        '{% extends "en/_layout.j2" %}\n{% block subject %}x{% endblock %}\n'
        "{% block body %}{{ incident.__class__.__mro__ }}{% endblock %}\n",
    )
    with pytest.raises(MessageError) as caught:
        render(incident, audience="customer", lang="en", template_dirs=[template_dir])
    assert caught.value.code.value == "bad_template"
    _write(
        template_dir,
        "en/customer/lost.j2",
        '{% extends "en/_layout.j2" %}\n{% block subject %}x{% endblock %}\n'
        "{% block body %}\n{{ remedy.amounts.refund }}{% endblock %}\n",
    )
    with pytest.raises(MessageError) as caught:
        render(incident, audience="customer", lang="en", template_dirs=[template_dir])
    assert caught.value.loc.endswith("en/customer/lost.j2:4")
    assert "refund" in caught.value.msg
