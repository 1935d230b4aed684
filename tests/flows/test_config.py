"""The run configuration: sources, rules, channels, schedule; every mistake one line naming the entry; secrets only
by reference, resolved when a channel is built and never repeated in an error."""
from __future__ import annotations

import io

import pytest

from flows.alerts import (
    ConsoleChannel,
    EmailChannel,
    PrefectEventChannel,
    UnavailableChannel,
    WebhookChannel,
    build_channel,
    build_channels,
)
from flows.config import ConfigError, load_config, resolve_secret
from warehouse.sota_detect import Rule

SECRET = "hunter2-not-for-logs"

FULL = """
[warehouse]
path = "data/sota.duckdb"

[run]
retries = 1
retry_delay_seconds = 5
http_retries = 0
allowed_hosts = ["*.hf.co", "Mirror.example.org"]

[schedule]
cron = "30 2 * * *"
timezone = "Europe/Berlin"

[[sources]]
name = "handcopy"
kind = "csv"
path = "history/imagenet.csv"
task = "Image Classification"
dataset = "ImageNet"
observed_at = 2019-11-13

[[sources]]
name = "timm"
kind = "timm-csv"
enabled = false

[alerts]
max_attempts = 5

[[alerts.rules]]
task = "Image Classification"
dataset = "ImageNet"
metric = "Top 1 Accuracy"
min_margin = 1
extra_data = false

[[alerts.rules]]
dataset = "CIFAR-*"

[[alerts.channels]]
name = "chat"
kind = "webhook"
url = "env:SOTA_CFG_WEBHOOK"

[[alerts.channels]]
name = "mail"
kind = "email"
host = "smtp.example.org"
from = "bot@example.org"
to = "team@example.org"
username = "bot"
password = "env:SOTA_CFG_SMTP"

[[alerts.channels]]
kind = "prefect-event"

[[alerts.channels]]
kind = "console"
enabled = false
"""


def write(tmp_path, text: str):
    path = tmp_path / "sota.toml"
    path.write_text(text)
    return path


def test_a_full_configuration(tmp_path):
    config = load_config(write(tmp_path, FULL))
    assert config.database == str(tmp_path / "data/sota.duckdb")  # relative paths are the file's
    handcopy, timm = config.sources
    assert handcopy.location == str(tmp_path / "history/imagenet.csv") and handcopy.observed_at == "2019-11-13"
    assert handcopy.options == {"task": "Image Classification", "dataset": "ImageNet"}
    assert timm.location.startswith("https://") and not timm.enabled
    assert [s.name for s in config.selected(None)] == ["handcopy"] and config.selected(["timm"]) == [timm]
    assert (config.run.retries, config.run.retry_delay_seconds, config.run.http_retries) == (1, (5.0,), 0)
    assert (config.schedule.cron, config.schedule.timezone) == ("30 2 * * *", "Europe/Berlin")
    assert config.alerts.rules == (
        Rule("Image Classification", "ImageNet", "Top 1 Accuracy", min_margin=1.0, extra_data=False),
        Rule(dataset="CIFAR-*"),
    )
    assert [(c.name, c.kind, c.enabled) for c in config.alerts.channels] == [
        ("chat", "webhook", True), ("mail", "email", True), ("prefect-event", "prefect-event", True),
        ("console", "console", False),
    ]
    mail = config.alerts.channel("mail").settings
    assert (mail["port"], mail["starttls"], mail["to"], mail["password"]) == (
        587, True, ["team@example.org"], "env:SOTA_CFG_SMTP"  # encrypted unless said otherwise; the reference kept
    )
    assert config.alerts.max_attempts == 5
    # a run fetches only from its sources' hosts (timm's default URL, though disabled) and the ones listed
    assert config.fetch_hosts() == {"raw.githubusercontent.com", "*.hf.co", "mirror.example.org"}


def test_an_opencodepapers_entry_names_its_board_by_slug(tmp_path):
    config = load_config(write(tmp_path, '[[sources]]\nname = "ocp"\nkind = "opencodepapers"\n'
                                         'benchmark = "object-detection-on-coco"\n'
                                         '[[sources]]\nname = "ocp-default"\nkind = "opencodepapers"\n'))
    assert [s.location for s in config.sources] == [
        "https://raw.githubusercontent.com/DanBmh/OpenCodePapers/main/dataset/benchmarks/object-detection-on-coco.json",
        "https://raw.githubusercontent.com/DanBmh/OpenCodePapers/main/dataset/benchmarks/image-classification-on-imagenet.json",
    ]


def test_defaults_for_what_is_left_out(tmp_path):
    config = load_config(write(tmp_path, ""))
    assert (config.database, config.sources, config.alerts.rules, config.alerts.channels) == (None, [], (), ())
    assert (config.schedule.cron, config.schedule.timezone) == ("0 3 * * *", "UTC")
    assert (config.run.retries, config.run.retry_delay_seconds, config.run.http_retries) == (2, (30.0, 300.0), 4)


