"""Masking personal data in values and free text (POLICY §4): names, phones, e-mails
and street addresses.

The masks keep enough to tell records apart: ``138****5678``, ``a***@example.com``,
``J*** S***``, ``**** E*** Ave``.  Every mask is idempotent, so masked text can be
masked again (a masked dump loaded and dumped once more) without changing.

Free text is searched for phones, e-mails and street addresses; names are found only
after a cue (``signed by``, ``left for``, ``收件人：``), in labelled fields of raw
payloads (``"recipient_name": "..."``) and as the names the caller already knows.
Tracking numbers, order ids, amounts, timestamps and ISO dates are left alone: a bare
digit run counts as a phone only in a phone's shape (``+`` and a country code, a
Chinese mobile of exactly 11 digits, ``512-555-0199``) or after a word such as ``tel``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from typing import Final

from ._privacy_fields import field_kind, word_set

__all__ = [
    "mask_address",
    "mask_email",
    "mask_name",
    "mask_phone",
    "mask_text",
]

STAR: Final = "*"


_LATIN_HIDDEN: Final = "***"  # a fixed run, so the mask does not tell a name's length


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def _mask_word(word: str) -> str:
    """``Johanna`` → ``J***``; ``张伟`` → ``张*`` (Chinese masks keep the length)."""
    if not word:
        return word
    if _is_cjk(word[0]):
        return word[0] + STAR * (len(word) - 1)
    return word[0] + _LATIN_HIDDEN


_NAME_PARTICLES: Final = word_set("van von der den de da di del della du le la bin ibn al dos das")


def mask_name(name: str) -> str:
    """``Johanna Smithfield`` → ``J*** S***``; ``张三`` → ``张*``; ``da`` and ``van``
    stay."""
    return re.sub(
        r"[^\s,;/&()]+",
        lambda m: m.group() if m.group() in _NAME_PARTICLES else _mask_word(m.group()),
        name,
    )


def mask_email(email: str) -> str:
    """``alice@example.com`` → ``a***@example.com``: the domain is kept."""
    local, at, domain = email.strip().rpartition("@")
    if not at:
        return _mask_word(email.strip())
    return f"{_mask_word(local)}@{domain}"


# E.164 country codes are prefix-free: these start with 1 or 7, or have two digits;
# every other one has three.
_CC2: Final = word_set(
    "20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 "
    "61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98"
)


def _country_code_length(digits: str) -> int:
    if digits[:1] in ("1", "7"):
        return 1
    return 2 if digits[:2] in _CC2 else 3


def mask_phone(phone: str) -> str:
    """``13812345678`` → ``138****5678``; ``+1 512-555-0199`` → ``+1 512-***-0199``.

    The country code after ``+``, the first (up to) three and the last (up to) four
    digits of the number stay; at least three digits are always hidden, and
    separators keep their places.
    """
    slots = [i for i, c in enumerate(phone) if c.isdigit() or c == STAR]
    digits = "".join(phone[i] for i in slots)
    kept = _country_code_length(digits) if phone.lstrip().startswith("+") and digits else 0
    national = len(slots) - kept
    tail = 4 if national >= 9 else 2 if national >= 6 else 0
    head = max(0, min(3, national - tail - 3))
    hidden = set(slots[kept + head : len(slots) - tail])
    return "".join(STAR if i in hidden else c for i, c in enumerate(phone))


# -- street addresses ----------------------------------------------------------------
_UPPER: Final = r"[A-ZÀ-ÖØ-ÞĀ-Ž]"
_WORD: Final = r"[\w'’.-]{0,40}"  # bounded: no input makes a search quadratic
_EN_TYPES: Final = (
    "Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|"
    "Terrace|Ter|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Square|Sq|Trail|Crescent|Close|Row|"
    "Alley|Plaza|Loop|Pike|Grove|Gardens|Mews|Hill"
)
_UNIT: Final = r"(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor|Fl|Room|Rm|#)\.?\s*#?\w{1,6})?"
# ``1234 Elmwood Ave``, ``12 N. Main St, Apt 4B``: a number, capitalised words, a type.
_EN: Final = re.compile(
    rf"(?<![\w*.,:/-])(?P<num>\d{{1,6}}[A-Za-z]?(?:[-/]\d{{1,4}}[A-Za-z]?)?)\s+"
    rf"(?P<name>(?:{_UPPER}{_WORD}\s+){{0,3}}?{_UPPER}{_WORD}|\d{{1,3}}(?:st|nd|rd|th))\s+"
    rf"(?P<type>(?i:{_EN_TYPES}))\b\.?(?P<unit>{_UNIT})"
)
_PARTICLES: Final = r"(?:de|da|do|dos|das|del|della|dei|di|la|le|les|des|du|el|los|las|d'|l')"
_ROMANCE_TYPES: Final = (
    "Rua|Avenida|Avda|Av|Calle|Carrer|Via|Viale|Piazza|Corso|Largo|Rue|Plaza|Paseo|"
    "Camino|Praça|Praca|Travessa|Alameda|Estrada|Rodovia|Strada|Ulica|Ul"
)
_NAMES: Final = (
    rf"(?:{_PARTICLES}\s*)*{_UPPER}{_WORD}(?:\s+(?:{_PARTICLES}\s*)*{_UPPER}{_WORD}){{0,3}}"
)
# ``Rua Augusta 1500``, ``Avenida Paulista, nº 1578``, ``Calle de Alcalá 45``.
_ROMANCE: Final = re.compile(
    rf"(?<![\w*])(?P<type>{_ROMANCE_TYPES})\.?\s+(?P<name>{_NAMES}),?\s+"
    rf"(?P<no>(?:n[º°o.]\s*|No\.?\s*)?)(?P<num>\d{{1,5}}[A-Za-z]?)(?![\w*])"
)
# ``12 rue de la Paix``, ``5 bis avenue Foch``.
_FRENCH: Final = re.compile(
    rf"(?<![\w*.,:/-])(?P<num>\d{{1,5}}(?:\s?(?:bis|ter))?),?\s+"
    rf"(?P<type>(?i:rue|avenue|boulevard|bd|place|allée|allee|chemin|impasse|quai|cours))"
    rf"\s+(?P<name>{_NAMES})"
)
# ``Hauptstraße 5``, ``Berliner Str. 12a``, ``Keizersgracht 123``; the suffixes that
# also end ordinary words (Spring, String) take at most three digits.
_GERMANIC: Final = re.compile(
    r"(?<![\w*-])(?P<name>(?:[A-ZÄÖÜÅØÆ][\wäöüßåøæ']{1,30}[ -])?"
    r"[A-ZÄÖÜÅØÆ][\wäöüßåøæ']{1,30}?)[ -]?"
    r"(?P<type>(?i:straße|strasse|str\.|gasse|platz|allee|chaussee|straat|laan|gracht|"
    r"plein|kade|vej|gade|gatan|vägen|veien)(?=\s)|(?i:weg|ring|damm|ufer|steig|pfad)"
    r"(?=\s+\d{1,3}(?![\d*])))"
    r"\s+(?P<num>\d{1,4}\s?[a-zA-Z]?(?:[-/]\d{1,4}[a-zA-Z]?)?)(?![\w*])"
)
_CJK: Final = r"[\u3400-\u9fff]"
_CJK_DIGIT: Final = r"[0-9０-９]"
# ``北京市朝阳区建国路88号``, ``上海市浦东新区张江路100号3号楼2单元501室``.
# The units of a Chinese area; a unit's name never holds one, so an area reads one way.
_CN_UNIT: Final = "(?:省|自治区|自治州|市|区|县|镇|乡|街道)"
_CHINESE: Final = re.compile(
    rf"(?P<area>(?:(?:(?!{_CN_UNIT}){_CJK}){{1,7}}{_CN_UNIT}){{0,4}})"
    rf"(?P<road>{_CJK}{{1,10}}?(?:大道|路|街|道|巷|胡同|弄|里))"
    rf"(?P<num>{_CJK_DIGIT}{{1,5}}(?:[-－]{_CJK_DIGIT}{{1,5}})?[号號]"
    rf"(?:[0-9０-９A-Za-z]{{1,5}}(?:号楼|號樓|号院|栋|幢|座|单元|室|层|楼|号|號))*)"
)


def _stars(text: str) -> str:
    """Every letter and digit of a house number starred; markers like 号 kept."""
    return re.sub(r"[0-9A-Za-z０-９]", STAR, text)


def _mask_words(text: str) -> str:
    return re.sub(r"\b[^\W\d_][\w'’.*-]*", lambda m: _mask_word(m.group()), text)


def _mask_name_words(text: str) -> str:
    """Each word masked, the particles of names (``de``, ``da``, ``la``) kept."""
    return re.sub(
        r"[^\W\d_][\w'’.-]*",
        lambda w: w.group() if _PARTICLE.fullmatch(w.group()) else _mask_word(w.group()),
        text,
    )


_PARTICLE: Final = re.compile(_PARTICLES, re.IGNORECASE)


def _en(m: re.Match[str]) -> str:
    s = m.string
    unit = re.sub(r"\w+$", lambda u: STAR * len(u.group()), m["unit"])
    return (
        _stars(m["num"])
        + s[m.end("num") : m.start("name")]
        + _mask_words(m["name"])
        + s[m.end("name") : m.start("unit")]
        + unit
    )


def _type_first(m: re.Match[str]) -> str:
    s = m.string
    return (
        s[m.start() : m.start("name")]
        + _mask_name_words(m["name"])
        + s[m.end("name") : m.start("num")]
        + _stars(m["num"])
    )


def _french(m: re.Match[str]) -> str:
    s = m.string
    return _stars(m["num"]) + s[m.end("num") : m.start("name")] + _mask_name_words(m["name"])


def _germanic(m: re.Match[str]) -> str:
    between = m.string[m.end("name") : m.start("type")]
    gap = m.string[m.end("type") : m.start("num")]
    return _mask_words(m["name"]) + between + m["type"] + gap + _stars(m["num"])


def _chinese(m: re.Match[str]) -> str:
    road = m["road"]
    suffix = next(
        s for s in ("大道", "胡同", "路", "街", "道", "巷", "弄", "里") if road.endswith(s)
    )
    name = road[: -len(suffix)]
    shown = name[0] + STAR * (len(name) - 1) if len(name) > 1 else STAR
    return m["area"] + shown + suffix + _stars(m["num"])


_ADDRESSES: Final[tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...]] = (
    (_CHINESE, _chinese),
    (_ROMANCE, _type_first),
    (_FRENCH, _french),
    (_EN, _en),
    (_GERMANIC, _germanic),
)


def _mask_addresses(text: str) -> str:
    if not _ANY_DIGIT.search(text):
        return text  # every street address here has a house number
    for pattern, mask in _ADDRESSES:
        if pattern is not _CHINESE or "号" in text or "號" in text:
            text = pattern.sub(mask, text)
    return text


_ANY_DIGIT: Final = re.compile(r"[0-9０-９]")


_KEEP_IN_ADDRESS: Final = re.compile(
    rf"(?i:{_EN_TYPES}|{_ROMANCE_TYPES}|rue|avenue|boulevard|place|straße|strasse|str|"
    r"apt|apartment|suite|unit|flat|floor|room)$"
)


def mask_address(address: str) -> str:
    """A whole address line: streets and house numbers found as in free text; if none
    is recognised, every word but a street type is masked and every digit starred."""
    masked = _mask_addresses(address)
    if masked != address:
        return masked

    def word(m: re.Match[str]) -> str:
        text = m.group()
        if _KEEP_IN_ADDRESS.match(text):
            return text
        if any(c.isdigit() for c in text):
            return _stars(text)
        return _mask_word(text)

    return re.sub(r"[^\W_][\w'’-]*", word, address)


# -- phones --------------------------------------------------------------------------
# Digit runs that touch letters, digits, ``*``, ``_`` or (for bare numbers) ``-``,
# ``/``, ``#`` are parts of something else: a tracking number, an order id, a decimal.
_E164: Final = re.compile(r"(?<![0-9A-Za-z_+*])\+\d(?:[ ()-]{0,2}\d){7,14}(?![0-9A-Za-z_*]|[.,]\d)")
_CN_MOBILE: Final = re.compile(
    r"(?<![0-9A-Za-z_+*#/-])(?<!\d\.)1[3-9]\d(?:[ -]?\d{4}){2}(?![0-9A-Za-z_*]|[-/.]\d)"
)
_NANP: Final = re.compile(
    r"(?<![0-9A-Za-z_+*#/.-])(?:1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}"
    r"(?![0-9A-Za-z_*]|[-/.]\d)"
)
_CN_LANDLINE: Final = re.compile(
    r"(?<![0-9A-Za-z_+*#/.-])\(?0\d{2,3}\)?[ -]\d{7,8}(?![0-9A-Za-z_*]|[-/.]\d)"
)
_PHONE_CUE: Final = re.compile(
    r"(?:(?<![A-Za-z])(?i:tel|telephone|phone|ph|mobile|mob|cell|call|fax|whatsapp|"
    r"contact\s+(?:no|number|phone))\.?(?:\s*(?i:no|number|nr|#)\.?)?|"
    r"电话|手机|联系电话|联系方式|手机号|电话号码|号码|致电|来电)"
    r"\s*[:：]?\s*(?P<num>\+?\(?\d(?:[ ().-]{0,2}\d){5,14})(?![0-9A-Za-z_*])"
)
_DATE_LIKE: Final = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}")


def _phone(m: re.Match[str]) -> str:
    return mask_phone(m.group())


def _cued_phone(m: re.Match[str]) -> str:
    number = m["num"]
    if _DATE_LIKE.search(number):
        return m.group()
    return m.string[m.start() : m.start("num")] + mask_phone(number)


def _mask_phones(text: str) -> str:
    if not _ANY_DIGIT.search(text):
        return text
    text = _E164.sub(_phone, text)
    text = _PHONE_CUE.sub(_cued_phone, text)
    for pattern in (_CN_MOBILE, _NANP, _CN_LANDLINE):
        text = pattern.sub(_phone, text)
    return text


# -- e-mails -------------------------------------------------------------------------
_EMAIL: Final = re.compile(
    r"(?<![\w.+*-])[\w.%+*-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}\b"
)


def _email(m: re.Match[str]) -> str:
    return mask_email(m.group())


# -- names ---------------------------------------------------------------------------
_NAME_CUE: Final = re.compile(
    r"(?<![A-Za-z])(?i:signed\s+(?:for\s+)?by|received\s+by|collected\s+by|"
    r"left\s+(?:with|for)|delivered\s+to|handed\s+(?:over\s+)?to|c/o|attn\.?|"
    r"attention|recipient(?:\s+name)?|consignee|addressee|receiver|"
    r"(?:contact|customer|name)(?=\s*[:：]))"
    r"\s*[:：-]?\s*"
)
_NAME_TOKEN: Final = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-])*\**\.?")
# Words after a cue that are places or roles, not people.
_NOT_NAMES: Final = word_set(
    # places and roles
    "front back side rear door doorstep porch garage garden yard reception receptionist "
    "mailroom mailbox letterbox locker box lobby concierge security guard neighbour "
    "neighbor neighbours neighbors office building desk agent customer recipient "
    "consignee addressee receiver resident occupant household family staff person adult "
    "shop store parcel package pickup pick-up post postal point service counter centre "
    "center warehouse depot hub facility station terminal airport airline sender shipper "
    "carrier courier driver partner customs company business management safe place "
    # carriers
    "dhl ups usps fedex dpd gls hermes tnt ems sf jd yto zto sto yunda cainiao aramex "
    "royal mail "
    # words of tracking texts (carriers write them in capitals too)
    "the an and or of in on at to for by from via with our your their his her its not no "
    "available unavailable absent home present authorized authorised required request "
    "requested signature signed left notice card delivered delivery attempt attempted "
    "closed refused unknown moved incorrect insufficient returned return please contact "
    "call"
)
# What ends a Chinese name rather than belongs to it (张三已签收, 李四先生).
_CJK_NAME_END: Final = "(?:已|未|在|于|的|签|先生|女士|小姐|电话|手机|收|寄|代|联系)"
_CJK_NAME_CUE: Final = re.compile(
    r"(?:收件人|收货人|签收人|联系人|代收人|寄件人|收方|姓名)(?:[:：]\s*|是|为|\s+)"
    rf"(?P<name>{_CJK}(?:(?!{_CJK_NAME_END}){_CJK}){{1,3}})"
)
_CJK_NOT_NAMES: Final = (
    "本人",
    "前台",
    "门卫",
    "家人",
    "同事",
    "快递柜",
    "丰巢",
    "驿站",
    "代收点",
    "物业",
    "保安",
    "已签",
    "未签",
    "他人",
    "邻居",
    "公司",
    "单位",
)


def _name_span(text: str, pos: int) -> tuple[int, int] | None:
    """The capitalised words (and the particles between them) from ``pos`` on."""
    first = last = None
    particles = 0
    words = 0
    while words < 4:
        token = _NAME_TOKEN.match(text, pos)
        if token is None:
            break
        word = token.group()
        if word[0].isupper():
            initial = len(word) == 2 and word[1] == "."  # "J." of "J. Smith"
            if not initial and word.rstrip(".").casefold() in _NOT_NAMES:
                break  # a common word of tracking texts ends the name (or is none)
            first = token.start() if first is None else first
            last = token.end()
            particles = 0
            words += 1
        elif first is not None and particles < 2 and word.casefold() in _NAME_PARTICLES:
            particles += 1
        else:
            break
        gap = _GAP.match(text, token.end())
        if gap is None:
            break
        pos = gap.end()
    return None if first is None or last is None else (first, last)


_GAP: Final = re.compile(r"[ \t]+")


def _mask_cued_names(text: str) -> str:
    spans = [span for cue in _NAME_CUE.finditer(text) if (span := _name_span(text, cue.end()))]
    for start, end in reversed(spans):
        text = text[:start] + mask_name(text[start:end]) + text[end:]
    return _CJK_NAME_CUE.sub(_cjk_name, text)


def _cjk_name(m: re.Match[str]) -> str:
    name = m["name"]
    if name.startswith(_CJK_NOT_NAMES):
        return m.group()
    return m.string[m.start() : m.start("name")] + mask_name(name)


def _mask_known_names(text: str, names: Iterable[str]) -> str:
    parts: set[str] = set()
    for name in names:
        name = name.strip()
        if len(name) < 2 or STAR in name:
            continue
        parts.add(name)
        parts.update(w for w in re.split(r"[\s,]+", name) if len(w) >= 3 and not _is_cjk(w[0]))
    for part in sorted(parts, key=len, reverse=True):
        boundary = "" if _is_cjk(part[0]) else r"\b"
        text = re.sub(
            boundary + re.escape(part) + boundary,
            lambda m: mask_name(m.group()),
            text,
            flags=re.IGNORECASE,
        )
    return text


# ``"recipient_name": "Johanna"`` in a raw payload's JSON or a dict's repr.
_LABELLED: Final = re.compile(
    r"""(?P<q>["'])(?P<key>[^\W\d][\w .-]{0,40})(?P=q)\s*[:=]\s*"""
    r"""(?P<v>["'])(?P<value>(?:\\.|(?!(?P=v))[^\\\n]){1,300})(?P=v)"""
)


def _labelled(m: re.Match[str]) -> str:
    kind = field_kind(m["key"])
    mask = _FIELD_MASKS.get(kind)
    if mask is None:
        return m.group()
    return m.string[m.start() : m.start("value")] + mask(m["value"]) + m["v"]


def mask_text(text: str, *, names: Iterable[str] = (), keep: Iterable[str] = ()) -> str:
    """Free text with e-mails, phones, street addresses and names masked.

    ``names`` are names known from the record's fields (a recipient's): they are
    masked wherever they occur, whole or by any word of three letters or more.
    ``keep`` are strings never masked, such as the record's own tracking number.
    """
    if not text:
        return text
    kept = tuple(sorted({k for k in keep if k and k in text}, key=len, reverse=True))
    names = tuple(names)
    if len(text) <= _MEMO_TEXT:
        return _mask_short(text, names, kept)
    return _mask(text, names, kept)


#: Texts up to this long are masked once per (text, names, kept) and remembered: an
#: output of thousands of incidents repeats the same carrier texts over and over.
_MEMO_TEXT: Final = 400


def _mask(text: str, names: tuple[str, ...], kept: tuple[str, ...]) -> str:
    for index, token in enumerate(kept):
        text = text.replace(token, _placeholder(index))
    if '"' in text or "'" in text:
        text = _LABELLED.sub(_labelled, text)
    if "@" in text:
        text = _EMAIL.sub(_email, text)
    text = _mask_phones(text)
    text = _mask_addresses(text)
    text = _mask_known_names(text, names)
    text = _mask_cued_names(text)
    for index, token in enumerate(kept):
        text = text.replace(_placeholder(index), token)
    return text


_mask_short: Final = functools.lru_cache(maxsize=8192)(_mask)


def mask_name_field(value: str) -> str:
    """A name field's value: masked as a name, unless it holds a phone or an e-mail
    (a ``contact`` field may)."""
    found = _mask_phones(_EMAIL.sub(_email, value))
    return found if found != value else mask_name(value)


_FIELD_MASKS: Final[dict[str, Callable[[str], str]]] = {
    "name": mask_name_field,
    "phone": mask_phone,
    "email": mask_email,
    "address": mask_address,
}


def _placeholder(index: int) -> str:
    # A private-use character: no detector reads it as a letter, digit or separator.
    return chr(0xE000 + index % 0x1900)
