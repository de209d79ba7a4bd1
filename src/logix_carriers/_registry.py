"""Adapter discovery through the ``logix_carriers.adapters`` entry-point group.

A distribution registers an adapter with, in its ``pyproject.toml``::

    [project.entry-points."logix_carriers.adapters"]
    acme = "logix_acme.adapter:AcmeAdapter"

The entry-point name is the carrier code and must equal the class's ``code``.
Built-in adapters register the same way from the ``logix`` distribution.

Nothing is imported until an adapter is asked for; each class is loaded once and
cached (:func:`clear_adapter_cache` forgets everything, for tests).  A plugin that
fails to import or is not an adapter is skipped with a :class:`PluginWarning`
naming it and its distribution; a code claimed by two distributions is reported
the same way, and the built-in (or else the alphabetically first distribution)
wins.  ``LOGIX_DISABLE_PLUGINS=1`` skips every adapter not shipped by ``logix``.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ._adapter import Capabilities, CarrierAdapter
from ._errors import ConfigError

__all__ = [
    "BUILTIN_DISTRIBUTION",
    "DISABLE_PLUGINS_VAR",
    "ENTRY_POINT_GROUP",
    "AdapterInfo",
    "PluginWarning",
    "Registry",
    "available_adapters",
    "clear_adapter_cache",
    "get_adapter",
    "get_adapter_class",
]

ENTRY_POINT_GROUP = "logix_carriers.adapters"
DISABLE_PLUGINS_VAR = "LOGIX_DISABLE_PLUGINS"
BUILTIN_DISTRIBUTION = "logix"

_TRUE = {"1", "true", "yes", "on"}


class PluginWarning(UserWarning):
    """A carrier plugin was skipped (broken, not an adapter) or clashes with another."""


@dataclass(frozen=True)
class AdapterInfo:
    """One discovered adapter and where it came from."""

    code: str
    name: str
    distribution: str
    version: str | None
    entry_point: str
    adapter_class: type[CarrierAdapter]

    @property
    def builtin(self) -> bool:
        return _normalize(self.distribution) == BUILTIN_DISTRIBUTION

    @property
    def capabilities(self) -> Capabilities:
        return self.adapter_class.capabilities  # type: ignore[return-value]

    @property
    def source(self) -> str:
        """``"logix 0.1.0"``: the distribution and its version."""
        return f"{self.distribution} {self.version}" if self.version else self.distribution


def _normalize(name: str) -> str:
    """PEP 503 normalization, so ``Logix_Carrier.Example`` equals ``logix-carrier-example``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _dist_of(ep: importlib.metadata.EntryPoint) -> tuple[str, str | None]:
    dist = ep.dist
    if dist is None:
        return "<unknown distribution>", None
    name = dist.metadata["Name"] if dist.metadata is not None else None
    return (name or "<unknown distribution>"), dist.version


def _default_entry_points() -> Iterable[importlib.metadata.EntryPoint]:
    return importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)


def _looks_like_adapter(obj: Any) -> str | None:
    """Why ``obj`` is not an adapter class, or None."""
    if not isinstance(obj, type):
        return f"it is a {type(obj).__name__}, not a class"
    missing = [
        attr
        for attr in ("code", "name", "capabilities", "settings_model", "track", "parse_payload")
        if not hasattr(obj, attr)
    ]
    if missing:
        return f"class {obj.__qualname__} lacks {', '.join(missing)}"
    if not isinstance(getattr(obj, "capabilities", None), Capabilities):
        return f"{obj.__qualname__}.capabilities is not a Capabilities"
    return None


