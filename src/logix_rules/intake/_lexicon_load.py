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

import os
from functools import cache
from pathlib import Path

from ..core._errors import ErrorCode, PackIssue
from ._errors import LexiconError
from ._lexicon import Lexicon
from ._lexicon_compile import compile_draft
from ._lexicon_draft import MAX_LEXICON_CHARS, Document, Draft
from ._lexicon_read import BUILTIN, BUILTIN_FILE, builtin_text, read_document

__all__ = ["MAX_LEXICON_CHARS", "default_lexicon", "load_lexicon", "loads_lexicon"]


def loads_lexicon(text: str, *, file: str = "<lexicon>", extends: str | None = None) -> Lexicon:
    """A lexicon from YAML text.  ``extends`` names its base when the text does not
    (``"default"`` or a path).  Raises ``LexiconError`` listing every problem."""
    draft = Draft()
    read_document(draft, text, Document(file, {}, None), extends, ())
    if not draft.issues and not draft.files:
        draft.issues.append(PackIssue(ErrorCode.BAD_LEXICON, "the lexicon is empty", file=file))
    return compile_draft(draft)


def load_lexicon(path: str | os.PathLike[str], *, extends: str | None = None) -> Lexicon:
    """A lexicon from a YAML file, or the built-in one by its name ``"default"``.

    ``load_lexicon("shop.yaml", extends="default")`` adds the file's terms to the
    default lexicon (the file may say ``extends: default`` itself instead).  Raises
    ``LexiconError`` listing every problem, each located in its file.
    """
    if str(path) == BUILTIN and extends is None:
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
    draft = Draft()
    read_document(
        draft, text, Document(str(path), {}, file.parent), extends, (str(file.resolve()),)
    )
    return compile_draft(draft)


@cache
def default_lexicon() -> Lexicon:
    """The built-in lexicon (``src/logix_rules/intake/lexicon.yaml``), loaded once."""
    return loads_lexicon(builtin_text(), file=BUILTIN_FILE)
