"""The built-in carrier adapters, one private module per carrier.

Each is registered in the ``logix_carriers.adapters`` entry-point group and re-exported
from ``logix_carriers``.  A new built-in carrier goes here (see docs/architecture.md).
"""
