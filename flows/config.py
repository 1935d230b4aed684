"""The run configuration: one TOML file (`--config`, default `sota.toml`) naming the warehouse, the sources, the
schedule and the alerts (rules and channels). `sota.example.toml` shows every entry.

Relative paths in the file (the warehouse, a source's `path`) are taken from the file's folder, so a run reads the
same files whatever its working directory (a deployment's worker, `sota serve`, `make run`).

Secrets never live in the file: a channel's secret (a webhook URL, which carries its token; an SMTP password) is
written as `env:NAME` (read from the environment) or `block:NAME` (a Prefect Secret block), and is resolved only when
a channel is built to send, never when the file is read, so it is not a flow parameter, not in the Prefect UI and not
in a log line. Every mistake in the file is a `ConfigError` whose message is one line naming the file and the entry.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flows.dates import UsageError, parse_instant, utc_now
from pipelines.registry import UnknownSourceError, get_source
from warehouse.lake import is_lake
from warehouse.sota_detect import Rule, RuleError

DEFAULT_CONFIG = "sota.toml"
DEFAULT_CRON = "0 3 * * *"
DEFAULT_TIMEZONE = "UTC"
CHANNEL_KINDS = ("webhook", "email", "prefect-event", "console")
SECRET_PREFIXES = ("env:", "block:")


class ConfigError(ValueError):
    """A configuration a run cannot start from; the message is one line naming the file and the entry."""


@dataclass(frozen=True)
class SourceConfig:
    name: str  # the user's name for this entry (one kind may be configured several times)
    kind: str  # a registered source
    location: str  # URL or path
    options: dict = field(default_factory=dict)
    enabled: bool = True
    observed_at: str | None = None  # history: when the payload was current; such a source is a backfill
    # the lineage its payloads belong to: its claims, removals, cursors and validators (default: the entry's name;
    # entries of several kinds share one when they are one board's history, a page, then a CSV, then a dump)
    lineage: str | None = None

    @property
    def lineage_name(self) -> str:
        return self.lineage or self.name


@dataclass(frozen=True)
class RunSettings:
    """How hard a run tries: whole-source retries (minutes apart, for errors that can pass) over the HTTP client's
    own quick retries (seconds apart, honouring Retry-After)."""

    retries: int = 2
    retry_delay_seconds: tuple[float, ...] = (30.0, 300.0)
    http_retries: int = 4
    # Hosts a fetch may reach besides the sources' own (where their redirects lead: a CDN); `*.example.org` is any
    # host under example.org. Anything else, and a redirect to a private address, is refused (SSRF).
    allowed_hosts: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScheduleConfig:
    cron: str = DEFAULT_CRON
    timezone: str = DEFAULT_TIMEZONE


@dataclass(frozen=True)
class ChannelConfig:
    """One `[[alerts.channels]]` entry. `settings` keep secrets as their `env:`/`block:` references."""

    name: str  # the outbox's channel name: rows queued for it wait for a channel of that name
    kind: str  # webhook | email | prefect-event | console
    settings: dict = field(default_factory=dict)
    enabled: bool = True

    def describe(self) -> str:
        return f"alerts channel {self.name!r} ({self.kind})"


@dataclass(frozen=True)
class AlertsConfig:
    rules: tuple[Rule, ...] = ()
    channels: tuple[ChannelConfig, ...] = ()
    max_attempts: int | None = None  # after this many failed sends a row is given up (status failed); None: never

    @property
    def enabled_channels(self) -> list[ChannelConfig]:
        return [c for c in self.channels if c.enabled]

    def channel(self, name: str) -> ChannelConfig:
        known = {c.name: c for c in self.channels}
        if name not in known:
            configured = ", ".join(known) or "none"
            raise ConfigError(f"no alerts channel named {name!r} (configured: {configured})")
        return known[name]


@dataclass(frozen=True)
class RunConfig:
    path: Path
    database: str | None  # None: --db, SOTA_DB or sota.duckdb here (warehouse.db.database_path)
    sources: list[SourceConfig]
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    run: RunSettings = field(default_factory=RunSettings)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    report_path: str | None = None  # `[report] path`: the nightly run rebuilds the static report there

    def selected(self, names: list[str] | None) -> list[SourceConfig]:
        """The enabled sources, or exactly the ones named (even if disabled: naming one is asking for it)."""
        if not names:
            return [s for s in self.sources if s.enabled]
        known = {s.name: s for s in self.sources}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ConfigError(f"{self.path}: no source named {', '.join(unknown)} (configured: {', '.join(known)})")
        return [known[n] for n in names]

    def fetch_hosts(self) -> frozenset[str]:
        """The hosts a run may fetch from: every configured source's own (disabled ones too: `--source` can run
        them) and `[run] allowed_hosts`."""
        urls = [urlsplit(s.location) for s in self.sources]
        own = {url.hostname for url in urls if url.scheme in ("http", "https") and url.hostname}  # already lower case
        return frozenset(own) | frozenset(self.run.allowed_hosts)


# ---------------------------------------------------------------------------------------------------- secrets


def number_from_env(name: str, default: float, unit: str) -> float:
    """A non-negative number from the environment variable `name` (`default` when unset); `unit` names it in the
    one-line error a bad value gives."""
    text = os.environ.get(name)
    if text is None:
        return default
    try:
        number = float(text)
    except ValueError:
        raise ConfigError(f"{name} must be a number of {unit}, not {text!r}") from None
    if not number >= 0:  # also refuses nan
        raise ConfigError(f"{name} must be a number of {unit}, not {text!r}")
    return number


def is_secret_reference(value: object) -> bool:
    return isinstance(value, str) and value.startswith(SECRET_PREFIXES) and len(value.split(":", 1)[1].strip()) > 0


def resolve_secret(value: str, *, what: str = "a secret") -> str:
    """The value behind `env:NAME` or `block:NAME` (a Prefect Secret block); anything else is returned as it is.

    Errors name the variable or block, never a value.
    """
    if not isinstance(value, str):
        raise ConfigError(f"{what}: expected env:NAME or block:NAME")
    if value.startswith("env:"):
        name = value.removeprefix("env:").strip()
        if not os.environ.get(name):
            raise ConfigError(f"{what}: environment variable {name} is not set")
        return os.environ[name]
    if value.startswith("block:"):
        name = value.removeprefix("block:").strip()
        return _secret_block(name, what)
    return value


def _secret_block(name: str, what: str) -> str:
    from prefect.blocks.system import Secret  # Prefect only when a block is asked for

    try:
        secret = Secret.load(name)
    except ValueError:
        raise ConfigError(f"{what}: no Prefect Secret block named {name!r}") from None
    value = secret.get()
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{what}: Prefect Secret block {name!r} does not hold a non-empty string")
    return value


# ---------------------------------------------------------------------------------------------------- reading


def load_config(path: str | os.PathLike | None = None) -> RunConfig:
    target = Path(path or DEFAULT_CONFIG)
    try:
        document = tomllib.loads(target.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"no configuration at {target} (see sota.example.toml)") from None
    except IsADirectoryError:
        raise ConfigError(f"{target} is a folder, not a configuration file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{target}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{target}: not valid TOML: {error}") from None
    _only(document, {"warehouse", "sources", "alerts", "run", "schedule", "report"}, f"{target}: top level")
    warehouse = _table(document, "warehouse", f"{target}: [warehouse]")
    _only(warehouse, {"path"}, f"{target}: [warehouse]")
    database = _optional(warehouse, "path", str, f"{target}: [warehouse]")
    if database and not is_lake(database):  # a lake's location is not a path
        database = str(_from_config_folder(target, database))
    report = _table(document, "report", f"{target}: [report]")
    _only(report, {"path"}, f"{target}: [report]")
    report_path = _optional(report, "path", str, f"{target}: [report]")
    return RunConfig(
        path=target,
        database=database,
        sources=_sources(document, target),
        alerts=_alerts(document, target),
        run=_run_settings(document, target),
        schedule=_schedule(document, target),
        report_path=str(_from_config_folder(target, report_path)) if report_path else None,
    )


def _sources(document: dict, target: Path) -> list[SourceConfig]:
    entries = document.get("sources", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{target}: sources must be written as [[sources]] entries")
    sources = []
    for index, entry in enumerate(entries):
        where = f"{target}: [[sources]] entry {index + 1}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where} must be a table")
        name, kind = entry.get("name"), entry.get("kind")
        if not name or not kind or not isinstance(name, str) or not isinstance(kind, str):
            raise ConfigError(f"{where} needs a name and a kind")
        where = f"{where} ({name})"
        try:
            spec = get_source(kind)
        except UnknownSourceError as error:
            raise ConfigError(f"{where}: {error}") from None
        if "url" in entry and "path" in entry:
            raise ConfigError(f"{where}: give a url or a path, not both")
        location = entry.get("url") or entry.get("path")
        if location is not None and not isinstance(location, str):
            raise ConfigError(f"{where}: url and path must be strings")
        if entry.get("path"):
            location = str(_from_config_folder(target, entry["path"]))
        reserved = {"name", "kind", "url", "path", "enabled", "observed_at", "lineage"}
        options = {k: str(v) for k, v in entry.items() if k not in reserved}
        location = location or (spec.location_for(options) if spec.location_for else None) or spec.default_url
        if not location:
            raise ConfigError(f"{where} needs a url or a path")
        enabled = entry.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ConfigError(f"{where}: enabled must be true or false")
        observed_at = _observed_at(entry.get("observed_at"), where)
        lineage = entry.get("lineage")
        if lineage is not None and (not isinstance(lineage, str) or not lineage.strip()):
            raise ConfigError(f"{where}: lineage must be a non-empty name")
        sources.append(SourceConfig(name, kind, str(location), options, enabled, observed_at, lineage))
    names = [s.name for s in sources]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ConfigError(f"{target}: source names must be unique: {', '.join(duplicated)}")
    return sources


def _from_config_folder(target: Path, path: str) -> Path:
    # Relative paths are the file's, not the caller's: `sota run --config elsewhere/sota.toml` reads the same files.
    given = Path(path).expanduser()
    return given if given.is_absolute() else (target.parent / given)


def _observed_at(value: object, where: str) -> str | None:
    if value is None:
        return None
    text = value.isoformat() if hasattr(value, "isoformat") else value
    if not isinstance(text, str):
        raise ConfigError(f"{where}: observed_at must be a date (YYYY-MM-DD) or a timestamp")
    try:
        when = parse_instant(text, what="observed_at")
    except UsageError as error:
        raise ConfigError(f"{where}: {error}") from None
    if when > utc_now():
        raise ConfigError(f"{where}: observed_at {text} is in the future")
    return text


def _run_settings(document: dict, target: Path) -> RunSettings:
    where = f"{target}: [run]"
    table = _table(document, "run", where)
    _only(table, {"retries", "retry_delay_seconds", "http_retries", "allowed_hosts"}, where)
    defaults = RunSettings()
    retries = _optional(table, "retries", int, where, defaults.retries)
    http_retries = _optional(table, "http_retries", int, where, defaults.http_retries)
    delays = table.get("retry_delay_seconds", list(defaults.retry_delay_seconds))
    if isinstance(delays, (int, float)) and not isinstance(delays, bool):
        delays = [delays]
    if (
        not isinstance(delays, list)
        or not delays
        or any(isinstance(d, bool) or not isinstance(d, (int, float)) or d < 0 for d in delays)
    ):
        raise ConfigError(f"{where}: retry_delay_seconds must be a number of seconds or a list of them")
    for key, value in (("retries", retries), ("http_retries", http_retries)):
        if value < 0:
            raise ConfigError(f"{where}: {key} must be 0 or more")
    hosts = table.get("allowed_hosts", [])
    if not isinstance(hosts, list) or any(not isinstance(h, str) or not _HOST_PATTERN.match(h) for h in hosts):
        raise ConfigError(f"{where}: allowed_hosts must be a list of host names, such as \"cdn.example.org\" or "
                          "\"*.example.org\" (no scheme, port or path)")
    return RunSettings(retries, tuple(float(d) for d in delays), http_retries, tuple(h.lower() for h in hosts))


_HOST_PATTERN = re.compile(r"^(\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[?[0-9a-fA-F:]+\]?$")


def _schedule(document: dict, target: Path) -> ScheduleConfig:
    where = f"{target}: [schedule]"
    table = _table(document, "schedule", where)
    _only(table, {"cron", "timezone"}, where)
    cron = _optional(table, "cron", str, where, DEFAULT_CRON)
    timezone = _optional(table, "timezone", str, where, DEFAULT_TIMEZONE)
    if not table:
        return ScheduleConfig()
    try:
        check_schedule(cron, timezone)
    except ValueError as error:
        raise ConfigError(f"{where}: {error}") from None
    return ScheduleConfig(cron, timezone)


def check_schedule(cron: str, timezone: str) -> None:
    """Raise ValueError (one line) unless `cron` is a cron expression and `timezone` an IANA zone."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {timezone!r} (an IANA name such as UTC or Europe/Berlin)") from None
    from prefect.client.schemas.schedules import CronSchedule  # Prefect's own check of what it will schedule

    try:
        CronSchedule(cron=cron, timezone=timezone)
    except ValueError:
        raise ValueError(f"invalid cron expression {cron!r} (five fields, e.g. '0 3 * * *')") from None


