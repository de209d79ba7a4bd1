"""A unit whose COMMIT fails leaves the cache as the rows are, and runs again when it may.

PostgreSQL checks a deferred constraint at COMMIT: a real database, with a constraint
trigger on the feed that fails the first commit, is how a commit fails here (under
SERIALIZABLE the server may end a transaction at its commit the same way, 40001).  The
unit stepped the cached states in place before the commit; the rows keep the old ones.
If the unit kept those states in the cache, the run again (or the next call) would find
the events already absorbed, take them as duplicates and lose their changes.
"""

from __future__ import annotations

import pytest
from store_support import hourly_scans, same_changes

from logix_rules import Change, Engine, load_pack
from logix_rules.store import open_store

psycopg = pytest.importorskip("psycopg")

PACK = load_pack("default")


FIRST = hourly_scans("C1", range(3)) + hourly_scans("C2", range(3))
HELD = hourly_scans("C1", range(3, 6), held=True) + hourly_scans("C2", range(3, 6), held=True)
AFTER = hourly_scans("C1", range(6, 8)) + hourly_scans("C2", range(6, 8))


def _fail_first_commit(pg_url: str, sqlstate: str) -> None:
    """The next transaction that writes a feed row fails at its COMMIT with ``sqlstate``;
    later ones commit.  A sequence counts the attempts: it is not rolled back."""
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE SEQUENCE commit_attempts")
        conn.execute(
            f"""CREATE FUNCTION fail_first_commit() RETURNS trigger AS $$
            BEGIN
                IF nextval('commit_attempts') = 1 THEN
                    RAISE EXCEPTION 'commit refused by the test' USING ERRCODE = '{sqlstate}';
                END IF;
                RETURN NULL;
            END $$ LANGUAGE plpgsql"""
        )
        conn.execute(
            "CREATE CONSTRAINT TRIGGER fail_first_commit AFTER INSERT ON feed"
            " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fail_first_commit()"
        )


def _attempts(pg_url: str) -> int:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        row = conn.execute("SELECT last_value, is_called FROM commit_attempts").fetchone()
    assert row is not None
    return int(row[0]) if row[1] else 0


def _reference() -> tuple[Engine, list[Change]]:
    engine = Engine(PACK)
    engine.ingest(FIRST)
    return engine, engine.ingest(HELD)


def test_a_commit_ended_as_a_serialization_failure_runs_again_from_the_rows(
    pg_url: str,
) -> None:
    with open_store(pg_url) as store:
        engine = Engine(PACK, store=store)
        engine.ingest(FIRST)  # C1 and C2 are cached, as committed
        _fail_first_commit(pg_url, "40001")
        changes = engine.ingest(HELD)
        assert _attempts(pg_url) >= 2  # the refused commit, and the one that held
        reference, expected = _reference()
        assert changes  # the customs holds
        same_changes(changes, expected)
        for tn in ("C1", "C2"):
            assert engine.shipment_state(tn) == reference.shipment_state(tn)
        same_changes(engine.ingest(AFTER), reference.ingest(AFTER))
        assert engine.dump() == reference.dump()


def test_a_commit_refused_for_good_reaches_the_caller_and_the_next_call_starts_from_the_rows(
    pg_url: str,
) -> None:
    with open_store(pg_url) as store:
        engine = Engine(PACK, store=store)
        engine.ingest(FIRST)
        _fail_first_commit(pg_url, "23514")  # a check violation: not to be run again
        with pytest.raises(psycopg.errors.CheckViolation):
            engine.ingest(HELD)
        assert _attempts(pg_url) == 1
        # Nothing of the refused call was kept: sending it again gives its changes.
        reference, expected = _reference()
        same_changes(engine.ingest(HELD), expected)
        for tn in ("C1", "C2"):
            assert engine.shipment_state(tn) == reference.shipment_state(tn)
        assert engine.dump() == reference.dump()
