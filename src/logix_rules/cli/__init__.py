"""The ``logix`` command: one module per sub-command group, and the output renderers."""
