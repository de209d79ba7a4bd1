"""``logix run --store``, ``incidents``, ``ack``, ``resolve`` and ``changes``."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from logix_rules import DEMO_AT, generate_demo
from logix_rules.cli._main import main

DATA = generate_demo(seed=7, shipments=80)
MIDDLE = sorted(e.occurred_at for e in DATA.events)[len(DATA.events) // 2]


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(args))
    assert "Traceback" not in err.getvalue()
    return status, out.getvalue(), err.getvalue()


def lines(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("files")
    paths = {
        "first": folder / "first.jsonl",
        "second": folder / "second.jsonl",
        "all": folder / "all.jsonl",
        "shipments": folder / "shipments.jsonl",
    }
    with (
        paths["first"].open("w") as first,
        paths["second"].open("w") as second,
        paths["all"].open("w") as every,
    ):
        for event in DATA.events:
            text = event.model_dump_json() + "\n"
            every.write(text)
            (first if event.occurred_at <= MIDDLE else second).write(text)
    paths["shipments"].write_text("".join(s.model_dump_json() + "\n" for s in DATA.shipments))
    return paths


def run(url: str, files: dict[str, Path], part: str, *extra: str) -> tuple[int, str, str]:
    return cli(
        "run", "--store", url, "--pack", "default", "--events", str(files[part]),
        "--shipments", str(files["shipments"]), *extra,
    )  # fmt: skip


def test_a_second_run_reports_only_new_changes(store_url: str, files: dict[str, Path]) -> None:
    status, out, _ = run(store_url, files, "first", "--format", "jsonl")
    assert status == 0
    first = lines(out)
    assert first
    assert [c["seq"] for c in first] == list(range(1, len(first) + 1))
    # The same file again: everything is known, nothing changes.
    status, out, _ = run(store_url, files, "first")
    assert status == 0
    assert "No new changes." in out
    assert "0 new changes" in out
    at = DEMO_AT.isoformat()
    status, out, _ = run(store_url, files, "second", "--format", "jsonl", "--at", at)
    second = lines(out)
    assert second
    assert second[0]["seq"] == len(first) + 1
    assert not {c["id"] for c in first} & {c["id"] for c in second}
    # What the store holds now is what one run over every event gives.
    _, stored, _ = cli("incidents", "--store", store_url, "--format", "jsonl")
    _, whole, _ = cli(
        "run", "--pack", "default", "--events", str(files["all"]), "--shipments",
        str(files["shipments"]), "--at", DEMO_AT.isoformat(), "--format", "jsonl",
    )  # fmt: skip
    assert lines(stored) == lines(whole)


def test_incidents_filters_and_formats(sqlite_url: str, files: dict[str, Path]) -> None:
    run(sqlite_url, files, "all", "--at", DEMO_AT.isoformat())
    _, out, _ = cli("incidents", "--store", sqlite_url, "--format", "jsonl")
    everything = lines(out)
    assert everything
    _, out, _ = cli("incidents", "--store", sqlite_url, "--severity", "P1", "--format", "jsonl")
    assert lines(out) == [i for i in everything if i["severity"] == "P1"]
    kind = str(everything[-1]["kind"])
    carrier = str(everything[-1]["carrier"])
    _, out, _ = cli(
        "incidents", "--store", sqlite_url, "--kind", kind, "--carrier", carrier,
        "--format", "jsonl",
    )  # fmt: skip
    assert lines(out) == [i for i in everything if i["kind"] == kind and i["carrier"] == carrier]
    _, out, _ = cli("incidents", "--store", sqlite_url, "--limit", "2", "--format", "json")
    assert json.loads(out)["incidents"] == everything[:2]
    status, out, _ = cli("incidents", "--store", sqlite_url)
    assert status == 0
    assert f"{len(everything)} open incidents (store clock " in out
    assert "TRACKING NUMBER" in out


def test_ack_resolve_and_the_feed(sqlite_url: str, files: dict[str, Path]) -> None:
    run(sqlite_url, files, "all", "--at", DEMO_AT.isoformat())
    status, out, _ = cli("changes", "--store", sqlite_url, "--consumer", "oms")
    assert status == 0
    fed = lines(out)
    assert [c["seq"] for c in fed] == list(range(1, len(fed) + 1))
    assert cli("changes", "--store", sqlite_url, "--consumer", "oms")[1] == ""
    _, out, _ = cli("incidents", "--store", sqlite_url, "--format", "jsonl")
    first, second = (str(i["id"]) for i in lines(out)[:2])

    status, out, _ = cli("ack", first, "--by", "ana", "--store", sqlite_url)
    assert status == 0
    assert out.startswith(f"acknowledged {first} ")
    assert "by ana" in out
    status, out, _ = cli(
        "resolve", second, "--by", "bo", "--note", "refunded", "--store", sqlite_url,
        "--format", "json",
    )  # fmt: skip
    assert status == 0
    change = json.loads(out)
    assert change["type"] == "resolved"
    assert change["incident"]["note"] == "refunded"
    _, out, _ = cli("incidents", "--store", sqlite_url, "--format", "jsonl")
    states = {i["id"]: i["state"] for i in lines(out)}
    assert states[first] == "acknowledged"
    assert second not in states
    # The feed hands out just those two, then nothing; another consumer gets everything.
    _, out, _ = cli("changes", "--store", sqlite_url, "--consumer", "oms", "--format", "table")
    assert "acknowledged" in out
    assert "resolved" in out
    assert len(out.strip().splitlines()) == 4  # header, rule, two changes
    assert cli("changes", "--store", sqlite_url, "--consumer", "oms", "--format", "table")[1] == (
        "No new changes.\n"
    )
    _, out, _ = cli("changes", "--store", sqlite_url, "--consumer", "audit", "--limit", "5")
    assert [c["seq"] for c in lines(out)] == [1, 2, 3, 4, 5]
    _, out, _ = cli("changes", "--store", sqlite_url, "--consumer", "audit")
    assert lines(out)[0]["seq"] == 6
    # Mistakes are one line and exit 2.
    status, _, err = cli("ack", second, "--by", "ana", "--store", sqlite_url)
    assert status == 2
    assert "already resolved" in err
    status, _, err = cli("ack", "inc_nothing", "--by", "ana", "--store", sqlite_url)
    assert status == 2
    assert "logix incidents --store URL" in err


def test_store_mistakes_are_usage_errors(tmp_path: Path) -> None:
    status, _, err = cli("incidents", "--store", "mysql://u@h/d")
    assert status == 2
    assert "bad_store_url" in err
    assert err.count("\n") == 1
    status, _, err = cli("incidents", "--store", f"sqlite:///{tmp_path}/missing/dir/ops.db")
    assert status == 2
    assert "store_unavailable" in err
    empty = f"sqlite:///{tmp_path}/empty.db"
    status, _, err = cli("ack", "inc_x", "--by", "ana", "--store", empty)
    assert status == 2
    assert "no clock yet" in err
    assert cli("changes", "--store", empty, "--consumer", "oms", "--format", "table")[1] == (
        "No new changes.\n"
    )


def test_docs_mention_every_option_of_the_store_commands() -> None:
    from logix_rules.cli._main import build_parser

    text = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text("utf-8")
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name in ("incidents", "ack", "resolve", "changes"):
        assert f"logix {name}" in text
        command = sub.choices[name]  # type: ignore[index]
        for action in command._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert option in text, f"docs/cli.md does not mention {name} {option}"