class Registry:
    """The adapters visible through entry points, loaded lazily and cached.

    ``entry_points`` returns the group's entry points (the default reads the
    installed distributions); ``environ`` replaces ``os.environ``.  Both are seams
    for tests.
    """

    def __init__(
        self,
        entry_points: Callable[[], Iterable[importlib.metadata.EntryPoint]] | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._entry_points = entry_points or _default_entry_points
        self._environ = environ
        self._lock = threading.RLock()
        self._candidates: dict[str, list[importlib.metadata.EntryPoint]] | None = None
        self._loaded: dict[str, AdapterInfo | None] = {}
        self._disabled: set[str] = set()

    def clear(self) -> None:
        """Forget every discovered and loaded adapter."""
        with self._lock:
            self._candidates = None
            self._loaded.clear()
            self._disabled.clear()

    @property
    def plugins_disabled(self) -> bool:
        env = os.environ if self._environ is None else self._environ
        return env.get(DISABLE_PLUGINS_VAR, "").strip().lower() in _TRUE

    def _scan(self) -> dict[str, list[importlib.metadata.EntryPoint]]:
        with self._lock:
            if self._candidates is not None:
                return self._candidates
            disabled = self.plugins_disabled
            candidates: dict[str, list[importlib.metadata.EntryPoint]] = {}
            seen: set[tuple[str, str, str]] = set()
            for ep in self._entry_points():
                dist, _ = _dist_of(ep)
                # The same distribution can be visible twice (e.g. an editable
                # install plus a build directory on sys.path): not a clash.
                key = (ep.name, ep.value, _normalize(dist))
                if key in seen:
                    continue
                seen.add(key)
                if disabled and _normalize(dist) != BUILTIN_DISTRIBUTION:
                    self._disabled.add(ep.name)
                    continue
                candidates.setdefault(ep.name, []).append(ep)
            for code, eps in candidates.items():
                eps.sort(
                    key=lambda ep: (
                        _normalize(_dist_of(ep)[0]) != BUILTIN_DISTRIBUTION,
                        _normalize(_dist_of(ep)[0]),
                    )
                )
                if len(eps) > 1:
                    winner = _dist_of(eps[0])[0]
                    others = ", ".join(f"{_dist_of(ep)[0]} ({ep.value})" for ep in eps[1:])
                    warnings.warn(
                        f"carrier code {code!r} is registered by several distributions: "
                        f"using {winner} ({eps[0].value}); ignoring {others}. Uninstall one "
                        "of them or give the plugin another code.",
                        PluginWarning,
                        stacklevel=4,
                    )
            self._candidates = candidates
            return candidates

    def _load(self, code: str) -> AdapterInfo | None:
        with self._lock:
            if code in self._loaded:
                return self._loaded[code]
            info = None
            eps = self._scan().get(code, [])
            if eps:
                info = self._load_entry_point(eps[0])
            self._loaded[code] = info
            return info

    def _load_entry_point(self, ep: importlib.metadata.EntryPoint) -> AdapterInfo | None:
        dist, version = _dist_of(ep)
        label = f"carrier plugin {ep.name!r} ({ep.value}) from distribution {dist}"
        try:
            obj = ep.load()
        except Exception as exc:
            # Any error while importing third-party code must not take logix down.
            warnings.warn(
                f"{label} could not be loaded and is skipped: {type(exc).__name__}: {exc}",
                PluginWarning,
                stacklevel=5,
            )
            return None
        problem = _looks_like_adapter(obj)
        if problem is None and obj.code != ep.name:
            problem = f"its class code is {obj.code!r} but the entry point is named {ep.name!r}"
        if problem is not None:
            warnings.warn(
                f"{label} is not a usable carrier adapter and is skipped: {problem}",
                PluginWarning,
                stacklevel=5,
            )
            return None
        return AdapterInfo(
            code=ep.name,
            name=str(obj.name),
            distribution=dist,
            version=version,
            entry_point=ep.value,
            adapter_class=obj,
        )

    def available(self) -> dict[str, AdapterInfo]:
        """Every loadable adapter by code, sorted by code."""
        with self._lock:
            codes = sorted(self._scan())
            infos = (self._load(code) for code in codes)
            return {info.code: info for info in infos if info is not None}

    def adapter_class(self, code: str) -> type[CarrierAdapter]:
        """The adapter class for ``code``; :class:`ConfigError` when there is none."""
        key = code.strip().lower()
        info = self._load(key)
        if info is not None:
            return info.adapter_class
        known = ", ".join(sorted(self._scan())) or "none"
        hint = ""
        if key in self._disabled:
            hint = f"; it is a third-party plugin and {DISABLE_PLUGINS_VAR} is set"
        elif key in self._scan():
            hint = "; its plugin failed to load (see the warning above)"
        raise ConfigError(f"no carrier adapter {code!r} (available: {known}){hint}")

    def get(self, code: str, **settings: Any) -> CarrierAdapter:
        """An instance of the adapter for ``code``, built with ``settings``."""
        cls = self.adapter_class(code)
        adapter: CarrierAdapter = cls(**settings)
        return adapter


_registry = Registry()


def available_adapters() -> dict[str, AdapterInfo]:
    """Every installed carrier adapter by code, with the distribution it came from."""
    return _registry.available()


def get_adapter(code: str, **settings: Any) -> CarrierAdapter:
    """The adapter registered under ``code``, configured with ``settings``.

    Settings not given are read from ``LOGIX_<CODE>_<FIELD>`` when first needed.
    """
    return _registry.get(code, **settings)


def get_adapter_class(code: str) -> type[CarrierAdapter]:
    """The adapter class registered under ``code`` (not instantiated)."""
    return _registry.adapter_class(code)


def clear_adapter_cache() -> None:
    """Forget discovered adapters so the next call scans the entry points again."""
    importlib.invalidate_caches()
    _registry.clear()
