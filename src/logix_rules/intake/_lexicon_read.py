"""Reading lexicon YAML documents (and the bases they extend) into a ``Draft``.

Each section (settings, languages, kinds, fields, ignore, han_fold) is checked as it
is read; a problem is a located issue on the draft, never an exception.
"""

from __future__ import annotations

import importlib.resources
import re
from functools import cache
from pathlib import Path
from typing import Any, Final

from ..compiler._suggest import suggest
from ..compiler._yaml import Marks, load_marked
from ..core._errors import PackIssue
from ._kinds import MissingField, ReportKind
from ._lexicon import SETTING_BOUNDS, Role
from ._lexicon_draft import (
    MAX_EXTENDS_DEPTH,
    MAX_LEXICON_CHARS,
    MAX_TERM_CHARS,
    Document,
    Draft,
    Path_,
    RawTerm,
)

__all__ = ["BUILTIN", "BUILTIN_FILE", "builtin_text", "read_document"]

_TOP_KEYS: Final = (
    "format",
    "name",
    "version",
    "description",
    "extends",
    "settings",
    "languages",
    "kinds",
    "fields",
    "ignore",
    "han_fold",
)
_LANGUAGE_KEYS: Final = ("script", "markers", "negations", "breaks", "numbers")
_KIND_KEYS: Final = ("requires", "terms", "negated")
_FIELD_ROLES: Final = {
    "goods": Role.GOODS,
    "photos": Role.PHOTOS,
    "order_cues": Role.ORDER_CUE,
    "tracking_cues": Role.TRACKING_CUE,
    "ordered_cues": Role.ORDERED,
    "received_cues": Role.RECEIVED,
    "size_cues": Role.SIZE_CUE,
    "measure_words": Role.MEASURE,
}
_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_LANGUAGE: Final = re.compile(r"[a-z]{2,3}")
BUILTIN: Final = "default"
BUILTIN_FILE: Final = "<builtin>/lexicon.yaml"


def builtin_text() -> str:
    resource = importlib.resources.files("logix_rules").joinpath("intake", "lexicon.yaml")
    return resource.read_text("utf-8")


@cache
def _builtin_document() -> tuple[Any, Marks, list[PackIssue]]:
    """The built-in lexicon parsed once (YAML parsing is most of a load's time, and
    every lexicon that extends the default reads it)."""
    return load_marked(builtin_text(), BUILTIN_FILE)


def read_document(
    draft: Draft, text: str, doc: Document, extends: str | None, chain: tuple[str, ...]
) -> None:
    """Read one document (its bases first) into ``draft``."""
    if len(text) > MAX_LEXICON_CHARS:
        draft.issue(
            doc,
            (),
            f"the lexicon has {len(text):,} characters, more than {MAX_LEXICON_CHARS:,}",
            "Split it, or keep only the terms you need on top of the default lexicon.",
        )
        return
    if doc.file == BUILTIN_FILE and text == builtin_text():
        data, marks, problems = _builtin_document()
    else:
        data, marks, problems = load_marked(text, doc.file)
    doc.marks = marks
    if problems:
        draft.issues.extend(problems)
        return
    if not isinstance(data, dict):
        draft.issue(doc, (), "a lexicon is a mapping (format, name, version, kinds...)", "")
        return
    for key in data:
        if key not in _TOP_KEYS:
            draft.issue(
                doc,
                (key,),
                f"unknown key {key!r}{suggest(key, _TOP_KEYS)}",
                f"The keys are {', '.join(_TOP_KEYS)}.",
                key,
                key=True,
            )
    if data.get("format") != 1:
        draft.issue(
            doc,
            ("format",),
            f"format must be 1, not {data.get('format')!r}",
            "Start the file with 'format: 1'.",
            data.get("format"),
        )
    base = data.get("extends", extends)
    if "extends" in data and extends is not None and data["extends"] != extends:
        draft.issue(
            doc,
            ("extends",),
            f"the file extends {data['extends']!r} but extends={extends!r} was given",
            "Name the base in one place.",
            data["extends"],
        )
    if base is not None:
        _read_base(draft, base, doc, chain)
    draft.files.append(doc.file)
    for key in ("name", "version"):
        value = data.get(key)
        if isinstance(value, str) and _NAME.fullmatch(value):
            setattr(draft, key, value)
        else:
            draft.issue(
                doc,
                (key,),
                f"{key} must be text of letters, digits, '.', '-' and '_' (got {value!r})",
                f"Write e.g. {key}: {'my-shop' if key == 'name' else '2026.3'!r} (quoted).",
                value,
            )
    _read_settings(draft, doc, data.get("settings", {}))
    _read_languages(draft, doc, data.get("languages", {}))
    _read_kinds(draft, doc, data.get("kinds", {}))
    _read_fields(draft, doc, data.get("fields", {}))
    _read_lists(draft, doc, data.get("ignore", {}), ("ignore",), Role.IGNORE, None)
    _read_han_fold(draft, doc, data.get("han_fold", {}))


