"""``render``: one incident, one recipient, one channel → a ``Message``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import tzinfo
from os import PathLike
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
from jinja2 import Template, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from logix_carriers import Shipment
from logix_carriers._local_time import principal_zone

from ..core._errors import ErrorCode
from ..runtime._incidents import Incident
from ._context import build_context
from ._environment import available_languages, candidate_names, environments, find_template
from ._errors import MessageError
from ._languages import formatting_locale, language_chain, normal_tag
from ._scenarios import AUDIENCES, CHANNELS, MOMENTS, SCENARIOS
from ._sms import count_sms, fold_to_gsm

__all__ = ["Message", "render", "template_location"]

_MANY_BLANK_LINES: Final = re.compile(r"\n{3,}")
_TRAILING_SPACE: Final = re.compile(r"[ \t]+\n")

TemplateDir = str | PathLike[str]


@attrs.frozen
class Message:
    """A rendered message.

    ``lang`` is the language of the template used (after fallback), ``locale`` the one
    dates and amounts are written in, ``tz`` the zone of its times; ``template`` names
    the template (``pt-BR/customer/lost.j2``) and ``template_file`` where it was read.
    An SMS also says its ``encoding`` (``GSM-7`` or ``UCS-2``), its length in that
    encoding's units and how many ``segments`` it takes; these are None otherwise.
    """

    subject: str
    body: str
    lang: str
    audience: str
    channel: str
    scenario: str
    template: str
    template_file: str
    locale: str
    tz: str
    incident_id: str
    encoding: str | None = None
    units: int | None = None
    segments: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The message as JSON-ready data."""
        return attrs.asdict(self)


def render(
    incident: Incident,
    *,
    audience: str,
    lang: str,
    channel: str = "email",
    tz: str | tzinfo | None = None,
    shipment: Shipment | Mapping[str, Any] | None = None,
    template_dirs: Sequence[TemplateDir] = (),
    moment: str | None = None,
    recipient: Mapping[str, str | None] | None = None,
) -> Message:
    """``incident`` as a message to ``audience`` in ``lang`` over ``channel``.

    ``moment`` picks a follow-up template (``acknowledgement``, ``solution_offered``,
    ``revisit``, ``claim_filed``) instead of the incident kind's.  ``tz`` is the
    recipient's zone (default: the destination country's for the customer, the
    origin's for the carrier and the warehouse, else UTC).  ``shipment`` adds the
    order's facts, ``recipient`` the customer's ``name``, ``phone``, ``email`` and
    ``address``: shown to the customer, masked for everyone else.  Templates are
    looked up in ``template_dirs`` first, then among the built-ins (docs/messages.md).
    """
    _check_choice("audience", audience, AUDIENCES)
    if shipment is not None and not isinstance(shipment, Shipment):
        shipment = Shipment.parse(shipment)
    _check_choice("channel", channel, CHANNELS)
    if moment is not None:
        _check_choice("moment", moment, MOMENTS)
    asked = normal_tag(lang)
    dirs = tuple(_directory(d) for d in template_dirs)
    envs = environments(dirs)
    scenario = moment or incident.kind
    chain = language_chain(asked, available_languages(dirs))
    env = envs.html if channel == "html" else envs.text
    found_lang, found = _find(env, chain, audience, scenario, channel)
    # The subject is text in every channel; the same name finds the same file.
    subject_template = envs.text.get_template(str(found.name)) if channel == "html" else found
    locale = formatting_locale(asked, found_lang)
    zone = _zone(tz, audience, shipment)
    context = build_context(
        incident,
        audience=audience,
        scenario=scenario,
        lang=found_lang,
        channel=channel,
        zone=zone,
        locale=locale,
        shipment=shipment,
        recipient=recipient or {},
    )
    subject = " ".join(_fill(subject_template, context, "subject").split())
    body = _fill(found, context, channel)
    sms = None
    if channel == "sms":
        body = fold_to_gsm(" ".join(body.split()))
        sms = count_sms(body)
    else:
        body = _MANY_BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("\n", body)).strip() + "\n"
    return Message(
        subject=subject,
        body=body,
        lang=found_lang,
        audience=audience,
        channel=channel,
        scenario=scenario,
        template=str(found.name),
        template_file=str(found.filename),
        locale=str(locale),
        tz=str(zone),
        incident_id=incident.id,
        encoding=None if sms is None else sms.encoding,
        units=None if sms is None else sms.units,
        segments=None if sms is None else sms.segments,
    )


def _check_choice(option: str, value: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise MessageError(
            ErrorCode.BAD_MESSAGE_OPTION,
            f"unknown {option} {value!r}; use one of {', '.join(allowed)}",
            loc=option,
            input=value,
        )


def _directory(path: TemplateDir) -> Path:
    folder = Path(path).expanduser().resolve()
    if not folder.is_dir():
        raise MessageError(
            ErrorCode.BAD_MESSAGE_OPTION,
            f"template directory {str(path)!r} does not exist or is not a directory",
            loc="template_dirs",
            input=str(path),
        )
    return folder


def _zone(tz: str | tzinfo | None, audience: str, shipment: Shipment | None) -> tzinfo:
    if isinstance(tz, tzinfo):
        return tz
    if tz is None:
        country = None
        if shipment is not None:
            country = (
                shipment.destination_country if audience == "customer" else shipment.origin_country
            )
        tz = principal_zone(country) if audience != "internal" else None
        if tz is None:
            return ZoneInfo("UTC")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise MessageError(
            ErrorCode.BAD_MESSAGE_OPTION,
            f"{tz!r} is not an IANA time zone; write e.g. America/Sao_Paulo or Asia/Shanghai",
            loc="tz",
            input=tz,
        ) from None


def _find(
    env: SandboxedEnvironment, chain: Sequence[str], audience: str, scenario: str, channel: str
) -> tuple[str, Template]:
    try:
        found = find_template(env, chain, audience, scenario, channel)
    except TemplateError as exc:
        raise _template_error(exc) from None
    if found is None:
        tried = [name for _, name in candidate_names(chain, audience, scenario, channel)]
        hint = (
            ""
            if scenario in SCENARIOS.get(audience, ())
            else f"; the built-in templates do not tell the {audience} about {scenario!r}"
        )
        raise MessageError(
            ErrorCode.NO_TEMPLATE,
            f"no template for {audience}/{scenario} in {', '.join(chain)} (tried "
            f"{', '.join(tried)}){hint}; add one to a template directory",
            loc=f"{audience}/{scenario}",
            input=scenario,
        )
    return found


def _fill(template: Template, context: Mapping[str, Any], part: str) -> str:
    try:
        return template.render({**context, "part": part})
    except Exception as exc:  # a template's own mistake (1/0 too) is the template's error
        raise _template_error(exc, template) from None


def template_location(exc: BaseException, template: Template | None = None) -> str:
    """``file:line`` of the template line that raised ``exc`` (Jinja2 rewrites its
    tracebacks so that template lines appear as frames of the template's file)."""
    if isinstance(exc, TemplateSyntaxError):
        return f"{exc.filename or exc.name or '<template>'}:{exc.lineno}"
    where = ""
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.endswith(".py") and not filename.startswith("<"):
            where = f"{filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    if not where and template is not None:
        where = str(template.filename or template.name)
    return where


def _template_error(exc: Exception, template: Template | None = None) -> MessageError:
    message = exc.message if isinstance(exc, TemplateSyntaxError) else str(exc)
    return MessageError(
        ErrorCode.BAD_TEMPLATE,
        f"{type(exc).__name__}: {message}; fix the template at this line",
        loc=template_location(exc, template),
        input=None if template is None else template.name,
    )
