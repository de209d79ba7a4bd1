"""Adapter discovery through entry points, with faked installed distributions.

Each test writes ``*.dist-info`` directories into a temporary directory and lets
the real ``importlib.metadata`` machinery read them; nothing is installed.
"""

from __future__ import annotations

import importlib.metadata
import itertools
import sys
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from sdk_support import write_distribution

import logix_carriers
from logix_carriers import (
    ENTRY_POINT_GROUP,
    ConfigError,
    FileAdapter,
    PluginWarning,
    available_adapters,
    clear_adapter_cache,
    get_adapter,
)
from logix_carriers._registry import Registry

_ids = itertools.count()

ADAPTER_SOURCE = textwrap.dedent(
    """
    from logix_carriers import AdapterSettings, BaseAdapter, Capabilities, TrackResult
    from pydantic import SecretStr

    IMPORTS = globals().setdefault("IMPORTS", [])
    IMPORTS.append(1)

    class Settings(AdapterSettings):
        api_key: SecretStr | None = None

    class Adapter(BaseAdapter[Settings]):
        code = "{code}"
        name = "{name}"
        settings_model = Settings
        capabilities = Capabilities(batch_size=3)

        def parse_payload(self, payload, numbers=()):
            return TrackResult.build(self.code)
    """
)


class Plugins:
    """Builds fake distributions under one directory and a Registry reading them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.scans = 0

    def add(
        self,
        dist: str,
        code: str,
        *,
        name: str = "Plugin",
        source: str | None = None,
        attribute: str = "Adapter",
        version: str = "1.0",
    ) -> str:
        module = f"fake_logix_plugin_{next(_ids)}"
        text = source if source is not None else ADAPTER_SOURCE.format(code=code, name=name)
        write_distribution(
            self.root / dist, dist, version, {code: f"{module}:{attribute}"}, {module: text}
        )
        sys.path.insert(0, str(self.root / dist))
        return module

    def entry_points(self) -> list[importlib.metadata.EntryPoint]:
        self.scans += 1
        paths = sorted(str(p) for p in self.root.iterdir())
        return [
            ep
            for dist in importlib.metadata.distributions(path=paths)
            for ep in dist.entry_points
            if ep.group == ENTRY_POINT_GROUP
        ]

    def registry(self, **environ: str) -> Registry:
        return Registry(entry_points=self.entry_points, environ=environ)


@pytest.fixture
def plugins(tmp_path: Path) -> Iterator[Plugins]:
    saved = list(sys.path)
    yield Plugins(tmp_path)
    sys.path[:] = saved


def test_a_plugin_is_found_with_its_distribution(plugins: Plugins) -> None:
    plugins.add("acme-carrier", "acme", name="Acme Parcel", version="2.3.1")
    info = plugins.registry().available()["acme"]
    assert info.name == "Acme Parcel"
    assert info.distribution == "acme-carrier"
    assert info.version == "2.3.1"
    assert info.source == "acme-carrier 2.3.1"
    assert not info.builtin
    assert info.capabilities.batch_size == 3
    assert info.entry_point.endswith(":Adapter")


def test_loading_is_lazy_and_cached(plugins: Plugins) -> None:
    module = plugins.add("acme-carrier", "acme")
    registry = plugins.registry()
    assert plugins.scans == 0  # nothing happens at creation
    assert module not in sys.modules
    first = registry.available()
    second = registry.available()
    assert first["acme"] is second["acme"]
    assert plugins.scans == 1
    assert sys.modules[module].IMPORTS == [1]
    registry.clear()
    registry.available()
    assert plugins.scans == 2


def test_get_builds_the_adapter_with_settings(plugins: Plugins) -> None:
    plugins.add("acme-carrier", "acme")
    adapter = plugins.registry().get("ACME ", api_key="k-1", timeout=3)
    assert adapter.code == "acme"
    assert adapter.settings.timeout == 3  # type: ignore[attr-defined]


def test_get_only_imports_the_requested_plugin(plugins: Plugins) -> None:
    wanted = plugins.add("acme-carrier", "acme")
    other = plugins.add("zeta-carrier", "zeta")
    plugins.registry().get("acme")
    assert wanted in sys.modules
    assert other not in sys.modules


def test_unknown_code_lists_what_is_available(plugins: Plugins) -> None:
    plugins.add("acme-carrier", "acme")
    with pytest.raises(ConfigError, match=r"no carrier adapter 'dhx' \(available: acme\)"):
        plugins.registry().get("dhx")


@pytest.mark.parametrize(
    ("source", "attribute", "expected"),
    [
        ("import not_a_module_anywhere\n", "Adapter", "ModuleNotFoundError"),
        ("raise RuntimeError('plugin exploded')\n", "Adapter", "plugin exploded"),
        (ADAPTER_SOURCE.format(code="broken", name="B"), "Missing", "AttributeError"),
        ("def Adapter():\n    pass\n", "Adapter", "not a class"),
        ("class Adapter:\n    code = 'broken'\n", "Adapter", "lacks name, capabilities"),
        (ADAPTER_SOURCE.format(code="other", name="B"), "Adapter", "class code is 'other'"),
    ],
)
def test_a_broken_plugin_warns_naming_it_and_its_distribution(
    plugins: Plugins, source: str, attribute: str, expected: str
) -> None:
    plugins.add("good-carrier", "good")
    plugins.add("broken-carrier", "broken", source=source, attribute=attribute)
    registry = plugins.registry()
    with pytest.warns(PluginWarning) as record:
        adapters = registry.available()
    assert list(adapters) == ["good"]
    (warning,) = record
    message = str(warning.message)
    assert "'broken'" in message
    assert "broken-carrier" in message
    assert expected in message
    with pytest.raises(ConfigError, match="failed to load"):
        registry.get("broken")


def test_duplicate_codes_are_reported_and_resolved_deterministically(plugins: Plugins) -> None:
    plugins.add("zeta-carrier", "acme", name="Zeta's acme")
    plugins.add("alpha-carrier", "acme", name="Alpha's acme")
    with pytest.warns(PluginWarning, match="registered by several distributions") as record:
        info = plugins.registry().available()["acme"]
    assert info.distribution == "alpha-carrier"
    message = str(record[0].message)
    assert "using alpha-carrier" in message
    assert "ignoring zeta-carrier" in message


def test_a_builtin_wins_a_duplicate_code(plugins: Plugins) -> None:
    plugins.add("aaa-impostor", "file", name="Impostor")
    plugins.add("logix", "file", name="Built-in")
    with pytest.warns(PluginWarning, match="using logix"):
        info = plugins.registry().available()["file"]
    assert info.name == "Built-in"
    assert info.builtin


def test_the_same_distribution_seen_twice_is_not_a_duplicate(plugins: Plugins) -> None:
    plugins.add("acme-carrier", "acme")
    registry = Registry(entry_points=lambda: plugins.entry_points() * 2, environ={})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert list(registry.available()) == ["acme"]


@pytest.mark.parametrize("value", ["1", "true", "YES"])
def test_disabling_plugins_keeps_the_builtins(plugins: Plugins, value: str) -> None:
    plugins.add("logix", "core", name="Built-in")
    plugin_module = plugins.add("acme-carrier", "acme")
    registry = plugins.registry(LOGIX_DISABLE_PLUGINS=value)
    assert list(registry.available()) == ["core"]
    assert plugin_module not in sys.modules
    with pytest.raises(ConfigError, match="LOGIX_DISABLE_PLUGINS"):
        registry.get("acme")


def test_plugins_load_when_the_switch_is_off(plugins: Plugins) -> None:
    plugins.add("acme-carrier", "acme")
    assert list(plugins.registry(LOGIX_DISABLE_PLUGINS="0").available()) == ["acme"]


# -- the process-wide registry ----------------------------------------------------------


def test_the_file_adapter_is_registered_by_the_logix_distribution() -> None:
    info = available_adapters()["file"]
    assert info.adapter_class is FileAdapter
    assert info.distribution == "logix"
    assert info.builtin
    assert isinstance(get_adapter("file"), FileAdapter)


def test_a_dist_info_on_sys_path_is_discovered_by_the_default_registry(
    plugins: Plugins, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LOGIX_DISABLE_PLUGINS", raising=False)
    plugins.add("acme-carrier", "acmeglobal", name="Acme Global")
    clear_adapter_cache()
    try:
        adapters = logix_carriers.available_adapters()
        assert adapters["acmeglobal"].distribution == "acme-carrier"
        assert "file" in adapters
    finally:
        sys.path[:] = [p for p in sys.path if not p.startswith(str(plugins.root))]
        clear_adapter_cache()
    assert "acmeglobal" not in available_adapters()