@pytest.mark.parametrize("text, message", [
    ('[[sources]]\nname = "a"\nkind = "csv"\npath = "x"\nurl = "y"', r"\[\[sources\]\] entry 1 \(a\): give a url or a path"),
    ('[[sources]]\nname = "a"\nkind = "csv"\npath = "x"\nobserved_at = "yesterday"', r"entry 1 \(a\): bad observed_at"),
    ('[[sources]]\nname = "a"\nkind = "csv"\npath = "x"\nobserved_at = 2999-01-01', r"entry 1 \(a\): .* in the future"),
    ('[[alerts.rules]]\nmin_margin = -1', r"\[\[alerts.rules\]\] entry 1: rule min_margin must be a number >= 0"),
    ('[[alerts.rules]]\ndataset = ""', r"\[\[alerts.rules\]\] entry 1: rule dataset pattern must be"),
    ('[[alerts.rules]]\nmodel = "x"', r"\[\[alerts.rules\]\] entry 1: unknown key model"),
    ('[[alerts.rules]]\nextra_data = "no"', r"entry 1: extra_data must be true or false"),
    ('[[alerts.channels]]\nkind = "pager"', r"\[\[alerts.channels\]\] entry 1: kind must be one of webhook, email"),
    ('[[alerts.channels]]\nname = "hook"\nkind = "webhook"', r"entry 1 \(hook\): a webhook needs url"),
    ('[[alerts.channels]]\nkind = "email"\nhost = "h"\nfrom = "a@b"', r"entry 1 \(email\): to must be an address"),
    ('[[alerts.channels]]\nkind = "email"\nhost = "h"\nfrom = "a@b"\nto = "c@d"\nport = 0', r"port must be between"),
    ('[[alerts.channels]]\nkind = "email"\nhost = "h"\nfrom = "a@b"\nto = "c@d"\npassword = "env:P"',
     r"a password needs a username"),
    ('[[alerts.channels]]\nkind = "console"\n[[alerts.channels]]\nkind = "console"', r"channel names must be unique"),
    ('[[alerts.channels]]\nkind = "console"\ncolour = "red"', r"entry 1 \(console\): unknown key colour"),
    ("[schedule]\ncron = \"0 3 * *\"", r"\[schedule\]: invalid cron expression"),
    ("[schedule]\ntimezone = \"Europe/Atlantis\"", r"\[schedule\]: unknown timezone 'Europe/Atlantis'"),
    ("[run]\nretries = -1", r"\[run\]: retries must be 0 or more"),
    ("[run]\nretry_delay_seconds = [\"soon\"]", r"\[run\]: retry_delay_seconds must be"),
    ("[alerts]\nmax_attempts = 0", r"\[alerts\]: max_attempts must be at least 1"),
    ("[alert]\nrules = []", r"top level: unknown key alert"),
    ("[run]\nallowed_hosts = \"cdn.example.org\"", r"\[run\]: allowed_hosts must be a list of host names"),
    ("[run]\nallowed_hosts = [\"https://cdn.example.org/x\"]", r"\[run\]: allowed_hosts must be a list of host names"),
])
def test_mistakes_are_one_line_naming_the_entry(tmp_path, text, message):
    with pytest.raises(ConfigError, match=message) as raised:
        load_config(write(tmp_path, text))
    assert "\n" not in str(raised.value) and str(tmp_path / "sota.toml") in str(raised.value)


@pytest.mark.parametrize("entry", [
    'kind = "webhook"\nurl = "https://hooks.slack.com/services/T0/B0/{secret}"',
    'kind = "email"\nhost = "h"\nfrom = "a@b"\nto = "c@d"\nusername = "u"\npassword = "{secret}"',
])
def test_a_secret_written_in_the_file_is_refused_and_not_repeated(tmp_path, entry):
    with pytest.raises(ConfigError, match="is a secret and must be written as env:NAME or block:NAME") as raised:
        load_config(write(tmp_path, "[[alerts.channels]]\n" + entry.format(secret=SECRET)))
    assert SECRET not in str(raised.value)


def test_channels_are_built_with_their_secrets_read_only_then(tmp_path, monkeypatch):
    config = load_config(write(tmp_path, FULL))
    monkeypatch.delenv("SOTA_CFG_WEBHOOK", raising=False)
    monkeypatch.setenv("SOTA_CFG_SMTP", SECRET)
    # a missing secret makes that channel unavailable (its rows wait with the reason); the others are built
    channels = build_channels(config.alerts.channels, stream=io.StringIO())
    assert set(channels) == {"chat", "mail", "prefect-event"}  # the disabled console is not built
    assert isinstance(channels["chat"], UnavailableChannel)
    assert channels["chat"].reason.endswith("alerts channel 'chat' (webhook) url: environment variable "
                                            "SOTA_CFG_WEBHOOK is not set")
    mail = channels["mail"]
    assert isinstance(mail, EmailChannel) and (mail.host, mail.port, mail.starttls, mail.password) == (
        "smtp.example.org", 587, True, SECRET
    )
    assert isinstance(channels["prefect-event"], PrefectEventChannel)
    monkeypatch.setenv("SOTA_CFG_WEBHOOK", "ftp://not-a-webhook/" + SECRET)
    with pytest.raises(ConfigError, match="the url must be an http") as raised:
        build_channel(config.alerts.channel("chat"))
    assert SECRET not in str(raised.value)
    monkeypatch.setenv("SOTA_CFG_WEBHOOK", "https://hooks.example/" + SECRET)
    assert build_channel(config.alerts.channel("chat")) == WebhookChannel("https://hooks.example/" + SECRET)
    assert isinstance(build_channel(config.alerts.channel("console")), ConsoleChannel)
    with pytest.raises(ConfigError, match="no alerts channel named 'pager' \\(configured: chat, mail"):
        config.alerts.channel("pager")


def test_secrets_from_prefect_secret_blocks(prefect_harness, monkeypatch):
    from prefect.blocks.system import Secret

    Secret(value=SECRET).save("sotawatch-test-webhook", overwrite=True)
    assert resolve_secret("block:sotawatch-test-webhook", what="channel x") == SECRET
    with pytest.raises(ConfigError, match="channel x: no Prefect Secret block named 'nope'"):
        resolve_secret("block:nope", what="channel x")
    monkeypatch.setenv("SOTA_CFG_EMPTY", "")
    with pytest.raises(ConfigError, match="environment variable SOTA_CFG_EMPTY is not set"):
        resolve_secret("env:SOTA_CFG_EMPTY")
