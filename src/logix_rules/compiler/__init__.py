"""The pack compiler: YAML with marks, the expression language, the named stages
(parse, validate, resolve, typecheck, codegen), the ``Pack``/``Rule``/``Param`` objects,
lint and pack docs.

Imports ``core`` only (never ``runtime``).  Internal: import from ``logix_rules``.
"""
