"""The Jinja2 environments templates render in, and the order templates are found in.

Both environments are sandboxed (a template cannot reach Python internals) and
strict (a missing variable is an error, not an empty string); the HTML one escapes
every value.  Templates are found in the user's directories first, in the order
given, then among the built-in ones; ``builtin/...`` names a built-in template even
when a user directory overrides it, so an override can extend the original.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    Template,
    TemplateNotFound,
)
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

__all__ = [
    "BUILTIN_TEMPLATES",
    "Environments",
    "available_languages",
    "candidate_names",
    "environments",
    "find_template",
]

#: The directory of the built-in templates (package data).
BUILTIN_TEMPLATES: Final = Path(__file__).resolve().parent / "templates"

_BLANK_LINES: Final = re.compile(r"\n\s*\n")


def paragraphs(text: Any) -> Markup:
    """``text`` as HTML paragraphs: escaped (unless it is markup already), one ``<p>``
    per blank-line-separated block, line breaks as ``<br>``."""
    blocks = [b.strip() for b in _BLANK_LINES.split(str(escape(text)))]
    return Markup("\n").join(
        Markup("<p>{}</p>").format(Markup(b.replace("\n", "<br>\n"))) for b in blocks if b
    )


def _environment(loader: BaseLoader, *, html: bool) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=loader,
        undefined=StrictUndefined,
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["paragraphs"] = paragraphs
    return env


class Environments:
    """The text and HTML environments over one list of template directories."""

    def __init__(self, dirs: Sequence[Path]) -> None:
        self.dirs = (*dirs, BUILTIN_TEMPLATES)
        loader = ChoiceLoader(
            [
                PrefixLoader({"builtin": FileSystemLoader(BUILTIN_TEMPLATES)}),
                FileSystemLoader([str(d) for d in self.dirs]),
            ]
        )
        self.text = _environment(loader, html=False)
        self.html = _environment(loader, html=True)


@lru_cache(maxsize=16)
def environments(dirs: tuple[Path, ...]) -> Environments:
    """The environments over ``dirs`` (then the built-ins), cached: they hold the
    compiled templates, and Jinja2 recompiles a template whose file changed."""
    return Environments(dirs)


def available_languages(dirs: Sequence[Path]) -> frozenset[str]:
    """The languages some directory has templates for (its sub-directories)."""
    return frozenset(
        child.name
        for d in (*dirs, BUILTIN_TEMPLATES)
        if d.is_dir()
        for child in d.iterdir()
        if child.is_dir() and not child.name.startswith(("_", "."))
    )


def candidate_names(
    chain: Sequence[str], audience: str, scenario: str, channel: str
) -> Iterator[tuple[str, str]]:
    """``(language, template name)`` in lookup order: each language of the chain in
    turn, and in each the channel's own template before the one for every channel."""
    for lang in chain:
        yield lang, f"{lang}/{audience}/{scenario}.{channel}.j2"
        yield lang, f"{lang}/{audience}/{scenario}.j2"


def find_template(
    env: SandboxedEnvironment, chain: Sequence[str], audience: str, scenario: str, channel: str
) -> tuple[str, Template] | None:
    """The first template of ``candidate_names`` and its language, or None."""
    for lang, name in candidate_names(chain, audience, scenario, channel):
        try:
            return lang, env.get_template(name)
        except TemplateNotFound as exc:
            if exc.name != name:  # a template it needs is missing: its author's problem
                raise
    return None
