"""The service: carrier webhooks in, polling, the clock, the change feed out, and the
exception desk, as one ASGI app (``pip install 'logix[service]'``).

>>> from logix_rules.service import create_app                 # doctest: +SKIP
>>> app = create_app(open_store("sqlite:///ops.db"), "default")  # doctest: +SKIP

See docs/service.md.  Imports ``core``, ``compiler``, ``runtime`` and ``store``.
"""

from ._context import Handle, ServiceContext
from ._errors import ServiceError
from ._metrics import Metrics
from ._settings import DEFAULT_MAX_BODY, DEFAULT_POLL_INTERVAL, ServiceSettings
from ._users import add_user, delete_user, list_users, verify_user

__all__ = [
    "DEFAULT_MAX_BODY",
    "DEFAULT_POLL_INTERVAL",
    "Handle",
    "Metrics",
    "ServiceContext",
    "ServiceError",
    "ServiceSettings",
    "add_user",
    "delete_user",
    "list_users",
    "verify_user",
]
