"""Payloads taken from a specification's own examples, for a source whose shared data holds documents but no recorded
payload (hf-eval-results): the fenced code blocks of a Markdown file, read in place, never copied.

A sample path `folder/page.md#yaml:0,1` names the ```yaml blocks 0 and 1 of that page, joined in that order (two
YAML lists joined are one list); a path without `#` is the file's bytes.
"""
from __future__ import annotations

import re
from pathlib import Path

_FENCE = re.compile(r"^```(?P<lang>[\w+-]*)[ \t]*\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def fenced_blocks(text: str, lang: str) -> list[str]:
    """The bodies of the page's fenced blocks of `lang`, in order."""
    return [match["body"] for match in _FENCE.finditer(text) if match["lang"] == lang]


def sample_file(path: str) -> str:
    """The file a sample path reads (without its `#` part)."""
    return path.split("#", 1)[0]


def sample_payload(shared_data: Path, path: str) -> bytes:
    """The bytes a sample path stands for (see the module docstring)."""
    file, _, fragment = path.partition("#")
    data = (shared_data / file).read_bytes()
    if not fragment:
        return data
    lang, _, numbers = fragment.partition(":")
    blocks = fenced_blocks(data.decode("utf-8"), lang)
    return "".join(blocks[int(number)] for number in numbers.split(",")).encode("utf-8")
