"""The runtime: the per-shipment kernel, the ``Engine``, incidents and changes,
explanations and the input readers.

Imports ``core`` and ``compiler``; never the CLI, testing, demo or integrations.
Internal: import from ``logix_rules``.
"""
