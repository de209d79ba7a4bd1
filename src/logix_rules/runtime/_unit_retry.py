"""Running an engine call again when its database ended the call's unit as a deadlock.

With PostgreSQL and several workers, the server may end one unit as a deadlock
(SQLSTATE 40P01: a parcel cached here but purged by another process is reserved while
the unit holds row locks, as a second worker creates that very parcel) or, under a
stricter isolation, as a serialization failure (40001).  The transaction is then rolled
back, but the engine stepped the unit's states in place: the unit has dropped them from
its host's cache (they are read again from the rows), and only the whole call, run
again from its inputs, can redo the work.  A host says which errors allow that with an
optional ``may_retry(error)`` (``store/_sql_host.py``); an in-memory host has none, and
its calls run once, as before.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["ATTEMPTS", "retried"]

T = TypeVar("T")

#: How many times a call is run at most: a deadlock needs two workers meeting on a
#: purged parcel at one instant, so a second meeting is rare and a third rarer still.
ATTEMPTS = 3
#: The first wait before running again (seconds; doubled each time, and jittered so
#: that the two workers of a deadlock do not meet again in step).
BACKOFF = 0.01


def retried(call: Callable[[], T], may_retry: Callable[[BaseException], bool] | None) -> T:
    """``call()``; run again, up to ``ATTEMPTS`` in all, while it raises an error that
    ``may_retry`` accepts.  Any other error, or the last attempt's, reaches the caller."""
    if may_retry is None:
        return call()
    attempt = 1
    while True:
        try:
            return call()
        except Exception as error:
            if attempt >= ATTEMPTS or not may_retry(error):
                raise
        time.sleep(BACKOFF * (1 << (attempt - 1)) * random.uniform(0.5, 1.5))
        attempt += 1