def _read_base(draft: Draft, base: Any, doc: Document, chain: tuple[str, ...]) -> None:
    if not isinstance(base, str) or not base:
        draft.issue(doc, ("extends",), "extends names a lexicon", "Write extends: default.", base)
        return
    if base == BUILTIN:
        identity, file, text, base_dir = BUILTIN, BUILTIN_FILE, None, None
    else:
        path = Path(base)
        if not path.is_absolute() and doc.base_dir is not None:
            path = doc.base_dir / path
        identity, file, base_dir = str(path.resolve()), str(path), path.parent
        text = None
    if identity in chain or len(chain) >= MAX_EXTENDS_DEPTH:
        draft.issue(
            doc,
            ("extends",),
            f"extends goes round in a circle or deeper than {MAX_EXTENDS_DEPTH}: "
            + " -> ".join([*chain, identity]),
            "Let one lexicon extend the other, not both.",
            base,
        )
        return
    try:
        text = builtin_text() if identity == BUILTIN else Path(file).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        draft.issue(
            doc,
            ("extends",),
            f"cannot read the lexicon {base!r} to extend: {exc.__class__.__name__}",
            "Extend the built-in lexicon (default) or give a path relative to this file.",
            base,
        )
        return
    read_document(draft, text, Document(file, {}, base_dir), None, (*chain, identity))


