"""Reading a lexicon from YAML: ``load_lexicon``, ``loads_lexicon``, ``default_lexicon``.

The format (``format: 1``)::

    format: 1
    name: my-shop            # letters, digits, - and _
    version: "2026.3"        # text: which revision classified a message
    extends: default         # optional: the built-in lexicon, or a path to another
    settings: {threshold: 0.5, ...}
    languages:
      en: {markers: [...], negations: [...], breaks: [...], numbers: [...]}
      zh: {script: han, negations: [...], breaks: [...]}
    kinds:
      damaged:
        requires: [tracking_number, goods, description, photos]
        terms: {en: [damaged, "arrived broken", {term: dent*, weight: 0.6}]}
        negated: {pt: [chegou]}
    fields: {goods: {en: [...]}, photos: {...}, order_cues: {...}, tracking_cues: {...}}
    ignore: {zh: [能不能, 完好无损]}
    han_fold: {損: 损}       # traditional -> simplified, one character each

A lexicon that extends another adds to its lists and overrides its settings, its
``requires`` per kind and its ``han_fold`` entries.  Every problem is a located issue;
all of them are raised together as one ``LexiconError``.
"""

from __future__ import annotations

import importlib.resources
import os
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import attrs

from ..compiler._suggest import suggest
from ..compiler._yaml import KEY_MARK, Marks, load_marked
from ..core._errors import ErrorCode, PackIssue
from ._errors import LexiconError
from ._kinds import MissingField, ReportKind
from ._lexicon import (
    SETTING_BOUNDS,
    LanguageWords,
    Lexicon,
    Role,
    Settings,
    Term,
    Word,
    WordKind,
)
from ._text import fold_term, is_han, latin_tokens

__all__ = ["MAX_LEXICON_CHARS", "default_lexicon", "load_lexicon", "loads_lexicon"]

#: The largest lexicon file read (characters).
MAX_LEXICON_CHARS: Final = 2_000_000
#: The most terms one lexicon (with its bases) may hold.
MAX_TERMS: Final = 50_000
#: The longest term (characters).
MAX_TERM_CHARS: Final = 100
#: How many lexicons deep ``extends`` may go.
MAX_EXTENDS_DEPTH: Final = 8

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
_BUILTIN: Final = "default"
_BUILTIN_FILE: Final = "<builtin>/lexicon.yaml"

Path_ = tuple[str | int, ...]


@attrs.frozen
class _Raw:
    """A term as written, with where it was written."""

    text: str
    language: str
    role: Role
    kind: ReportKind | None
    weight: float
    at: Path_
    doc: _Doc


@attrs.define
class _Doc:
    file: str
    marks: Marks
    base_dir: Path | None


@attrs.define
class _Draft:
    """What the documents read so far say, base first."""

    issues: list[PackIssue] = attrs.Factory(list)
    name: str = ""
    version: str = ""
    settings: dict[str, float | int] = attrs.Factory(dict)
    scripts: dict[str, str] = attrs.Factory(dict)
    words: dict[tuple[str, str], list[tuple[str, Path_, _Doc]]] = attrs.Factory(dict)
    terms: list[_Raw] = attrs.Factory(list)
    requires: dict[ReportKind, tuple[MissingField, ...]] = attrs.Factory(dict)
    han_fold: dict[str, str] = attrs.Factory(dict)
    files: list[str] = attrs.Factory(list)

    def issue(
        self, doc: _Doc, at: Path_, msg: str, hint: str, value: Any = None, *, key: bool = False
    ) -> None:
        line, column = _mark(doc.marks, at, key=key)
        shown = value if isinstance(value, str | int | float | bool) else None
        if isinstance(shown, str) and len(shown) > 80:
            shown = shown[:77] + "..."
        self.issues.append(
            PackIssue(
                ErrorCode.BAD_LEXICON,
                msg,
                file=doc.file,
                line=line,
                column=column,
                loc=at,
                input=shown,
                hint=hint,
            )
        )


def _mark(marks: Marks, at: Path_, *, key: bool = False) -> tuple[int, int]:
    if key and (*at, KEY_MARK) in marks:
        return marks[(*at, KEY_MARK)]
    path = at
    while path:
        if path in marks:
            return marks[path]
        path = path[:-1]
    return marks.get((), (0, 0))


# ------------------------------------------------------------------------- reading


def _builtin_text() -> str:
    resource = importlib.resources.files("logix_rules").joinpath("intake", "lexicon.yaml")
    return resource.read_text("utf-8")


@cache
def _builtin_document() -> tuple[Any, Marks, list[PackIssue]]:
    """The built-in lexicon parsed once (YAML parsing is most of a load's time, and
    every lexicon that extends the default reads it)."""
    return load_marked(_builtin_text(), _BUILTIN_FILE)


