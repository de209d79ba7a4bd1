"""The pack of a Spark stream, shipped to executors as its source (YAML text, not
compiled code) and compiled at most once per process (``kernel_for``)."""

from __future__ import annotations

import hashlib
import importlib.resources
import os
import tempfile
import threading
from pathlib import Path

import attrs

from ..compiler._load import load_pack, loads_pack
from ..compiler._model import BUILTIN_PACKS, Pack
from ..core._errors import LogixError
from ..runtime._kernel import Kernel

__all__ = ["PackMismatch", "PackSource", "kernel_for"]


# -- the pack, shipped as source and compiled once per process ----------------------------------
class PackMismatch(LogixError, RuntimeError):
    """An executor compiled the shipped pack into different rules than the driver did."""


@attrs.frozen
class PackSource:
    """A pack as it travels to executors: its YAML text(s), not compiled code.

    ``files`` holds every file of an ``extends`` chain that is not built in, as
    ``(path relative to a common root, text)``, the pack itself first; ``file`` is
    the name the pack was compiled under on the driver.  Executors compile it once
    per process (``kernel_for``) and compare fingerprints (code, parameter figures and
    severities), so a driver and executors with different logix versions or pack
    files fail loudly instead of disagreeing.
    """

    name: str
    fingerprint: str
    file: str
    files: tuple[tuple[str, str], ...] = ()
    builtin: str | None = None  # a built-in pack, loaded by name on the executor

    @property
    def key(self) -> str:
        """The cache key on executors: the source, and what the driver compiled it to."""
        raw = repr((self.fingerprint, self.builtin, self.file, self.files)).encode()
        digest = hashlib.sha256(raw)
        return digest.hexdigest()[:16]

    @classmethod
    def of(cls, pack: Pack | str | os.PathLike[str]) -> PackSource:
        """The source of a built-in pack name, a pack file path, or a loaded ``Pack``."""
        loaded = pack if isinstance(pack, Pack) else load_pack(os.fspath(pack))
        if loaded.file.startswith("<builtin>/"):
            name = loaded.file.removeprefix("<builtin>/").removesuffix(".yaml")
            if name in BUILTIN_PACKS:
                return cls(loaded.name, loaded.fingerprint, loaded.file, builtin=name)
            text = _builtin_text(name)
            if text is None:
                raise _unshippable(loaded, f"there is no built-in pack file {loaded.file!r}")
            return cls(loaded.name, loaded.fingerprint, loaded.file, ((f"{name}.yaml", text),))
        if loaded.file.startswith("<"):
            raise _unshippable(loaded, f"it was compiled from a string ({loaded.file})")
        chain = [loaded.file, *(f for f in reversed(loaded.extends) if not f.startswith("<"))]
        paths = [Path(f).resolve() for f in chain]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise _unshippable(loaded, f"its file(s) {', '.join(missing)} cannot be read")
        root = Path(os.path.commonpath([p.parent for p in paths]))
        files = tuple((p.relative_to(root).as_posix(), p.read_text("utf-8")) for p in paths)
        source = cls(loaded.name, loaded.fingerprint, loaded.file, files)
        if len(files) == 1:
            # The file may have changed since the pack was loaded: ship what was compiled.
            again = loads_pack(files[0][1], file=loaded.file)
            if again.fingerprint != source.fingerprint:
                raise _unshippable(
                    loaded, f"{loaded.file} changed since it was loaded; load it again"
                )
        return source

    def compile(self) -> Pack:
        if self.builtin is not None:
            pack = load_pack(self.builtin)
        elif len(self.files) == 1:
            pack = loads_pack(self.files[0][1], file=self.file)
        else:
            # A chain of files extending each other by relative paths: lay them out as
            # on the driver so every `extends:` resolves the same way.
            with tempfile.TemporaryDirectory(prefix="logix-pack-") as scratch:
                folder = Path(scratch)
                for rel, text in self.files:
                    target = folder / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(text, "utf-8")
                pack = loads_pack(self.files[0][1], file=str(folder / self.files[0][0]))
        if pack.fingerprint != self.fingerprint:
            raise PackMismatch(
                f"pack {self.name!r} compiles to {pack.fingerprint} here but to "
                f"{self.fingerprint} on "
                "the driver: the executors run a different version of logix; ship the "
                "driver's environment (see docs/spark.md)"
            )
        return pack


def _builtin_text(name: str) -> str | None:
    resource = importlib.resources.files("logix_rules").joinpath("packs", f"{name}.yaml")
    return resource.read_text("utf-8") if resource.is_file() else None


def _unshippable(pack: Pack, why: str) -> ValueError:
    return ValueError(
        f"pack {pack.name!r} cannot be shipped to Spark executors: {why}. "
        "Pass a built-in pack name or the path of the pack file instead."
    )


_KERNELS: dict[str, Kernel] = {}
_KERNELS_LOCK = threading.Lock()


def kernel_for(source: PackSource) -> Kernel:
    """The kernel of ``source``, compiled at most once per process."""
    kernel = _KERNELS.get(source.key)
    if kernel is None:
        with _KERNELS_LOCK:
            kernel = _KERNELS.get(source.key)
            if kernel is None:
                kernel = _KERNELS[source.key] = Kernel(source.compile())
    return kernel
