"""``check_templates``: render every template of a directory against sample incidents.

Each template is compiled (syntax errors and unknown filters, located ``file:line``)
and each scenario template is rendered, with ``StrictUndefined``, for every channel
it serves and every audience-appropriate sample incident, so a variable the context
does not have is found before a customer's message needs it.  The report also lists
the scenario × audience × language combinations that have no template of their own
language (they fall back, see docs/messages.md), and SMS texts longer than a segment.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Final

import attrs
from jinja2 import TemplateSyntaxError

from ..core._errors import ErrorCode
from ._environment import BUILTIN_TEMPLATES, environments
from ._errors import MessageError
from ._render import TemplateDir, render
from ._samples import Sample, sample_incidents
from ._scenarios import AUDIENCES, CHANNELS, KINDS, MOMENTS, SCENARIOS

__all__ = ["CheckReport", "Gap", "LongSms", "TemplateProblem", "check_templates"]

#: What a problem is: the template does not parse, names a filter or test Jinja2 does
#: not have, uses a variable the context lacks, is placed where no lookup finds it,
#: or fails otherwise while rendering (the sandbox refused something, 1/0...).
PROBLEM_KINDS: Final = ("syntax", "unknown_filter", "missing_variable", "misplaced", "error")


@attrs.frozen
class TemplateProblem:
    """One problem of one template, located: ``file:line: kind: msg``."""

    kind: str
    file: str
    line: int
    msg: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.kind}: {self.msg}"


@attrs.frozen
class Gap:
    """A scenario an audience is told about that has no template in ``lang``."""

    lang: str
    audience: str
    scenario: str

    def __str__(self) -> str:
        return f"{self.lang}/{self.audience}/{self.scenario}"


@attrs.frozen
class LongSms:
    """A template whose SMS text takes more than one segment for a sample."""

    template: str
    kind: str
    encoding: str
    units: int
    segments: int


@attrs.frozen
class CheckReport:
    """What ``check_templates`` found.  ``ok`` when no template has a problem (gaps
    and long SMS texts are reported, not failures)."""

    templates: int
    renders: int
    problems: tuple[TemplateProblem, ...]
    gaps: tuple[Gap, ...]
    long_sms: tuple[LongSms, ...]
    languages: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_templates(
    dirs: Sequence[TemplateDir] = (),
    *,
    langs: Iterable[str] | None = None,
    samples: Mapping[str, Sample] | None = None,
) -> CheckReport:
    """Check the templates in ``dirs`` (the built-in ones when empty).

    ``langs`` are the languages whose gaps are listed (default: the languages the
    directories have).  ``samples`` are the incidents rendered (default:
    ``sample_incidents()``, one of every kind of the default pack).
    """
    folders = [Path(d).expanduser().resolve() for d in dirs] or [BUILTIN_TEMPLATES]
    for folder in folders:
        if not folder.is_dir():
            raise MessageError(
                ErrorCode.BAD_MESSAGE_OPTION,
                f"template directory {str(folder)!r} does not exist or is not a directory",
                loc="dirs",
                input=str(folder),
            )
    samples = sample_incidents() if samples is None else samples
    problems: dict[tuple[str, int, str], TemplateProblem] = {}
    long_sms: list[LongSms] = []
    templates = renders = 0
    for folder in folders:
        user_dirs = () if folder == BUILTIN_TEMPLATES else (folder,)
        env = environments(user_dirs).text
        for path in sorted(folder.rglob("*.j2")):
            templates += 1
            name = path.relative_to(folder).as_posix()
            try:
                env.get_template(name)
            except TemplateSyntaxError as exc:
                _add(problems, _syntax_problem(exc, path))
                continue
            target = _scenario_of(name)
            if isinstance(target, TemplateProblem):
                _add(problems, attrs.evolve(target, file=str(path)))
                continue
            if target is None:
                continue  # a layout or a library: checked through the templates using it
            lang, audience, scenario, channels = target
            for kind, sample in samples.items():
                if scenario in KINDS and kind != scenario:
                    continue
                for channel in channels:
                    renders += 1
                    try:
                        message = render(
                            sample.incident,
                            audience=audience,
                            lang=lang,
                            channel=channel,
                            shipment=sample.shipment,
                            recipient=sample.recipient,
                            template_dirs=user_dirs,
                            moment=scenario if scenario in MOMENTS else None,
                        )
                    except MessageError as exc:
                        _add(problems, _render_problem(exc, path))
                        continue
                    if message.template_file != str(path):
                        break  # shadowed by a channel's own template: that one is checked
                    if message.segments is not None and message.segments > 1:
                        long_sms.append(
                            LongSms(
                                name,
                                kind,
                                message.encoding or "",
                                message.units or 0,
                                message.segments,
                            )
                        )
    languages = tuple(sorted(set(langs) if langs is not None else _languages(folders)))
    return CheckReport(
        templates=templates,
        renders=renders,
        problems=tuple(sorted(problems.values(), key=lambda p: (p.file, p.line, p.kind))),
        gaps=_gaps(languages, folders),
        long_sms=tuple(long_sms),
        languages=languages,
    )


def _add(found: dict[tuple[str, int, str], TemplateProblem], problem: TemplateProblem) -> None:
    found.setdefault((problem.file, problem.line, problem.msg), problem)


def _scenario_of(name: str) -> tuple[str, str, str, tuple[str, ...]] | TemplateProblem | None:
    """``(lang, audience, scenario, channels)`` of a scenario template's name, None for
    a helper (a name starting with ``_`` anywhere), or the problem with its place."""
    parts = name.split("/")
    if any(part.startswith("_") for part in parts):
        return None
    if parts[0] == "builtin":
        return TemplateProblem(
            "misplaced",
            name,
            0,
            "'builtin/' names the built-in templates; a directory of that name is never looked in",
        )
    if len(parts) != 3:
        return TemplateProblem(
            "misplaced",
            name,
            0,
            "a template lives at LANG/AUDIENCE/SCENARIO[.CHANNEL].j2 (helpers start with _)",
        )
    lang, audience, file = parts
    if audience not in AUDIENCES:
        return TemplateProblem(
            "misplaced",
            name,
            0,
            f"unknown audience {audience!r}; use one of {', '.join(AUDIENCES)}",
        )
    stem = file.removesuffix(".j2")
    scenario, _, channel = stem.partition(".")
    if channel and channel not in CHANNELS:
        return TemplateProblem(
            "misplaced",
            name,
            0,
            f"unknown channel {channel!r} in the name; use one of {', '.join(CHANNELS)}",
        )
    return lang, audience, scenario, (channel,) if channel else CHANNELS


def _syntax_problem(exc: TemplateSyntaxError, path: Path) -> TemplateProblem:
    kind = (
        "unknown_filter"
        if exc.message and exc.message.startswith(("No filter", "No test"))
        else "syntax"
    )
    file = exc.filename or str(path)
    return TemplateProblem(kind, file, exc.lineno or 0, exc.message or str(exc))


def _render_problem(exc: MessageError, path: Path) -> TemplateProblem:
    file, _, line = exc.loc.rpartition(":")
    if not file or not line.isdigit():
        file, line = str(path), "0"
    msg = exc.msg.removesuffix("; fix the template at this line")
    if "UndefinedError" in msg:
        kind = "missing_variable"
    elif "No filter named" in msg or "No test named" in msg:
        kind = "unknown_filter"
    elif "TemplateSyntaxError" in msg:
        kind = "syntax"
    else:
        kind = "error"
    return TemplateProblem(kind, file, int(line), msg)


def _languages(folders: Sequence[Path]) -> set[str]:
    return {
        child.name
        for folder in folders
        for child in folder.iterdir()
        if child.is_dir() and not child.name.startswith(("_", ".")) and child.name != "builtin"
    }


def _gaps(languages: Sequence[str], folders: Sequence[Path]) -> tuple[Gap, ...]:
    roots = [*folders, BUILTIN_TEMPLATES]
    gaps = []
    for lang in languages:
        for audience in AUDIENCES:
            for scenario in SCENARIOS[audience]:
                names = [f"{scenario}.j2", *(f"{scenario}.{c}.j2" for c in CHANNELS)]
                if not any((r / lang / audience / n).is_file() for r in roots for n in names):
                    gaps.append(Gap(lang, audience, scenario))
    return tuple(gaps)
