"""What the compiler and the runtime share: error types and codes, durations and
instants in microseconds, the event-record layout, and the helpers generated code calls.

Imports nothing else from ``logix_rules``.  Internal: import from ``logix_rules``.
"""
