"""The store's schema as a contract: numbered migrations, applied once each, in order.

A database records the steps it has had in ``schema_version``. Opening a store applies
the missing ones in one transaction, under a lock (PostgreSQL: an advisory lock;
SQLite: ``BEGIN IMMEDIATE``), so several processes opening an empty database at once
create it exactly once. A database with a step this logix does not know is refused
(``schema_too_new``) rather than misread.

Times are microseconds since the Unix epoch (UTC) in ``BIGINT`` columns; JSON is text.
The steps are never edited once released: a change is a new step.
"""

from __future__ import annotations

import attrs

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "Migration"]


@attrs.frozen
class Migration:
    """One step: its number, what it does, and its statements (``{blob}`` is the
    dialect's binary type), then those only PostgreSQL runs, and those only SQLite runs
    (a step that is all one dialect's is still recorded on the other, so both count the
    same versions)."""

    version: int
    description: str
    statements: tuple[str, ...]
    postgresql: tuple[str, ...] = ()
    sqlite: tuple[str, ...] = ()

    def sql(self, dialect: str) -> list[str]:
        blob = "BYTEA" if dialect == "postgresql" else "BLOB"
        own = self.postgresql if dialect == "postgresql" else self.sqlite
        return [statement.format(blob=blob) for statement in (*self.statements, *own)]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "shipments, incidents, actions, the feed, its consumers and the clock",
        (
            # One row per parcel: the kernel's state and when it next needs a timer.
            # `state` is NULL only for a row reserved by a writer that then stored
            # nothing (see the PostgreSQL host's load); `version` counts the writes, so
            # a cached state is current exactly when its version is the row's.
            """CREATE TABLE shipments (
                tracking_number TEXT PRIMARY KEY,
                carrier TEXT NOT NULL,
                state {blob},
                next_due BIGINT,
                last_event BIGINT,
                version BIGINT NOT NULL,
                updated BIGINT NOT NULL
            )""",
            "CREATE INDEX shipments_next_due ON shipments (next_due) WHERE next_due IS NOT NULL",
            # One row per incident ever opened; `state` is open, acknowledged, resolved
            # or closed (its condition stopped holding); `closed_at` is when it
            # stopped needing anyone (resolved or closed), what retention reads;
            # `reads_now` marks a snapshot whose amounts grow with time (it is shown
            # as of the clock, computed again from the state).
            """CREATE TABLE incidents (
                id TEXT PRIMARY KEY,
                tracking_number TEXT NOT NULL,
                kind TEXT NOT NULL,
                severity TEXT NOT NULL,
                rank INTEGER NOT NULL,
                carrier TEXT NOT NULL,
                lane TEXT,
                state TEXT NOT NULL,
                opened_at BIGINT NOT NULL,
                respond_by BIGINT NOT NULL,
                resolve_by BIGINT NOT NULL,
                closed_at BIGINT,
                reads_now INTEGER NOT NULL,
                snapshot TEXT NOT NULL
            )""",
            "CREATE INDEX incidents_tracking_number ON incidents (tracking_number)",
            "CREATE INDEX incidents_live ON incidents (rank, opened_at) "
            "WHERE state IN ('open', 'acknowledged')",
            "CREATE INDEX incidents_live_kind ON incidents (kind, rank, opened_at) "
            "WHERE state IN ('open', 'acknowledged')",
            "CREATE INDEX incidents_live_carrier ON incidents (carrier, rank, opened_at) "
            "WHERE state IN ('open', 'acknowledged')",
            "CREATE INDEX incidents_live_severity ON incidents (severity, opened_at) "
            "WHERE state IN ('open', 'acknowledged')",
            # The follow-up log: who did what to an incident, when, with what note.
            """CREATE TABLE actions (
                incident_id TEXT NOT NULL,
                n INTEGER NOT NULL,
                what TEXT NOT NULL,
                by_name TEXT NOT NULL,
                at BIGINT NOT NULL,
                note TEXT,
                PRIMARY KEY (incident_id, n)
            )""",
            # The change feed: `seq` is given in commit order (see _units), `change_id`
            # is the change's own deterministic id, so a change is recorded once;
            # `payload` is the incident as the change left it (its canonical JSON).
            """CREATE TABLE feed (
                seq BIGINT PRIMARY KEY,
                change_id TEXT NOT NULL UNIQUE,
                type TEXT NOT NULL,
                at BIGINT NOT NULL,
                incident_id TEXT NOT NULL,
                payload TEXT NOT NULL
            )""",
            "CREATE INDEX feed_incident ON feed (incident_id)",
            # A consumer's durable cursor: every change up to `seq` is handled.
            """CREATE TABLE consumers (
                name TEXT PRIMARY KEY,
                seq BIGINT NOT NULL,
                updated BIGINT NOT NULL
            )""",
            # Counters: `clock` (the latest advance, µs) and `feed_seq` (the last seq).
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value BIGINT)",
            "INSERT INTO meta (key, value) VALUES ('clock', NULL), ('feed_seq', 0)",
        ),
    ),
    Migration(
        2,
        "the service: desk users, webhook deliveries seen, the poll schedule, shared rate "
        "limits, leases and the relay's dead letters",
        (
            # Desk users: `password` is a hashlib.scrypt hash with its parameters and
            # salt (``scrypt$n$r$p$salt$hash``, hex), never the password.
            """CREATE TABLE users (
                name TEXT PRIMARY KEY,
                password TEXT NOT NULL,
                created BIGINT NOT NULL,
                updated BIGINT NOT NULL
            )""",
            # Webhook deliveries already ingested, by carrier and event id: a carrier's
            # retry of a delivery we kept is answered 2xx without ingesting it again.
            """CREATE TABLE webhook_events (
                carrier TEXT NOT NULL,
                event_id TEXT NOT NULL,
                received BIGINT NOT NULL,
                PRIMARY KEY (carrier, event_id)
            )""",
            # Parcels of carriers without push: when each is next polled; `final` once
            # the carrier says it reached a final state (never polled again).  A poller
            # claims due rows with SKIP LOCKED and moves `next_poll` on in the same
            # transaction, so two processes never poll one parcel at once.
            """CREATE TABLE poll_schedule (
                tracking_number TEXT PRIMARY KEY,
                carrier TEXT NOT NULL,
                next_poll BIGINT NOT NULL,
                final INTEGER NOT NULL,
                polled BIGINT
            )""",
            "CREATE INDEX poll_schedule_due ON poll_schedule (carrier, next_poll) WHERE final = 0",
            # One token bucket per carrier, shared by every process: `tokens` left as of
            # `updated` (µs); a request takes one under the row's lock.
            """CREATE TABLE rate_buckets (
                carrier TEXT PRIMARY KEY,
                tokens DOUBLE PRECISION NOT NULL,
                updated BIGINT NOT NULL
            )""",
            # Jobs only one process may run at a time (the relay): who holds each, until.
            """CREATE TABLE leases (
                name TEXT PRIMARY KEY,
                holder TEXT NOT NULL,
                until BIGINT NOT NULL
            )""",
            # Changes the relay gave up on after its attempts: shown on the desk.
            """CREATE TABLE relay_dead_letters (
                seq BIGINT PRIMARY KEY,
                change_id TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                last_error TEXT NOT NULL,
                failed_at BIGINT NOT NULL
            )""",
        ),
    ),
    Migration(
        3,
        "review: each parcel's shipment facts, and incidents by opening time",
        (
            # What reports group and time parcels by, written beside the kernel's
            # (binary) state whenever it changes: `shipped_at` is the shipment's own,
            # else its first carrier scan; `region` the destination country; `declared_value`
            # a decimal as text, in `currency`.
            """CREATE TABLE shipment_facts (
                tracking_number TEXT PRIMARY KEY,
                carrier TEXT NOT NULL,
                lane TEXT,
                category TEXT,
                region TEXT,
                shipped_at BIGINT,
                promised_at BIGINT,
                declared_value TEXT,
                currency TEXT,
                first_scan BIGINT,
                delivered_at BIGINT,
                updated BIGINT NOT NULL
            )""",
            "CREATE INDEX shipment_facts_shipped ON shipment_facts (shipped_at)",
            "CREATE INDEX shipment_facts_promised ON shipment_facts (promised_at)",
            "CREATE INDEX shipment_facts_delivered ON shipment_facts (delivered_at)",
            "CREATE INDEX incidents_opened ON incidents (opened_at)",
        ),
    ),
    Migration(
        4,
        "actions: the cause a person named",
        (
            # `Engine.record` and `resolve` may name a cause (runtime._actions.CAUSES);
            # NULL when none was named, and for actions logged before this step.
            "ALTER TABLE actions ADD COLUMN cause TEXT",
        ),
    ),
    Migration(
        5,
        "PostgreSQL: shipment states stored inline, uncompressed",
        (),
        (
            # A state is 1 to 4 KB; past 2 KB a row is compressed (pglz) when written and
            # decompressed whenever it is read under lock, a fifth of the server's work
            # in an ingest.  Rows up to the page's 8 KB now stay as they are (longer ones
            # are still compressed and moved out of line).  Rows written before stay
            # compressed until they are next written.
            "ALTER TABLE shipments SET (toast_tuple_target = 8160)",
        ),
    ),
    Migration(
        6,
        "SQLite: the feed's seq is its table's rowid",
        (),
        sqlite=(
            # SQLite makes a column the rowid only when declared exactly `INTEGER PRIMARY
            # KEY`: as `BIGINT PRIMARY KEY` (step 1) seq had a B-tree of its own beside
            # the table's, written for every change, and looking a change up by its id
            # went from the id's index to the table for seq.  A table's key cannot be
            # altered: the feed is copied into a new table, in seq order, under the same
            # name, its indexes made again (same columns, rows and constraints).  The
            # whole step is one transaction under the write lock (see _db.migrate): a
            # process that opens the database meanwhile waits, then finds it done.
            """CREATE TABLE feed_v6 (
                seq INTEGER PRIMARY KEY,
                change_id TEXT NOT NULL UNIQUE,
                type TEXT NOT NULL,
                at BIGINT NOT NULL,
                incident_id TEXT NOT NULL,
                payload TEXT NOT NULL
            )""",
            "INSERT INTO feed_v6 (seq, change_id, type, at, incident_id, payload) "
            "SELECT seq, change_id, type, at, incident_id, payload FROM feed ORDER BY seq",
            "DROP TABLE feed",
            "ALTER TABLE feed_v6 RENAME TO feed",
            "CREATE INDEX feed_incident ON feed (incident_id)",
        ),
    ),
    Migration(
        7,
        "desk: failed logins, counted across the service's processes",
        (
            # One row per failed login and what it counts against (`name:<user>` and
            # `address:<client>`), kept for the throttle's window: every process over
            # the store sees the same count (service/_desk_throttle.py).
            """CREATE TABLE login_failures (
                key TEXT NOT NULL,
                at BIGINT NOT NULL
            )""",
            "CREATE INDEX login_failures_key ON login_failures (key, at)",
            "CREATE INDEX login_failures_at ON login_failures (at)",
        ),
    ),
    Migration(
        8,
        'PostgreSQL: the keys an ingest writes compare bytewise (COLLATE "C"), and '
        "shipments' pages keep room for a state's next version",
        (),
        (
            # A text column takes the database's collation (en_US.UTF-8, C.UTF-8, ...):
            # every comparison in its B-trees then goes through the locale (strcoll on a
            # NUL-terminated copy of each side), 6 % of the server's instructions in an
            # ingest (callgrind), where "C" compares bytes.  These are identifiers
            # and codes, never shown sorted by locale: every query that orders by one
            # already says COLLATE "C" (tracking numbers as memory orders them), and
            # equality is the same under both.  Only the indexes are rebuilt, not the
            # tables (the type is the same).
            'ALTER TABLE shipments ALTER COLUMN tracking_number TYPE TEXT COLLATE "C"',
            'ALTER TABLE incidents ALTER COLUMN id TYPE TEXT COLLATE "C", '
            'ALTER COLUMN tracking_number TYPE TEXT COLLATE "C", '
            'ALTER COLUMN kind TYPE TEXT COLLATE "C", '
            'ALTER COLUMN severity TYPE TEXT COLLATE "C", '
            'ALTER COLUMN carrier TYPE TEXT COLLATE "C"',
            'ALTER TABLE feed ALTER COLUMN change_id TYPE TEXT COLLATE "C", '
            'ALTER COLUMN incident_id TYPE TEXT COLLATE "C"',
            'ALTER TABLE shipment_facts ALTER COLUMN tracking_number TYPE TEXT COLLATE "C"',
            # A state write is an update that moves the due time (98 % of them), so never
            # HOT; still, the new version stays on its page when the page has room, and
            # full pages sent two-thirds of an ingest's updates (of any table) to
            # another page, most to one the table grew by (zeroed and written at its
            # end).  Pages filled to 70 % by inserts and moved rows keep that room: in a
            # 2,000-shipment ingest 38 % of the updates move, the table is 908 pages
            # instead of 1,342, the server's instructions 2 % fewer (callgrind).  Only
            # pages written from now on are affected.
            "ALTER TABLE shipments SET (fillfactor = 70)",
        ),
    ),
    Migration(
        9,
        "The facts' date indexes hold only the rows that have the date, and (PostgreSQL) "
        "incidents' pages keep room for a snapshot's next version",
        (
            # A B-tree holds NULL keys too: every write of a parcel not yet delivered
            # (or without a promised date) added an entry no report reads, since the
            # one query by these dates (_facts.read_facts) asks for `IS NOT NULL` on
            # each; a partial index with that predicate serves it the same way (on
            # SQLite too: each arm of its OR reads its index).  Every facts update
            # changes one of these dates, so none is HOT: each write is an entry per
            # index it belongs to.
            "DROP INDEX shipment_facts_shipped",
            "CREATE INDEX shipment_facts_shipped ON shipment_facts (shipped_at) "
            "WHERE shipped_at IS NOT NULL",
            "DROP INDEX shipment_facts_promised",
            "CREATE INDEX shipment_facts_promised ON shipment_facts (promised_at) "
            "WHERE promised_at IS NOT NULL",
            "DROP INDEX shipment_facts_delivered",
            "CREATE INDEX shipment_facts_delivered ON shipment_facts (delivered_at) "
            "WHERE delivered_at IS NOT NULL",
        ),
        (
            # Most incident updates change the snapshot and leave every indexed column
            # as it was: such an update is HOT (no entry in any of the table's seven
            # indexes) when the new version fits on its page, but inserts filled the
            # pages, so in a 2,000-shipment ingest 115 of 654 updates were HOT; at 70 %,
            # 382.  Only pages written from now on are affected.
            "ALTER TABLE incidents SET (fillfactor = 70)",
        ),
    ),
)

SCHEMA_VERSION = MIGRATIONS[-1].version