# ---------------------------------------------------------------------------------------------------- alerts

_RULE_KEYS = {"task", "dataset", "metric", "min_margin", "min_z", "extra_data", "estimates"}
_CHANNEL_KEYS = {
    "webhook": {"url", "timeout"},
    "email": {"host", "port", "starttls", "from", "to", "username", "password", "timeout"},
    "prefect-event": set(),
    "console": set(),
}
_SECRET_KEYS = {"webhook": {"url"}, "email": {"password"}}


def _alerts(document: dict, target: Path) -> AlertsConfig:
    where = f"{target}: [alerts]"
    table = _table(document, "alerts", where)
    _only(table, {"rules", "channels", "max_attempts"}, where)
    max_attempts = _optional(table, "max_attempts", int, where)
    if max_attempts is not None and max_attempts < 1:
        raise ConfigError(f"{where}: max_attempts must be at least 1")
    rules = tuple(_rule(entry, f"{target}: [[alerts.rules]] entry {i + 1}") for i, entry in
                  enumerate(_entries(table, "rules", f"{target}: alerts.rules")))
    channels = tuple(_channel(entry, f"{target}: [[alerts.channels]] entry {i + 1}") for i, entry in
                     enumerate(_entries(table, "channels", f"{target}: alerts.channels")))
    names = [c.name for c in channels]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ConfigError(f"{target}: alerts channel names must be unique: {', '.join(duplicated)}")
    return AlertsConfig(rules, channels, max_attempts)


