"""The generated status tables of ``docs/taxonomy.md``, and the command that writes them.

Regenerate the page's tables with
``python -m logix_carriers._status_docs --write-docs docs/taxonomy.md``;
``--check-docs`` exits 1 when they are stale.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from ._status_lookup import system_key
from ._status_maps import ROWS, SYSTEMS
from ._taxonomy import Reason, Status, default_stage

__all__ = [
    "DocsMarkerError",
    "markdown_table",
    "sync_docs",
]


class DocsMarkerError(ValueError):
    """A documentation page lacks the marker comments a generated table goes between."""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table(system: str) -> str:
    """The Markdown table of ``system``'s entries, in definition order.

    Columns: code | subcode | meaning | status | reason | stage.  ``stage`` is the
    effective stage; a subcode of ``—`` is the code alone, which also serves
    subcodes the table does not list.
    """
    rows = ROWS[system_key(system)]
    lines = [
        "| code | subcode | meaning | status | reason | stage |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        mapped = row.mapped
        lines.append(
            "| `{}` | {} | {} | `{}` | {} | `{}` |".format(
                _cell(row.code),
                f"`{_cell(row.subcode)}`" if row.subcode is not None else "—",
                _cell(row.meaning),
                mapped.status.value,
                f"`{mapped.reason.value}`" if mapped.reason is not None else "—",
                mapped.effective_stage.value,
            )
        )
    return "\n".join(lines)


def _default_stage_table() -> str:
    lines = ["| status | reason | default stage |", "|---|---|---|"]
    for status in Status:
        lines.append(f"| `{status.value}` | — | `{default_stage(status).value}` |")
    # Only exception and unknown take their stage from the reason, and both alike.
    for reason in Reason:
        stage = default_stage(Status.EXCEPTION, reason)
        if stage != default_stage(Status.EXCEPTION):
            lines.append(f"| `exception`, `unknown` | `{reason.value}` | `{stage.value}` |")
    return "\n".join(lines)


def _generated_blocks() -> dict[str, str]:
    blocks = {f"table:{system}": markdown_table(system) for system in SYSTEMS}
    blocks["table:default-stages"] = _default_stage_table()
    return blocks


def sync_docs(text: str, *, source: str = "the page") -> str:
    """``text`` with every generated table between its marker comments regenerated.

    Each table sits between ``<!-- table:NAME -->`` and ``<!-- /table:NAME -->``
    (NAME is a system, or ``default-stages``).  Raises :class:`DocsMarkerError`
    naming ``source`` when a pair of markers is missing or repeated.
    """
    for name, table in _generated_blocks().items():
        opening, closing = f"<!-- {name} -->", f"<!-- /{name} -->"
        pattern = re.compile(rf"{re.escape(opening)}.*?{re.escape(closing)}", re.DOTALL)
        matches = list(pattern.finditer(text))
        if len(matches) != 1:
            raise DocsMarkerError(
                f"{source}: expected one '{opening}' ... '{closing}' block, "
                f"found {len(matches)}; add the two marker lines where the table belongs"
            )
        block = f"{opening}\n{table}\n{closing}"
        text = text[: matches[0].start()] + block + text[matches[0].end() :]
    return text


def _main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m logix_carriers._status_maps",
        description="Regenerate or check the status tables in docs/taxonomy.md.",
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write-docs", metavar="PATH", type=Path, help="rewrite the tables")
    action.add_argument("--check-docs", metavar="PATH", type=Path, help="exit 1 if stale")
    args = parser.parse_args(argv)
    path: Path = args.write_docs or args.check_docs
    try:
        text = path.read_text(encoding="utf-8")
        fresh = sync_docs(text, source=str(path))
    except (OSError, DocsMarkerError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.check_docs is not None:
        if fresh != text:
            print(f"{path}: tables are stale; run with --write-docs {path}", file=sys.stderr)
            return 1
        return 0
    if fresh != text:
        path.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
