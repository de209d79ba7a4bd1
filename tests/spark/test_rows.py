"""The per-key logic of the Spark integration, driven without Spark (no PySpark needed).

The central property: however a stream is cut into micro-batches, in whatever order
events arrive and whatever the watermark delay, the changes folded into open
incidents equal the in-process engine after the same events and ``advance`` to the
final watermark; with an as-of cutoff they equal ``evaluate(..., at=cutoff)``.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spark_support import (
    MiniStream,
    chunks,
    engine_open,
    evaluate_open,
    input_rows,
    jittered,
    stable,
)

from logix_carriers import TrackingEvent
from logix_rules import generate_demo, load_pack, loads_pack
from logix_rules.core._durations import to_micros
from logix_rules.integrations._spark_rows import (
    PackSource,
    RowRejected,
    StateCache,
    event_to_input,
    fold_changes,
    handle_rows,
    kernel_for,
    read_row,
    shipment_to_input,
    timer_ms,
)

DEMO = generate_demo(seed=11, shipments=24)
HOUR_US = 3_600_000_000


def run_stream(
    events: list[Any], shipments: list[Any], *, batch: int, delay_h: float, cache: int = 1000
) -> MiniStream:
    stream = MiniStream("default", delay_ms=int(delay_h * 3_600_000), cache=cache)
    stream.batch([shipment_to_input(s) for s in shipments])
    for part in chunks([event_to_input(e) for e in events], batch):
        stream.batch(part)
    stream.finish()
    return stream


# -- rows ------------------------------------------------------------------------------------------
def test_rows_round_trip_every_demo_event_and_shipment() -> None:
    for event in DEMO.events:
        assert read_row(event_to_input(event)) == event
    for shipment in DEMO.shipments:
        assert read_row(shipment_to_input(shipment)) == shipment


def test_rows_read_pandas_cells_and_namedtuples() -> None:
    event = DEMO.events[0]
    row = event_to_input(event)
    # pandas hands nullable integers over as floats and missing values as NaN
    row["occurred_at_us"] = float(row["occurred_at_us"])
    row["event_id"] = float("nan")
    parsed = read_row(row)
    assert isinstance(parsed, TrackingEvent)
    assert parsed.occurred_at == event.occurred_at
    assert parsed.event_id == event.event_id  # derived again, deterministically

    from collections import namedtuple

    Tuple = namedtuple("Tuple", list(row))  # type: ignore[misc]
    assert read_row(Tuple(**row)) == parsed


def test_microseconds_survive() -> None:
    raw = event_to_input(DEMO.events[0])
    raw["occurred_at_us"] += 123_457
    raw["event_id"] = "ev_micro"
    parsed = read_row(raw)
    assert isinstance(parsed, TrackingEvent)
    assert to_micros(parsed.occurred_at) == raw["occurred_at_us"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"status": "teleported"}, "status"),
        ({"occurred_at_us": None}, "occurred_at"),
        ({"attributes": "{not json"}, "attributes is not JSON"),
        ({"record": "invoice"}, "record is 'invoice'"),
        ({"country": "Germany"}, "location.country"),
    ],
)
def test_bad_rows_are_rejected_with_the_reason(change: dict[str, Any], expected: str) -> None:
    row = {**event_to_input(DEMO.events[0]), **change}
    with pytest.raises(RowRejected) as caught:
        read_row(row)
    out = caught.value.row
    assert out["change_type"] == "rejected"
    assert out["seq"] is None
    assert out["tracking_number"] == DEMO.events[0].tracking_number
    assert expected in out["error"]
    assert DEMO.events[0].event_id in out["error"]


def test_a_rejected_row_does_not_stop_its_batch() -> None:
    kernel = kernel_for(PackSource.of("default"))
    good = event_to_input(DEMO.events[0])
    bad = {**good, "status": "teleported", "event_id": "ev_bad"}
    outcome = handle_rows(kernel, None, good["tracking_number"], None, [bad, good], now_us=None)
    assert [row["change_type"] for row in outcome.rows][:1] == ["rejected"]
    assert outcome.saved is not None
    state = kernel.loads(outcome.saved[0])
    assert [rec[1] for rec in state.history] == [DEMO.events[0].event_id]  # (time, id, kind)


def test_only_bad_rows_leave_no_state() -> None:
    kernel = kernel_for(PackSource.of("default"))
    bad = {**event_to_input(DEMO.events[0]), "status": "teleported"}
    outcome = handle_rows(kernel, None, bad["tracking_number"], None, [bad], now_us=None)
    assert outcome.saved is None
    assert [row["change_type"] for row in outcome.rows] == ["rejected"]


# -- results do not depend on micro-batches -------------------------------------------------------
@settings(max_examples=12, deadline=None)
@given(
    batch=st.sampled_from([1, 5, 40, 10_000]),
    delay_h=st.sampled_from([0.0, 1.0, 6.0, 48.0]),
    jitter_h=st.sampled_from([0, 3, 30]),
    seed=st.integers(0, 10_000),
)
def test_any_batching_folds_to_the_engine(
    batch: int, delay_h: float, jitter_h: int, seed: int
) -> None:
    arrival = jittered(DEMO.events, jitter_h * HOUR_US, seed)
    stream = run_stream(arrival, list(DEMO.shipments), batch=batch, delay_h=delay_h)
    expected = engine_open("default", DEMO.events, DEMO.shipments, stream.watermark)
    assert stable(fold_changes(stream.out)) == stable(expected)


def test_batch_sizes_agree_with_each_other_and_late_events_are_corrected() -> None:
    arrival = jittered(DEMO.events, 30 * HOUR_US, seed=3)
    runs = {
        size: run_stream(arrival, list(DEMO.shipments), batch=size, delay_h=0.0)
        for size in (1, 17, 10_000)
    }
    watermarks = {run.watermark for run in runs.values()}
    assert len(watermarks) == 1
    expected = stable(engine_open("default", DEMO.events, DEMO.shipments, watermarks.pop()))
    assert expected
    for run in runs.values():
        assert stable(fold_changes(run.out)) == expected
    # With no delay, one event per batch fires timers that late events then undo:
    # the raw change streams differ, the folded result does not.
    one = [row["change_type"] for row in runs[1].out]
    everything = [row["change_type"] for row in runs[10_000].out]
    assert len(one) > len(everything)


def test_the_cache_changes_nothing() -> None:
    arrival = jittered(DEMO.events, 5 * HOUR_US, seed=9)
    cached = run_stream(arrival, list(DEMO.shipments), batch=7, delay_h=2.0, cache=1000)
    replayed = run_stream(arrival, list(DEMO.shipments), batch=7, delay_h=2.0, cache=0)
    assert cached.out == replayed.out
    assert cached.cache is not None
    assert cached.cache.hits > cached.cache.misses


def test_a_stale_cache_entry_is_not_used() -> None:
    kernel = kernel_for(PackSource.of("default"))
    cache = StateCache(10)
    events = [e for e in DEMO.events if e.tracking_number == DEMO.events[0].tracking_number]
    tn = events[0].tracking_number
    first = handle_rows(kernel, cache, tn, None, [event_to_input(events[0])], now_us=None)
    assert first.saved is not None
    # Spark hands back an older version of the state (a retried batch): a miss.
    handle_rows(kernel, cache, tn, first.saved, [event_to_input(events[1])], now_us=None)
    assert (cache.hits, cache.misses) == (1, 0)
    handle_rows(kernel, cache, tn, first.saved, [event_to_input(events[1])], now_us=None)
    assert (cache.hits, cache.misses) == (1, 1)


# -- as-of cutoff ----------------------------------------------------------------------------------
@pytest.mark.parametrize("hours_before", [0, 20, 75])
@pytest.mark.parametrize("batch", [3, 10_000])
def test_as_of_equals_evaluate(hours_before: int, batch: int) -> None:
    at = DEMO.at - timedelta(hours=hours_before)
    cutoff = to_micros(at)
    kernel = kernel_for(PackSource.of("default"))
    saved: dict[str, tuple[bytes, int]] = {}
    out: list[dict[str, Any]] = []
    rows = input_rows(jittered(DEMO.events, 10 * HOUR_US, seed=1), DEMO.shipments)
    for part in chunks(rows, batch):
        by_key: dict[str, list[dict[str, Any]]] = {}
        for row in part:
            by_key.setdefault(row["tracking_number"], []).append(row)
        for tn, key_rows in by_key.items():
            outcome = handle_rows(
                kernel, None, tn, saved.get(tn), key_rows, now_us=cutoff, as_of_us=cutoff
            )
            if outcome.saved is not None:
                saved[tn] = outcome.saved
            assert all(
                row["at_us"] <= cutoff for row in outcome.rows if row["change_type"] != "rejected"
            )
            out.extend(outcome.rows)
    expected = evaluate_open("default", DEMO.events, DEMO.shipments, at)
    assert expected
    assert stable(fold_changes(out)) == stable(expected)


# -- timers ----------------------------------------------------------------------------------------
def test_timer_ms_rounds_up_so_a_timer_never_fires_early() -> None:
    assert timer_ms(None) is None
    assert timer_ms(2_000) == 2
    assert timer_ms(2_001) == 3
    assert timer_ms(-1_500) == -1


def test_seq_counts_the_changes_of_one_parcel() -> None:
    stream = run_stream(list(DEMO.events), list(DEMO.shipments), batch=9, delay_h=1.0)
    by_parcel: dict[str, list[int]] = {}
    for row in stream.out:
        by_parcel.setdefault(row["tracking_number"], []).append(row["seq"])
    assert by_parcel
    for seqs in by_parcel.values():
        assert seqs == list(range(1, len(seqs) + 1))


def test_rows_carry_what_an_ops_team_needs() -> None:
    stream = run_stream(list(DEMO.events), list(DEMO.shipments), batch=50, delay_h=1.0)
    opened = next(row for row in stream.out if row["change_type"] == "opened")
    incident = json.loads(opened["incident_json"])
    assert opened["incident_id"] == incident["id"]
    assert opened["kind"] == incident["kind"]
    assert opened["remedy_code"] == (incident["remedy"] or {}).get("code")
    assert set(opened["deadlines_us"]) == set(incident["deadlines"])
    assert opened["rules"] == incident["rules"]


def test_fold_changes_keeps_the_latest_change_unless_it_closed() -> None:
    def row(seq: int, kind: str, ident: str = "inc_a") -> dict[str, Any]:
        return {
            "change_type": kind,
            "seq": seq,
            "tracking_number": "T",
            "incident_id": ident,
            "incident_json": json.dumps({"id": ident, "seq": seq}),
        }

    rows = [row(3, "cleared"), row(1, "opened"), row(2, "updated"), row(4, "opened", "inc_b")]
    rows.append({"change_type": "rejected", "seq": None, "error": "bad"})
    assert fold_changes(rows) == {"inc_b": {"id": "inc_b", "seq": 4}}
    assert fold_changes(rows[1:3]) == {"inc_a": {"id": "inc_a", "seq": 2}}


# -- the pack on executors -------------------------------------------------------------------------
def test_builtin_pack_ships_by_name_and_compiles_once() -> None:
    source = PackSource.of("default")
    assert source.builtin == "default"
    assert source.files == ()
    again = pickle.loads(pickle.dumps(source))
    assert kernel_for(again) is kernel_for(source)
    assert kernel_for(source).pack.fingerprint == load_pack("default").fingerprint
    assert source.fingerprint == load_pack("default").fingerprint


def test_pack_file_extending_the_default_ships_its_text(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("format: 1\nname: mine\nextends: default\nparams:\n  stall_after: 30h\n")
    source = PackSource.of(path)
    assert [name for name, _ in source.files] == ["mine.yaml"]
    path.unlink()  # executors do not see the driver's files
    kernel = kernel_for(pickle.loads(pickle.dumps(source)))
    assert kernel.pack.name == "mine"
    assert kernel.pack.fingerprint == source.fingerprint


def test_a_chain_of_pack_files_keeps_its_relative_layout(tmp_path: Path) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "teams").mkdir()
    (tmp_path / "base" / "company.yaml").write_text(
        "format: 1\nname: company\nextends: default\nparams:\n  stall_after: 30h\n"
    )
    (tmp_path / "teams" / "eu.yaml").write_text(
        "format: 1\nname: eu\nextends: ../base/company.yaml\nparams:\n  stall_escalate_after: 80h\n"
    )
    source = PackSource.of(tmp_path / "teams" / "eu.yaml")
    assert [name for name, _ in source.files] == ["teams/eu.yaml", "base/company.yaml"]
    for folder in ("teams", "base"):
        for file in (tmp_path / folder).iterdir():
            file.unlink()
    pack = kernel_for(pickle.loads(pickle.dumps(source))).pack
    assert pack.name == "eu"
    assert pack.fingerprint == source.fingerprint
    params = {name: p.default for name, p in pack.params.items()}
    assert params["stall_after"] == 30 * HOUR_US
    assert params["stall_escalate_after"] == 80 * HOUR_US


def test_a_pack_compiled_from_a_string_cannot_ship() -> None:
    text = (Path(__file__).parents[2] / "src/logix_rules/packs/default.yaml").read_text()
    with pytest.raises(ValueError, match=r"compiled from a string.*path of the pack file"):
        PackSource.of(loads_pack(text))


def test_a_pack_file_changed_since_loading_cannot_ship(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("format: 1\nname: mine\nextends: default\n")
    pack = load_pack(path)
    path.write_text("format: 1\nname: mine\nextends: default\nparams:\n  stall_after: 30h\n")
    with pytest.raises(ValueError, match="changed since it was loaded"):
        PackSource.of(pack)


def test_a_different_logix_on_an_executor_fails_loudly() -> None:
    from logix_rules.integrations._spark_rows import PackMismatch

    source = PackSource.of("default")
    forged = attrs.evolve(source, fingerprint="0000000000000000")
    with pytest.raises(PackMismatch, match="different version of logix"):
        kernel_for(forged)


# -- without PySpark -------------------------------------------------------------------------------
_NO_PYSPARK = textwrap.dedent(
    """
    import sys
    class Block:
        def find_spec(self, name, path=None, target=None):
            if name == "pyspark" or name.startswith("pyspark."):
                raise ImportError("No module named " + repr(name))
    sys.meta_path.insert(0, Block())
    import logix_rules
    try:
        import logix_rules.spark
    except ImportError as exc:
        print(exc)
    """
)


def test_without_pyspark_the_package_works_and_the_module_names_the_extra() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _NO_PYSPARK], capture_output=True, text=True, check=True
    )
    assert "pip install 'logix[spark]'" in done.stdout
