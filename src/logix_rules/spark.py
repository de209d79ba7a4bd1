"""Run a rule pack on Apache Spark (public import path; ``pip install 'logix[spark]'``).

The implementation lives in ``logix_rules.integrations``; see docs/spark.md.
"""

from .integrations._spark import (
    CHANGE_SCHEMA,
    DEFAULT_STATE_CACHE,
    EVENT_SCHEMA,
    HAVE_TRANSFORM_WITH_STATE,
    INPUT_SCHEMA,
    OUTPUT_SCHEMA,
    SHIPMENT_SCHEMA,
    STATE_SCHEMA,
    IncidentProcessor,
    PackSource,
    SparkSetupError,
    finish_output,
    fold_changes,
    incident_changes,
    input_row,
    local_session,
    main,
    pandas_state_function,
    prepare_input,
    write_batches,
)

__all__ = [
    "CHANGE_SCHEMA",
    "DEFAULT_STATE_CACHE",
    "EVENT_SCHEMA",
    "HAVE_TRANSFORM_WITH_STATE",
    "INPUT_SCHEMA",
    "OUTPUT_SCHEMA",
    "SHIPMENT_SCHEMA",
    "STATE_SCHEMA",
    "IncidentProcessor",
    "PackSource",
    "SparkSetupError",
    "finish_output",
    "fold_changes",
    "incident_changes",
    "input_row",
    "local_session",
    "main",
    "pandas_state_function",
    "prepare_input",
    "write_batches",
]


if __name__ == "__main__":  # `python -m logix_rules.spark`
    import sys

    sys.exit(main())
