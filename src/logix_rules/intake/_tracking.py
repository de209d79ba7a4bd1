"""Tracking numbers in free text, recognised by the carriers' number formats.

Formats with a check digit are only accepted when it is right: UPU S10
(``LX123456785CN``), UPS ``1Z``, USPS IMpb (``94…``, ``92…``), DHL Paket's 20 digits
(``00340434…``) and DHL Express's 10 digits (mod 7).  Prefixed formats without one
(Cainiao ``LP``, 4PX, YunExpress ``YT``, JD, SF, DHL ``JJD``/``GM``) are accepted on
their shape.  Bare digit strings are the weakest evidence (a mod-7 check passes one
number in seven), so one that follows an order or invoice cue ("order", "pedido",
"订单号"...) more closely than a tracking cue is taken for what the customer says it
is: an order number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Final

import attrs

from logix_carriers._countries import is_country_code

from ._text import Folded

__all__ = ["TrackingNumber", "find_tracking_numbers"]


@attrs.frozen
class TrackingNumber:
    """A tracking number found in a message: as written (``text``) and compact
    (``number``, upper case without spaces), where it was, its format and the carrier
    that format belongs to (``carrier`` is a guess for the postal S10 format: the
    post of the country code)."""

    number: str
    carrier: str
    format: str
    start: int
    end: int
    text: str


def _mod10_31(digits: str) -> bool:
    """GS1/IMpb check: weights 3, 1, 3... from the right of the payload."""
    payload, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(payload)))
    return (10 - total % 10) % 10 == check


def _s10(number: str) -> bool:
    serial, check = number[2:10], int(number[10])
    total = sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    expected = 11 - total % 11
    expected = {10: 0, 11: 5}.get(expected, expected)
    return expected == check and is_country_code(number[11:])


def _ups(number: str) -> bool:
    total = 0
    for index, char in enumerate(number[2:17]):
        value = int(char) if char.isdigit() else (ord(char) - 63) % 10
        total += value * 2 if index % 2 else value
    return (10 - total % 10) % 10 == int(number[17])


def _mod7(number: str) -> bool:
    return int(number[:-1]) % 7 == int(number[-1])


def _shape(_: str) -> bool:
    return True


@attrs.frozen
class _Format:
    name: str
    carrier: str
    pattern: re.Pattern[str]
    valid: Callable[[str], bool]
    bare_digits: bool = False


_FORMATS: Final[tuple[_Format, ...]] = (
    _Format("ups", "ups", re.compile(r"1Z[0-9A-Z]{16}"), _ups),
    _Format("s10", "post", re.compile(r"[A-Z]{2}\d{9}[A-Z]{2}"), _s10),
    _Format("usps_impb", "usps", re.compile(r"9[1-5](?:\d{18}|\d{20}|\d{24})"), _mod10_31, True),
    _Format("dhl_paket", "dhl", re.compile(r"00\d{18}"), _mod10_31, True),
    _Format("dhl_express", "dhl", re.compile(r"\d{10}"), _mod7, True),
    _Format("jd", "jd", re.compile(r"JD[A-Z]{0,2}\d{11,15}"), _shape),
    _Format("dhl_piece", "dhl", re.compile(r"J[A-Z]{2,3}\d{9,20}"), _shape),
    _Format("dhl_ecommerce", "dhl", re.compile(r"GM\d{16,22}"), _shape),
    _Format("cainiao", "cainiao", re.compile(r"LP\d{14,16}"), _shape),
    _Format("4px", "4px", re.compile(r"4PX\d{10,16}CN"), _shape),
    _Format("yunexpress", "yunexpress", re.compile(r"YT\d{16}"), _shape),
    _Format("sf_express", "sf-express", re.compile(r"SF\d{12,13}"), _shape),
)

#: The post that issues S10 numbers of a country (the carrier codes the demo data and
#: the adapters use); other countries get ``post-xx``.
_POSTS: Final = {
    "CN": "china-post",
    "US": "usps",
    "GB": "royal-mail",
    "DE": "deutsche-post",
    "BR": "correios",
    "FR": "la-poste",
    "ES": "correos",
    "PT": "ctt",
    "HK": "hongkong-post",
    "TW": "chunghwa-post",
    "JP": "japan-post",
    "SG": "singpost",
    "NL": "postnl",
}

_WORD: Final = re.compile(r"[0-9a-z]+")
_CANDIDATE: Final = re.compile(r"(?<![0-9a-z])[0-9a-z]{10,30}(?![0-9a-z])")
# Numbers written in groups ("9400 1112 0108 0805 4830 16").
_GROUPED: Final = re.compile(r"(?<![0-9a-z])\d{2,6}(?: \d{2,6}){2,}(?![0-9a-z])")
# Prefixed numbers as labels and carriers print them, in groups with letters
# ("RR 656 974 477 DE", "1Z SAD 5D8 03 6830 9493"): a run of short groups, cut into
# windows of whole groups below, since the run may take in a word before or after.
_LETTERED_RUN: Final = re.compile(r"(?<![0-9a-z])[0-9a-z]{1,6}(?: [0-9a-z]{1,6}){2,}(?![0-9a-z])")
#: Digits a run needs before its windows are tried (S10, the shortest, has nine).
_RUN_DIGITS: Final = 9
#: How far before a bare number (in folded characters) an order cue is looked for.
CUE_WINDOW: Final = 20


def _identify(compact: str) -> _Format | None:
    for fmt in _FORMATS:
        if fmt.pattern.fullmatch(compact) and fmt.valid(compact):
            return fmt
    return None


def _lettered_windows(text: str) -> Iterator[tuple[int, int, str, _Format]]:
    """Numbers of a prefixed format (never bare digits: those are ``_GROUPED``'s)
    written in groups, each the longest window of whole groups that is one."""
    for run in _LETTERED_RUN.finditer(text):
        if sum(char.isdigit() for char in run.group()) < _RUN_DIGITS:
            continue
        groups = [match.span() for match in _WORD.finditer(text, run.start(), run.end())]
        first = 0
        while first < len(groups) - 1:
            hit = _longest_window(text, groups, first)
            if hit is None:
                first += 1
                continue
            last, found = hit
            yield found
            first = last + 1


def _longest_window(
    text: str, groups: list[tuple[int, int]], first: int
) -> tuple[int, tuple[int, int, str, _Format]] | None:
    start = groups[first][0]
    for last in range(len(groups) - 1, first, -1):
        end = groups[last][1]
        compact = text[start:end].replace(" ", "").upper()
        if 10 <= len(compact) <= 30:
            fmt = _identify(compact)
            if fmt is not None and not fmt.bare_digits:
                return last, (start, end, compact, fmt)
    return None


def _nearest_cue(before: str, cues: Sequence[str]) -> int:
    """How far from the end of ``before`` the last cue ends (-1: none)."""
    best = -1
    for cue in cues:
        at = before.rfind(cue)
        if at >= 0:
            distance = len(before) - (at + len(cue))
            if best < 0 or distance < best:
                best = distance
    return best


def _is_order_number(
    folded: str, start: int, order_cues: Sequence[str], tracking_cues: Sequence[str]
) -> bool:
    before = folded[max(0, start - CUE_WINDOW) : start]
    order = _nearest_cue(before, order_cues)
    if order < 0:
        return False
    tracking = _nearest_cue(before, tracking_cues)
    # On a tie the order cue wins: "订单号" (order number) holds "单号" (waybill number).
    return tracking < 0 or order <= tracking


def find_tracking_numbers(
    folded: Folded, *, order_cues: Sequence[str] = (), tracking_cues: Sequence[str] = ()
) -> tuple[TrackingNumber, ...]:
    """Every tracking number in ``folded``, in order of appearance, each once."""
    text = folded.text
    found: list[tuple[int, int, str, _Format]] = []
    taken: list[tuple[int, int]] = []
    for regex in (_CANDIDATE, _GROUPED):
        for match in regex.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            compact = match.group().replace(" ", "").upper()
            fmt = _identify(compact)
            if fmt is None:
                continue
            if fmt.bare_digits and _is_order_number(text, start, order_cues, tracking_cues):
                continue
            found.append((start, end, compact, fmt))
            taken.append((start, end))
    for start, end, compact, fmt in _lettered_windows(text):
        if not any(s < end and start < e for s, e in taken):
            found.append((start, end, compact, fmt))
            taken.append((start, end))
    numbers: list[TrackingNumber] = []
    seen: set[str] = set()
    for start, end, compact, fmt in sorted(found, key=lambda f: f[0]):
        if compact in seen:
            continue
        seen.add(compact)
        carrier = fmt.carrier
        if fmt.name == "s10":
            country = compact[11:]
            carrier = _POSTS.get(country, f"post-{country.lower()}")
        first, last = folded.span(start, end)
        numbers.append(
            TrackingNumber(compact, carrier, fmt.name, first, last, folded.original[first:last])
        )
    return tuple(numbers)
