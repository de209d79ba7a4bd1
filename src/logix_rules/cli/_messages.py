"""``logix message`` (an incident of a store as a message) and ``logix templates check``.

Both need the ``messages`` extra (Jinja2, Babel); ``logix_rules.messages`` is imported
when one of them runs, so that the other commands work without it.
"""

from __future__ import annotations

import argparse
import json
from typing import IO, Any

from ..core._errors import UnknownIncident
from ..runtime._engine import Engine
from ._common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, UsageError
from ._store import _opened, _pack, _pack_option, _store_option

__all__ = ["add_parsers", "cmd_message", "cmd_templates_check"]

_AUDIENCES = ("customer", "carrier", "warehouse", "internal")
_CHANNELS = ("email", "sms", "html")
_MOMENTS = ("acknowledgement", "solution_offered", "revisit", "claim_filed")


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``message`` and ``templates``."""
    message = sub.add_parser(
        "message",
        help="render an incident of a store as a message (e-mail, SMS or HTML)",
        description="Fill the template for the incident's kind (or a follow-up moment) "
        "for one audience, in one language, with the incident's facts. The customer sees "
        "their own data; every other audience sees personal data masked.",
    )
    message.add_argument("incident_id", metavar="INCIDENT_ID", help="the incident id (inc_...)")
    _store_option(message)
    _pack_option(message)
    message.add_argument("--audience", choices=_AUDIENCES, default="customer")
    message.add_argument("--lang", default="en", metavar="TAG", help="e.g. en, zh, pt-BR, de")
    message.add_argument("--channel", choices=_CHANNELS, default="email")
    message.add_argument(
        "--moment", choices=_MOMENTS, help="a follow-up template instead of the kind's"
    )
    message.add_argument(
        "--tz", metavar="ZONE", help="the recipient's IANA zone (default: from the shipment)"
    )
    message.add_argument(
        "--templates",
        action="append",
        default=[],
        metavar="DIR",
        help="a template directory looked in before the built-ins (repeatable, in order)",
    )
    for field in ("name", "phone", "email", "address"):
        message.add_argument(
            f"--recipient-{field}",
            metavar=field.upper(),
            help=f"the customer's {field}: shown to the customer, masked for the others",
        )
    message.add_argument("--format", choices=("text", "json"), default="text")
    message.set_defaults(handler=cmd_message)

    templates = sub.add_parser("templates", help="work with message templates")
    actions = templates.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="render every template against sample incidents and report problems",
        description="Compile every template of DIR (the built-in ones without DIR), render "
        "each against a sample incident of every kind with StrictUndefined, and report "
        "syntax errors, unknown filters and missing variables (file:line), SMS texts longer "
        "than one segment, and the scenario x audience x language combinations that have "
        "no template. Exit status 1 when a template has a problem.",
    )
    check.add_argument("dirs", nargs="*", metavar="DIR", help="template directories")
    check.add_argument(
        "--lang",
        action="append",
        metavar="TAG",
        help="list the gaps of this language (repeatable; default: the directories' languages)",
    )
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.set_defaults(handler=cmd_templates_check)


def cmd_message(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """``logix message INCIDENT_ID --store URL``."""
    try:
        from ..messages import MessageError, render
    except ImportError as exc:  # the messages extra is not installed
        raise UsageError(str(exc)) from None
    pack = _pack(args.pack, "message", err)
    if pack is None:
        return EXIT_USAGE
    with _opened(args.store) as store:
        engine = Engine(pack, store=store)
        try:
            incident = engine.incident(args.incident_id)
        except UnknownIncident as exc:
            raise UsageError(f"{exc}; `logix incidents --store URL` lists the open ones") from None
        try:
            shipment = engine.shipment_state(incident.tracking_number).shipment
        except KeyError:
            shipment = None
    try:
        message = render(
            incident,
            audience=args.audience,
            lang=args.lang,
            channel=args.channel,
            tz=args.tz,
            shipment=shipment,
            template_dirs=args.templates,
            moment=args.moment,
            recipient={
                field: getattr(args, f"recipient_{field}")
                for field in ("name", "phone", "email", "address")
            },
        )
    except MessageError as exc:
        raise UsageError(str(exc)) from None
    if args.format == "json":
        out.write(json.dumps(message.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    if message.channel == "sms":
        out.write(message.body + "\n")
        plural = "s" if message.segments != 1 else ""
        err.write(
            f"logix message: {message.segments} SMS segment{plural} ({message.encoding}, "
            f"{message.units} units); template {message.template}\n"
        )
    else:
        out.write(f"Subject: {message.subject}\n\n{message.body}")
        err.write(f"logix message: template {message.template}, {message.locale}, {message.tz}\n")
    return EXIT_OK


def cmd_templates_check(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """``logix templates check [DIR ...]``."""
    try:
        from ..messages import MessageError, check_templates
    except ImportError as exc:  # the messages extra is not installed
        raise UsageError(str(exc)) from None
    try:
        report = check_templates(args.dirs, langs=args.lang)
    except MessageError as exc:
        raise UsageError(str(exc)) from None
    if args.format == "json":
        out.write(json.dumps(_report_json(report), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(_report_text(report))
    return EXIT_OK if report.ok else EXIT_PROBLEMS


def _report_json(report: Any) -> dict[str, Any]:
    return {
        "ok": report.ok,
        "templates": report.templates,
        "renders": report.renders,
        "problems": [
            {"kind": p.kind, "file": p.file, "line": p.line, "msg": p.msg} for p in report.problems
        ],
        "long_sms": [
            {
                "template": s.template,
                "kind": s.kind,
                "encoding": s.encoding,
                "units": s.units,
                "segments": s.segments,
            }
            for s in report.long_sms
        ],
        "languages": list(report.languages),
        "gaps": [
            {"lang": g.lang, "audience": g.audience, "scenario": g.scenario} for g in report.gaps
        ],
    }


def _report_text(report: Any) -> str:
    count = len(report.problems)
    lines = [
        f"{report.templates} templates, {report.renders} renders: "
        f"{count} problem{'s' if count != 1 else ''}"
    ]
    lines += [f"  {p}" for p in report.problems]
    if report.long_sms:
        lines.append("SMS texts longer than one segment:")
        lines += [
            f"  {s.template} ({s.kind}): {s.segments} segments, {s.encoding}, {s.units} units"
            for s in report.long_sms
        ]
    groups: dict[tuple[str, str], list[str]] = {}
    for gap in report.gaps:
        groups.setdefault((gap.lang, gap.audience), []).append(gap.scenario)
    if groups:
        lines.append(
            f"No template of their own language ({len(report.gaps)}; they fall back, "
            "e.g. pt-BR -> pt -> en):"
        )
        lines += [
            f"  {lang}/{audience} ({len(names)}): {', '.join(names)}"
            for (lang, audience), names in groups.items()
        ]
    else:
        lines.append(f"Every scenario has a template in {', '.join(report.languages)}.")
    return "\n".join(lines) + "\n"
