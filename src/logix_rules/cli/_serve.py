"""``logix serve`` (the service, under uvicorn) and ``logix users`` (desk users)."""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys

import attrs
from pydantic import SecretStr

from ..store._urls import mask_password
from ._common import EXIT_OK, EXIT_PROBLEMS, UsageError, _load
from ._store import _opened

__all__ = ["add_parsers", "cmd_serve", "cmd_users"]


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``serve`` and ``users``."""
    serve = sub.add_parser(
        "serve",
        help="run the service: webhooks, polling, the clock, the feed, the API and the desk",
        description="Run the service with uvicorn (see docs/service.md). It refuses to start "
        "without LOGIX_SESSION_SECRET and LOGIX_API_TOKENS unless it binds only to "
        "127.0.0.1 and is given --dev.",
    )
    serve.add_argument("--store", required=True, metavar="URL", help="the store's URL")
    serve.add_argument("--pack", default="default", help="the pack to run (default: default)")
    serve.add_argument("--host", default="127.0.0.1", help="the address to bind (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="the port (8080)")
    serve.add_argument(
        "--dev",
        action="store_true",
        help="on 127.0.0.1 only: start without secrets (a session secret for this run)",
    )
    serve.add_argument(
        "--no-background",
        action="store_true",
        help="answer requests only: no clock, poller or relay in this process",
    )
    serve.add_argument("--log-level", default="info", choices=("debug", "info", "warning"))
    serve.set_defaults(handler=cmd_serve, args_only=True)

    users = sub.add_parser(
        "users",
        help="manage the exception desk's users (kept in the store)",
        description="Add a desk user (the password is read from standard input and kept "
        "as a scrypt hash), list them or remove one.",
    )
    actions = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a user, or set a user's password")
    add.add_argument("name", metavar="NAME")
    listing = actions.add_parser("list", help="list the users")
    remove = actions.add_parser("remove", help="remove a user")
    remove.add_argument("name", metavar="NAME")
    for parser in (add, listing, remove):
        parser.add_argument("--store", required=True, metavar="URL", help="the store's URL")
    users.set_defaults(handler=cmd_users, args_only=True)


def _service() -> None:
    """Fail with a usage error naming the extra when the service's packages are missing."""
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise UsageError(
            f"the service needs its extra: pip install 'logix[service]' ({exc.name} is missing)"
        ) from None


def cmd_serve(args: argparse.Namespace) -> int:
    _service()
    import uvicorn

    from ..service import ServiceError, ServiceSettings
    from ..service._app import create_app, installed_adapters

    adapters = installed_adapters()
    try:
        settings = ServiceSettings.from_env(carriers=tuple(adapters))
        settings.require_safe(args.host, dev=args.dev)
    except ServiceError as exc:
        sys.stderr.write(f"logix serve: {exc}\n")
        return EXIT_PROBLEMS
    if settings.session_secret is None:  # --dev on 127.0.0.1: sessions for this run only
        settings = attrs.evolve(settings, session_secret=SecretStr(secrets.token_urlsafe(32)))
        sys.stderr.write(
            "logix serve: --dev: desk sessions last for this run only; the API accepts "
            f"{'its tokens' if settings.api_tokens else 'no token (set LOGIX_API_TOKENS)'}\n"
        )
    pack = _load(args.pack)
    with _opened(args.store) as store:
        app = create_app(
            store, pack, adapters=adapters, settings=settings, background=not args.no_background
        )
        sys.stderr.write(
            f"logix serve: http://{args.host}:{args.port}/ over {mask_password(store.url)}, "
            f"pack {pack.name}\n"
        )
        uvicorn.run(
            app,
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            access_log=False,
            server_header=False,
        )
    return EXIT_OK


def _password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            raise UsageError("the two passwords differ")
        return first
    line = sys.stdin.readline()
    return line[:-1] if line.endswith("\n") else line


def cmd_users(args: argparse.Namespace) -> int:
    _service()
    from ..service import ServiceError, add_user, delete_user, list_users

    with _opened(args.store) as store:
        if args.users_command == "list":
            for name in list_users(store):
                sys.stdout.write(f"{name}\n")
            return EXIT_OK
        if args.users_command == "remove":
            if not delete_user(store, args.name):
                sys.stderr.write(f"logix users: no user {args.name!r}\n")
                return EXIT_PROBLEMS
            sys.stdout.write(f"removed {args.name}\n")
            return EXIT_OK
        try:
            created = add_user(store, args.name, _password())
        except ServiceError as exc:
            sys.stderr.write(f"logix users: {exc}\n")
            return EXIT_PROBLEMS
        sys.stdout.write(f"{'added' if created else 'changed the password of'} {args.name}\n")
        return EXIT_OK