def _rule(entry: object, where: str) -> Rule:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} must be a table")
    _only(entry, _RULE_KEYS, where)
    values = {}
    for key in ("task", "dataset", "metric"):
        values[key] = _optional(entry, key, str, where, "*")
    values["min_margin"] = _optional(entry, "min_margin", float, where, 0.0)
    values["min_z"] = _optional(entry, "min_z", float, where, 0.0)
    for key in ("extra_data", "estimates"):
        values[key] = _optional(entry, key, bool, where, key == "extra_data")
    try:
        return Rule(**values)
    except RuleError as error:
        raise ConfigError(f"{where}: {error}") from None


def _channel(entry: object, where: str) -> ChannelConfig:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} must be a table")
    kind = entry.get("kind")
    if kind not in CHANNEL_KINDS:
        raise ConfigError(f"{where}: kind must be one of {', '.join(CHANNEL_KINDS)}, got {kind!r}")
    name = entry.get("name", kind)
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: name must be a non-empty string")
    where = f"{where} ({name})"
    _only(entry, {"name", "kind", "enabled"} | _CHANNEL_KEYS[kind], where)
    enabled = _optional(entry, "enabled", bool, where, True)
    settings = {k: v for k, v in entry.items() if k not in {"name", "kind", "enabled"}}
    for key in _SECRET_KEYS.get(kind, ()):
        if key in settings and not is_secret_reference(settings[key]):
            # the value itself is not repeated: it may be the secret
            raise ConfigError(
                f"{where}: {key} is a secret and must be written as env:NAME or block:NAME, not in the file"
            )
    if "timeout" in settings:
        timeout = _optional(settings, "timeout", float, where)
        if timeout <= 0:
            raise ConfigError(f"{where}: timeout must be a positive number of seconds")
    if kind == "webhook" and "url" not in settings:
        raise ConfigError(f"{where}: a webhook needs url = \"env:NAME\" (or block:NAME)")
    if kind == "email":
        _email_settings(settings, where)
    return ChannelConfig(name.strip(), kind, settings, enabled)