def _read(draft: _Draft, text: str, doc: _Doc, extends: str | None, chain: tuple[str, ...]) -> None:
    """Read one document (its bases first) into ``draft``."""
    if len(text) > MAX_LEXICON_CHARS:
        draft.issue(
            doc,
            (),
            f"the lexicon has {len(text):,} characters, more than {MAX_LEXICON_CHARS:,}",
            "Split it, or keep only the terms you need on top of the default lexicon.",
        )
        return
    if doc.file == _BUILTIN_FILE and text == _builtin_text():
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


def _read_base(draft: _Draft, base: Any, doc: _Doc, chain: tuple[str, ...]) -> None:
    if not isinstance(base, str) or not base:
        draft.issue(doc, ("extends",), "extends names a lexicon", "Write extends: default.", base)
        return
    if base == _BUILTIN:
        identity, file, text, base_dir = _BUILTIN, _BUILTIN_FILE, None, None
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
        text = _builtin_text() if identity == _BUILTIN else Path(file).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        draft.issue(
            doc,
            ("extends",),
            f"cannot read the lexicon {base!r} to extend: {exc.__class__.__name__}",
            "Extend the built-in lexicon (default) or give a path relative to this file.",
            base,
        )
        return
    _read(draft, text, _Doc(file, {}, base_dir), None, (*chain, identity))


