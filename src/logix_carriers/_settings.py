"""Adapter settings: a pydantic model filled from arguments or ``LOGIX_<CARRIER>_<FIELD>``.

pydantic-settings is not a dependency, and only one small part of it is needed:
each field of an adapter's settings model may come from a keyword argument or from
an environment variable named after the carrier code and the field
(``api_key`` of ``dhl`` → ``LOGIX_DHL_API_KEY``).  Arguments win over the
environment.  A missing or invalid setting is a :class:`ConfigError` that names
both ways to supply it; secret values never appear in the message.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretBytes,
    SecretStr,
    TypeAdapter,
    ValidationError,
)

from ._errors import ConfigError

__all__ = ["AdapterSettings", "env_prefix"]


def env_prefix(carrier: str) -> str:
    """``LOGIX_<CARRIER>_`` with every run of non-alphanumerics turned into ``_``."""
    return "LOGIX_" + re.sub(r"[^A-Z0-9]+", "_", carrier.upper()).strip("_") + "_"


class AdapterSettings(BaseModel):
    """Settings shared by every adapter; subclasses add their own fields.

    Declare credentials as ``SecretStr`` so they never show in reprs or dumps.
    ``timeout`` (seconds) applies to each connect, read and write of an HTTP call;
    ``max_retries`` bounds the retries of one call on connect errors, timeouts, 429
    and 5xx.  ``request_deadline`` (seconds) bounds one call in all, retries and
    pauses included, and ``track_deadline`` one ``track()``; ``max_body_bytes``
    caps a decompressed response body.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    timeout: Annotated[float, Field(gt=0, le=300)] = 20.0
    max_retries: Annotated[int, Field(ge=0, le=10)] = 3
    request_deadline: Annotated[float, Field(gt=0, le=3600)] = 60.0
    track_deadline: Annotated[float, Field(gt=0, le=86_400)] = 600.0
    max_body_bytes: Annotated[int, Field(ge=1024, le=1024**3)] = 10 * 1024 * 1024

    @classmethod
    def env_var(cls, carrier: str, field: str) -> str:
        """The environment variable that supplies ``field`` for ``carrier``."""
        return env_prefix(carrier) + field.upper()

    @classmethod
    def env_vars(cls, carrier: str) -> dict[str, str]:
        """Every field of this model and the environment variable that supplies it."""
        return {name: cls.env_var(carrier, name) for name in cls.model_fields}

    @classmethod
    def required_fields(cls) -> tuple[str, ...]:
        """Fields without a default: they must come from an argument or the environment."""
        return tuple(name for name, info in cls.model_fields.items() if info.is_required())

    @classmethod
    def secret_fields(cls) -> frozenset[str]:
        """Fields annotated ``SecretStr`` / ``SecretBytes`` (possibly optional)."""
        secret_types = (SecretStr, SecretBytes)
        names = set()
        for name, info in cls.model_fields.items():
            annotation = info.annotation
            args = getattr(annotation, "__args__", ())
            if annotation in secret_types or any(arg in secret_types for arg in args):
                names.add(name)
        return frozenset(names)

    @classmethod
    def check_names(cls, carrier: str, overrides: Mapping[str, Any]) -> None:
        """Reject keyword arguments that are not settings of this adapter."""
        unknown = sorted(set(overrides) - set(cls.model_fields))
        if unknown:
            valid = ", ".join(sorted(cls.model_fields))
            raise ConfigError(
                f"unknown setting(s) {', '.join(unknown)}; this adapter accepts: {valid}",
                carrier=carrier,
            )

    @classmethod
    def load(
        cls,
        carrier: str,
        overrides: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Self:
        """Build the settings from ``overrides`` first, then the environment.

        ``environ`` defaults to ``os.environ``; tests pass a dict.  Empty environment
        variables count as unset.
        """
        overrides = dict(overrides or {})
        cls.check_names(carrier, overrides)
        env = os.environ if environ is None else environ
        data: dict[str, Any] = {}
        origin: dict[str, str] = {}
        for name in cls.model_fields:
            var = cls.env_var(carrier, name)
            if name in overrides and overrides[name] is not None:
                data[name] = overrides[name]
                origin[name] = f"argument {name}="
            elif env.get(var, "").strip():
                data[name] = env[var].strip()
                origin[name] = f"environment variable {var}"
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            error = cls._config_error(carrier, exc, origin)
            if error.variable and any(
                str(e["loc"][0]) in cls.secret_fields() for e in exc.errors() if e["loc"]
            ):
                # The validation error would echo the rejected secret back.
                raise error from None
            raise error from exc

    @classmethod
    def load_field(
        cls,
        carrier: str,
        name: str,
        overrides: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Any:
        """One setting, validated, without requiring the others.

        For settings read where credentials may be absent (a webhook receiver
        that has no API key).  ``ConfigError`` names the variable when invalid.
        """
        info = cls.model_fields[name]
        var = cls.env_var(carrier, name)
        env = os.environ if environ is None else environ
        given = (overrides or {}).get(name)
        origin = f"argument {name}="
        if given is None and env.get(var, "").strip():
            given, origin = env[var].strip(), f"environment variable {var}"
        if given is None:
            return info.get_default(call_default_factory=True)
        annotation: Any = info.annotation
        if info.metadata:
            annotation = Annotated[annotation, *info.metadata]
        checker: TypeAdapter[Any] = TypeAdapter(annotation)
        try:
            return checker.validate_python(given)
        except ValidationError as exc:
            why = "; ".join(e["msg"] for e in exc.errors(include_input=False, include_url=False))
            raise ConfigError(
                f"invalid setting {name!r} from {origin}: {why}", variable=var, carrier=carrier
            ) from None

    @classmethod
    def _config_error(
        cls, carrier: str, exc: ValidationError, origin: Mapping[str, str]
    ) -> ConfigError:
        lines: list[str] = []
        first_var: str | None = None
        for err in exc.errors(include_input=False, include_url=False):
            field = str(err["loc"][0]) if err["loc"] else "?"
            var = cls.env_var(carrier, field)
            first_var = first_var or var
            if err["type"] == "missing":
                lines.append(f"missing setting {field!r}: set {var} or pass {field}=...")
            else:
                where = origin.get(field, var)
                lines.append(f"invalid setting {field!r} from {where}: {err['msg']}")
        return ConfigError("; ".join(lines), variable=first_var, carrier=carrier)