def _email_settings(settings: dict, where: str) -> None:
    for key in ("host", "from"):
        if not isinstance(settings.get(key), str) or not settings[key].strip():
            raise ConfigError(f"{where}: an email channel needs {key}")
    recipients = settings.get("to")
    if isinstance(recipients, str):
        settings["to"] = recipients = [recipients]
    if not isinstance(recipients, list) or not recipients or not all(isinstance(r, str) and "@" in r for r in recipients):
        raise ConfigError(f"{where}: to must be an address or a list of addresses")
    if "@" not in settings["from"]:
        raise ConfigError(f"{where}: from must be an address")
    port = _optional(settings, "port", int, where, 587)
    if not 0 < port < 65536:
        raise ConfigError(f"{where}: port must be between 1 and 65535")
    settings["port"] = port
    # Encrypted unless said otherwise: sending a password or a team's alerts in clear must be a decision.
    settings["starttls"] = _optional(settings, "starttls", bool, where, True)
    username = _optional(settings, "username", str, where)
    if "password" in settings and not username:
        raise ConfigError(f"{where}: a password needs a username")


# ---------------------------------------------------------------------------------------------------- small checks


def _table(document: dict, key: str, where: str) -> dict:
    value = document.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table")
    return value


def _entries(table: dict, key: str, where: str) -> list:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise ConfigError(f"{where} must be written as [[{where.rsplit(': ', 1)[-1]}]] entries")
    return value


def _only(table: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown key {', '.join(unknown)} (allowed: {', '.join(sorted(allowed)) or 'none'})")


_TYPE_NAMES = {str: "a string", int: "a whole number", float: "a number", bool: "true or false"}


def _optional(table: dict, key: str, kind: type, where: str, default=None):
    if key not in table:
        return default
    value = table[key]
    ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value, ok = float(value), True
    if not ok:
        raise ConfigError(f"{where}: {key} must be {_TYPE_NAMES[kind]}")
    return value