def _mapping(draft: _Draft, doc: _Doc, value: Any, at: Path_, what: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    draft.issue(doc, at, f"{what} must be a mapping, not {type(value).__name__}", "", value)
    return {}


def _strings(draft: _Draft, doc: _Doc, value: Any, at: Path_) -> list[tuple[str, Path_]]:
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


def _read_settings(draft: _Draft, doc: _Doc, value: Any) -> None:
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


def _read_languages(draft: _Draft, doc: _Doc, value: Any) -> None:
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


def _term_lists(draft: _Draft, doc: _Doc, value: Any, at: Path_) -> list[tuple[str, Any, Path_]]:
    """``{lang: [terms]}`` as (language, entry, where) triples."""
    out: list[tuple[str, Any, Path_]] = []
    for language, items in _mapping(draft, doc, value, at, ".".join(map(str, at))).items():
        if not isinstance(items, list):
            draft.issue(doc, (*at, language), "expected a list of terms", "Write [a, b].", items)
            continue
        out.extend((language, item, (*at, language, i)) for i, item in enumerate(items))
    return out


def _read_lists(
    draft: _Draft, doc: _Doc, value: Any, at: Path_, role: Role, kind: ReportKind | None
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
        draft.terms.append(_Raw(text.strip(), language, role, kind, float(weight), where, doc))


def _read_kinds(draft: _Draft, doc: _Doc, value: Any) -> None:
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


def _read_fields(draft: _Draft, doc: _Doc, value: Any) -> None:
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


def _read_han_fold(draft: _Draft, doc: _Doc, value: Any) -> None:
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


# ----------------------------------------------------------------------- compiling


def _split_anchor(folded: str) -> tuple[str, str]:
    """``folded`` without a trailing ``$`` or ``?``, and that anchor ('' if none)."""
    body = folded.rstrip()
    if len(body) > 1 and body[-1] in "$?":
        return body[:-1].rstrip(), body[-1]
    return body, ""


def _phrase(text: str, folded: str) -> tuple[tuple[Word, ...], str, str]:
    """The words of a phrase, its anchor, and a problem ('' if none)."""
    body, anchor = _split_anchor(folded)
    words: list[Word] = []
    for piece in body.split():
        if piece == "#":
            words.append(Word("", WordKind.NUMBER))
            continue
        if piece in ("..", "..."):
            words.append(Word("", WordKind.GAP if piece == ".." else WordKind.SENTENCE_GAP))
            continue
        prefix = piece.endswith("*")
        tokens = latin_tokens(piece.rstrip("*"))
        if not tokens or (prefix and "*" in piece.rstrip("*")):
            return (), "", f"{piece!r} is not a word"
        for index, token in enumerate(tokens):
            is_stem = prefix and index == len(tokens) - 1
            if is_stem and len(token.text) < 3:
                return (), "", f"the stem {token.text!r}* is shorter than 3 letters"
            words.append(Word(token.text, WordKind.PREFIX if is_stem else WordKind.EXACT))
    gaps = (WordKind.GAP, WordKind.SENTENCE_GAP)
    if not words or all(w.kind in gaps for w in words):
        return (), "", f"{text!r} has no word to match"
    if words[0].kind in gaps or words[-1].kind in gaps:
        return (), "", "'..' goes between two words ('...' too)"
    return tuple(words), anchor, ""


def _compile_term(draft: _Draft, raw: _Raw, han: Mapping[str, str]) -> Term | None:
    folded = fold_term(raw.text, han)
    if any(is_han(c) for c in folded) or not latin_tokens(folded.replace("#", "")):
        body, anchor = _split_anchor(folded)
        chars = "".join(body.split())
        if not chars.replace("#", ""):
            draft.issue(raw.doc, raw.at, f"{raw.text!r} has nothing to match", "", raw.text)
            return None
        return Term(
            raw.text, raw.language, raw.role, raw.kind, raw.weight, chars=chars, anchor=anchor
        )
    words, anchor, problem = _phrase(raw.text, folded)
    if problem:
        draft.issue(
            raw.doc,
            raw.at,
            problem,
            "A term is words, 'stem*', '#' (a number), '..' or '...' (a gap), and '$' or '?' "
            "at the end.",
            raw.text,
        )
        return None
    return Term(raw.text, raw.language, raw.role, raw.kind, raw.weight, words=words, anchor=anchor)


def _compile(draft: _Draft) -> Lexicon:
    han = MappingProxyType(dict(draft.han_fold))
    declared = set(draft.scripts)
    terms: list[Term] = []
    seen: set[tuple[str, str, Role, ReportKind | None]] = set()
    for raw in draft.terms:
        if raw.language not in declared:
            draft.issue(
                raw.doc,
                raw.at,
                f"language {raw.language!r} is not declared under 'languages'"
                + suggest(raw.language, sorted(declared)),
                "Declare it (languages: {xx: {markers: [...], negations: [...]}}).",
                raw.language,
            )
            continue
        term = _compile_term(draft, raw, han)
        if term is None:
            continue
        key = (term.language, raw.text.casefold(), term.role, term.kind)
        if key not in seen:
            seen.add(key)
            terms.append(term)
    if len(terms) > MAX_TERMS:
        draft.issues.append(
            PackIssue(
                ErrorCode.BAD_LEXICON,
                f"{len(terms):,} terms, more than {MAX_TERMS:,}",
                file=draft.files[-1] if draft.files else "<lexicon>",
                hint="Keep the terms that matter.",
            )
        )

    def words(language: str, field: str) -> frozenset[str]:
        return frozenset(
            fold_term(word, han).strip() for word, _, _ in draft.words.get((language, field), [])
        )

    languages = {
        language: LanguageWords(
            script=script,
            markers=words(language, "markers"),
            negations=words(language, "negations"),
            breaks=words(language, "breaks"),
            numbers=words(language, "numbers"),
        )
        for language, script in draft.scripts.items()
    }
    if draft.issues:
        raise LexiconError(draft.issues)
    return Lexicon(
        name=draft.name,
        version=draft.version,
        settings=Settings(**draft.settings),  # type: ignore[arg-type]
        languages=MappingProxyType(languages),
        terms=tuple(terms),
        requires=MappingProxyType(
            {kind: draft.requires.get(kind, (MissingField.TRACKING_NUMBER,)) for kind in ReportKind}
        ),
        han_fold=han,
        files=tuple(draft.files),
    )


# ----------------------------------------------------------------------- the API


def loads_lexicon(text: str, *, file: str = "<lexicon>", extends: str | None = None) -> Lexicon:
    """A lexicon from YAML text.  ``extends`` names its base when the text does not
    (``"default"`` or a path).  Raises ``LexiconError`` listing every problem."""
    draft = _Draft()
    _read(draft, text, _Doc(file, {}, None), extends, ())
    if not draft.issues and not draft.files:
        draft.issues.append(PackIssue(ErrorCode.BAD_LEXICON, "the lexicon is empty", file=file))
    return _compile(draft)


def load_lexicon(path: str | os.PathLike[str], *, extends: str | None = None) -> Lexicon:
    """A lexicon from a YAML file, or the built-in one by its name ``"default"``.

    ``load_lexicon("shop.yaml", extends="default")`` adds the file's terms to the
    default lexicon (the file may say ``extends: default`` itself instead).  Raises
    ``LexiconError`` listing every problem, each located in its file.
    """
    if str(path) == _BUILTIN and extends is None:
        return default_lexicon()
    file = Path(path)
    try:
        text = file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(
            [
                PackIssue(
                    ErrorCode.BAD_LEXICON,
                    f"cannot read the lexicon file: {exc.__class__.__name__}: {exc}",
                    file=str(path),
                    hint="Check the path, or use the built-in lexicon: 'default'.",
                )
            ]
        ) from None
    draft = _Draft()
    _read(draft, text, _Doc(str(path), {}, file.parent), extends, (str(file.resolve()),))
    return _compile(draft)


@cache
def default_lexicon() -> Lexicon:
    """The built-in lexicon (``src/logix_rules/intake/lexicon.yaml``), loaded once."""
    return loads_lexicon(_builtin_text(), file=_BUILTIN_FILE)
