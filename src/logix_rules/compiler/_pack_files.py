"""Reading pack text: the built-in packs, and pack files within ``MAX_PACK_BYTES``.

A file is read in binary with a bound, so an oversized (or endless) file costs no more
than the limit, then decoded as UTF-8.  Every way reading can fail is an
``Unreadable`` with an error code and, for bad bytes, the position of the first one;
none of them carries the file's content.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from ..core._errors import ErrorCode
from ._limits import MAX_PACK_BYTES
from ._model import BUILTIN_PACKS

__all__ = ["PACK_SUFFIXES", "Unreadable", "read_builtin", "read_pack_file", "too_large"]

#: What a pack file may be called, for ``extends``.
PACK_SUFFIXES = (".yaml", ".yml")


class Unreadable(Exception):
    """A pack file that cannot be read as pack text; ``line``/``column`` when located."""

    def __init__(
        self, code: ErrorCode, msg: str, hint: str = "", line: int = 0, column: int = 0
    ) -> None:
        super().__init__(msg)
        self.code, self.msg, self.hint, self.line, self.column = code, msg, hint, line, column


def too_large(size: str) -> Unreadable:
    return Unreadable(
        ErrorCode.PACK_TOO_LARGE,
        f"the pack is {size}; a pack may have at most {MAX_PACK_BYTES:,} bytes",
        "Split it: a pack may extend another one.",
    )


def read_builtin(name: str) -> tuple[str, str]:
    """The text of a built-in pack and the file name it is reported under."""
    assert name in BUILTIN_PACKS
    resource = importlib.resources.files("logix_rules").joinpath("packs", f"{name}.yaml")
    return resource.read_text("utf-8"), f"<builtin>/{name}.yaml"


def read_pack_file(path: Path) -> str:
    """The UTF-8 text of a pack file of at most ``MAX_PACK_BYTES``; ``Unreadable`` if not."""
    try:
        if not path.is_file():
            what = "not a regular file" if path.exists() else "no such file"
            raise Unreadable(ErrorCode.FILE_NOT_FOUND, what)
        with path.open("rb") as handle:
            data = handle.read(MAX_PACK_BYTES + 1)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "a bad path"
        raise Unreadable(ErrorCode.FILE_NOT_FOUND, f"cannot read it ({reason})") from None
    if len(data) > MAX_PACK_BYTES:
        raise too_large(f"larger than {MAX_PACK_BYTES:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise Unreadable(
            ErrorCode.YAML_SYNTAX,
            f"the byte 0x{data[exc.start]:02x} is not UTF-8 text",
            "Save the pack as UTF-8.",
            line,
            column,
        ) from None
