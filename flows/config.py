"""The run configuration: one TOML file (`--config`, default `sota.toml`) naming the warehouse and the sources.

Secrets never live in the file: a value written as `env:NAME` is read from the environment when the run starts.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.registry import UnknownSourceError, get_source

DEFAULT_CONFIG = "sota.toml"


class ConfigError(ValueError):
    """A configuration a run cannot start from; the message is one line naming the file and the entry."""


@dataclass(frozen=True)
class SourceConfig:
    name: str  # the user's name for this entry (one kind may be configured several times)
    kind: str  # a registered source
    location: str  # URL or path
    options: dict = field(default_factory=dict)
    enabled: bool = True


@dataclass(frozen=True)
class RunConfig:
    path: Path
    database: str | None
    sources: list[SourceConfig]

    def selected(self, names: list[str] | None) -> list[SourceConfig]:
        """The enabled sources, or exactly the ones named (even if disabled: naming one is asking for it)."""
        if not names:
            return [s for s in self.sources if s.enabled]
        known = {s.name: s for s in self.sources}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ConfigError(f"{self.path}: no source named {', '.join(unknown)} (configured: {', '.join(known)})")
        return [known[n] for n in names]


def resolve_secret(value: str) -> str:
    if isinstance(value, str) and value.startswith("env:"):
        name = value.removeprefix("env:")
        if name not in os.environ:
            raise ConfigError(f"environment variable {name} is not set")
        return os.environ[name]
    return value


def load_config(path: str | os.PathLike | None = None) -> RunConfig:
    target = Path(path or DEFAULT_CONFIG)
    try:
        document = tomllib.loads(target.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"no configuration at {target} (see sota.example.toml)") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{target}: not valid TOML: {error}") from None
    sources = []
    for index, entry in enumerate(document.get("sources", [])):
        where = f"{target}: [[sources]] entry {index + 1}"
        name, kind = entry.get("name"), entry.get("kind")
        location = entry.get("url") or entry.get("path")
        if not name or not kind:
            raise ConfigError(f"{where} needs a name and a kind")
        try:
            spec = get_source(kind)
        except UnknownSourceError as error:
            raise ConfigError(f"{where} ({name}): {error}") from None
        location = location or spec.default_url
        if not location:
            raise ConfigError(f"{where} ({name}) needs a url or a path")
        options = {k: str(v) for k, v in entry.items() if k not in {"name", "kind", "url", "path", "enabled"}}
        sources.append(SourceConfig(name, kind, str(location), options, bool(entry.get("enabled", True))))
    names = [s.name for s in sources]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ConfigError(f"{target}: source names must be unique: {', '.join(duplicated)}")
    database = document.get("warehouse", {}).get("path")
    return RunConfig(target, database, sources)