def _mapping(draft: Draft, doc: Document, value: Any, at: Path_, what: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    draft.issue(doc, at, f"{what} must be a mapping, not {type(value).__name__}", "", value)
    return {}


def _strings(draft: Draft, doc: Document, value: Any, at: Path_) -> list[tuple[str, Path_]]:
    if not isinstance(value, list):
        draft.issue(doc, at, f"expected a list, not {type(value).__name__}", "Write [a, b].", value)
        return []
    out = []
    for index, item in enumerate(value):
        if isinstance(item, str) and item.strip():
            out.append((item, (*at, index)))
        else:
            hint = "Quote it."
            if isinstance(item, bool):
                hint += " YAML reads no, yes, on and off as true or false."
            draft.issue(doc, (*at, index), f"expected a word (text), not {item!r}", hint, item)
    return out


def _read_settings(draft: Draft, doc: Document, value: Any) -> None:
    for key, setting in _mapping(draft, doc, value, ("settings",), "settings").items():
        at = ("settings", key)
        if key not in SETTING_BOUNDS:
            draft.issue(
                doc,
                at,
                f"unknown setting {key!r}{suggest(key, SETTING_BOUNDS)}",
                f"The settings are {', '.join(SETTING_BOUNDS)}.",
                key,
                key=True,
            )
            continue
        kind, low, high = SETTING_BOUNDS[key]
        ok = isinstance(setting, int | float) and not isinstance(setting, bool)
        if ok and kind is int and not isinstance(setting, int):
            ok = False
        if not ok or not low <= setting <= high:
            draft.issue(
                doc,
                at,
                f"{key} must be {'an integer' if kind is int else 'a number'} "
                f"from {low:g} to {high:g}",
                "",
                setting,
            )
            continue
        draft.settings[key] = setting


def _read_languages(draft: Draft, doc: Document, value: Any) -> None:
    for language, entry in _mapping(draft, doc, value, ("languages",), "languages").items():
        at: Path_ = ("languages", language)
        if not _LANGUAGE.fullmatch(language):
            draft.issue(
                doc,
                at,
                f"{language!r} is not a language code",
                "Use two or three lower-case letters (ISO 639-1: en, pt, zh).",
                language,
                key=True,
            )
            continue
        fields = _mapping(draft, doc, entry, at, f"languages.{language}")
        for key, words in fields.items():
            if key not in _LANGUAGE_KEYS:
                draft.issue(
                    doc,
                    (*at, key),
                    f"unknown key {key!r}{suggest(key, _LANGUAGE_KEYS)}",
                    f"A language has {', '.join(_LANGUAGE_KEYS)}.",
                    key,
                    key=True,
                )
            elif key == "script":
                if words in ("latin", "han"):
                    draft.scripts[language] = words
                else:
                    draft.issue(doc, (*at, key), "script is latin or han", "", words)
            else:
                bucket = draft.words.setdefault((language, key), [])
                bucket.extend((w, p, doc) for w, p in _strings(draft, doc, words, (*at, key)))
        draft.scripts.setdefault(language, "latin")


def _term_lists(draft: Draft, doc: Document, value: Any, at: Path_) -> list[tuple[str, Any, Path_]]:
    """``{lang: [terms]}`` as (language, entry, where) triples."""
    out: list[tuple[str, Any, Path_]] = []
    for language, items in _mapping(draft, doc, value, at, ".".join(map(str, at))).items():
        if not isinstance(items, list):
            draft.issue(doc, (*at, language), "expected a list of terms", "Write [a, b].", items)
            continue
        out.extend((language, item, (*at, language, i)) for i, item in enumerate(items))
    return out


def _read_lists(
    draft: Draft, doc: Document, value: Any, at: Path_, role: Role, kind: ReportKind | None
) -> None:
    for language, item, where in _term_lists(draft, doc, value, at):
        text, weight = item, 1.0
        if isinstance(item, dict):
            unknown = set(item) - {"term", "weight"}
            if unknown:
                draft.issue(
                    doc,
                    where,
                    f"unknown key {sorted(unknown)[0]!r} in a term",
                    "A term is text, or {term: ..., weight: ...}.",
                    sorted(unknown)[0],
                )
            text, weight = item.get("term"), item.get("weight", 1.0)
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TERM_CHARS:
            hint = "Write the word or phrase, quoted if it has ':' or '#'."
            if isinstance(text, bool):
                hint += " YAML reads no, yes, on and off as true or false."
            draft.issue(
                doc, where, f"a term is text of 1 to {MAX_TERM_CHARS} characters", hint, text
            )
            continue
        if not isinstance(weight, int | float) or isinstance(weight, bool) or not 0 < weight <= 100:
            draft.issue(doc, (*where, "weight"), "weight must be a number above 0", "", weight)
            continue
        draft.terms.append(RawTerm(text.strip(), language, role, kind, float(weight), where, doc))


def _read_kinds(draft: Draft, doc: Document, value: Any) -> None:
    names = [k.value for k in ReportKind]
    for name, entry in _mapping(draft, doc, value, ("kinds",), "kinds").items():
        at: Path_ = ("kinds", name)
        if name not in names:
            draft.issue(
                doc,
                at,
                f"unknown report kind {name!r}{suggest(name, names)}",
                f"The kinds are {', '.join(names)}.",
                name,
                key=True,
            )
            continue
        kind = ReportKind(name)
        fields = _mapping(draft, doc, entry, at, f"kinds.{name}")
        for key in fields:
            if key not in _KIND_KEYS:
                draft.issue(
                    doc,
                    (*at, key),
                    f"unknown key {key!r}{suggest(key, _KIND_KEYS)}",
                    f"A kind has {', '.join(_KIND_KEYS)}.",
                    key,
                    key=True,
                )
        if kind is ReportKind.OTHER and ("terms" in fields or "negated" in fields):
            draft.issue(
                doc,
                at,
                "'other' has no terms: it is what a message is when no kind matches",
                "Put the terms under the kind they report.",
            )
            continue
        if "requires" in fields:
            required = []
            for field, where in _strings(draft, doc, fields["requires"], (*at, "requires")):
                try:
                    required.append(MissingField(field))
                except ValueError:
                    options = [f.value for f in MissingField]
                    draft.issue(
                        doc,
                        where,
                        f"unknown field {field!r}{suggest(field, options)}",
                        f"The fields are {', '.join(options)}.",
                        field,
                    )
            draft.requires[kind] = tuple(f for f in MissingField if f in required)
        _read_lists(draft, doc, fields.get("terms", {}), (*at, "terms"), Role.COMPLAINT, kind)
        _read_lists(draft, doc, fields.get("negated", {}), (*at, "negated"), Role.NEGATED, kind)


def _read_fields(draft: Draft, doc: Document, value: Any) -> None:
    for name, entry in _mapping(draft, doc, value, ("fields",), "fields").items():
        if name not in _FIELD_ROLES:
            draft.issue(
                doc,
                ("fields", name),
                f"unknown field list {name!r}{suggest(name, _FIELD_ROLES)}",
                f"The lists are {', '.join(_FIELD_ROLES)}.",
                name,
                key=True,
            )
            continue
        _read_lists(draft, doc, entry, ("fields", name), _FIELD_ROLES[name], None)


def _read_han_fold(draft: Draft, doc: Document, value: Any) -> None:
    for source, target in _mapping(draft, doc, value, ("han_fold",), "han_fold").items():
        ok = isinstance(target, str) and len(source) == 1 and len(target) == 1
        if not ok:
            draft.issue(
                doc,
                ("han_fold", source),
                "han_fold maps one character to one character",
                "Write e.g. 損: 损.",
                source,
            )
            continue
        draft.han_fold[source] = target
