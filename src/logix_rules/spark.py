"""Run a rule pack on Apache Spark (public import path; ``pip install 'logix[spark]'``).

The implementation lives in ``logix_rules.integrations``; see docs/spark.md.
"""

# _spark_frames first: without PySpark it raises the error that names the extra.
from .integrations._spark_frames import (
    CHANGE_SCHEMA,
    EVENT_SCHEMA,
    INPUT_SCHEMA,
    OUTPUT_SCHEMA,
    SHIPMENT_SCHEMA,
    STATE_SCHEMA,
    SparkSetupError,
    finish_output,
    input_row,
    prepare_input,
)
from .integrations._spark_rows import PackSource, fold_changes
from .integrations._spark_stream import (
    DEFAULT_STATE_CACHE,
    HAVE_TRANSFORM_WITH_STATE,
    IncidentProcessor,
    incident_changes,
    local_session,
    main,
    pandas_state_function,
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

# The type of ``incident_changes(api=...)``, importable as before the layout change.
from .integrations._spark_stream import Api as Api

if __name__ == "__main__":  # `python -m logix_rules.spark`
    import sys

    sys.exit(main())
