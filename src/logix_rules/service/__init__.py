"""The service: carrier webhooks in, polling, the clock, the change feed out, and the
exception desk, as one ASGI app (``pip install 'logix[service]'``).

>>> from logix_rules.service import create_app                 # doctest: +SKIP
>>> app = create_app(open_store("sqlite:///ops.db"), "default")  # doctest: +SKIP

See docs/service.md.  Imports ``core``, ``compiler``, ``runtime``, ``store``
and ``intake`` (the desk's claim packages).
"""

from ._app import create_app, installed_adapters
from ._context import Handle, ServiceContext
from ._errors import ServiceError
from ._metrics import Metrics
from ._relay import DeadLetter, Relay, dead_letters, sign_relay, verify_relay
from ._settings import DEFAULT_MAX_BODY, DEFAULT_POLL_INTERVAL, ServiceSettings
from ._users import add_user, delete_user, list_users, verify_user

__all__ = [
    "DEFAULT_MAX_BODY",
    "DEFAULT_POLL_INTERVAL",
    "DeadLetter",
    "Handle",
    "Metrics",
    "Relay",
    "ServiceContext",
    "ServiceError",
    "ServiceSettings",
    "add_user",
    "create_app",
    "dead_letters",
    "delete_user",
    "installed_adapters",
    "list_users",
    "sign_relay",
    "verify_relay",
    "verify_user",
]
