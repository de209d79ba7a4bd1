"""Alternative execution backends for rule packs.

Each backend lives in its own module and imports its third-party engine only when
used, so ``import logix_rules.backends`` never needs an optional extra:

* ``logix_rules.backends.durable``: the pack compiled into a durable_rules ruleset
  (``pip install 'logix[durable]'``).
"""
