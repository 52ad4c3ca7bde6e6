"""Our adapters' ``opentelemetry_instrumentor`` entry points, read from our own distributions' metadata only.

importlib.metadata finds entry points by reading every installed distribution, and importing it loads
email, zipfile and csv: together more than the rest of instrument(). Our distributions are found by name
on ``sys.path`` (as importlib finds any distribution: the first entry holding one wins) and their
``entry_points.txt`` is read directly. Where none is found that way (a zipped or unusual install), the full
importlib.metadata scan is used.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import sys
from typing import Any

ADAPTER_PREFIX = "huggingplace_instrumentation_"
ENTRY_POINT_GROUP = "opentelemetry_instrumentor"
_REFERENCE = re.compile(r"(?P<module>[\w.]+)\s*(?::\s*(?P<attr>[\w.]+)\s*)?(?:\[.*\])?\s*$")


class AdapterEntryPoint:
    """An entry point as ``importlib.metadata.EntryPoint`` has it, as far as instrument() uses it."""

    __slots__ = ("name", "value")

    def __init__(self, name: str, value: str) -> None:
        self.name = name
        self.value = value

    def __repr__(self) -> str:
        return f"AdapterEntryPoint(name={self.name!r}, value={self.value!r})"

    @property
    def module(self) -> str:
        match = _REFERENCE.match(self.value)
        return match.group("module") if match else self.value

    def load(self) -> Any:
        match = _REFERENCE.match(self.value)
        if match is None:
            raise ImportError(f"not an object reference: {self.value!r}")
        loaded = importlib.import_module(match.group("module"))
        attribute = match.group("attr")
        return functools.reduce(getattr, attribute.split("."), loaded) if attribute else loaded


def adapter_entry_points() -> dict[str, AdapterEntryPoint]:
    """Name -> entry point of every adapter of ours that is installed."""
    found: dict[str, AdapterEntryPoint] = {}
    for text in _our_entry_point_files():
        for name, value in _section(text, ENTRY_POINT_GROUP):
            if value.startswith(ADAPTER_PREFIX):
                found.setdefault(name, AdapterEntryPoint(name, value))
    if not found:
        from importlib import metadata

        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            if ep.value.startswith(ADAPTER_PREFIX):
                found[ep.name] = AdapterEntryPoint(ep.name, ep.value)
    return found


def _our_entry_point_files() -> list[str]:
    texts: list[str] = []
    seen: set[str] = set()
    for entry in sys.path:
        directory = entry or "."
        try:
            names = os.listdir(directory)
        except OSError:  # missing, not a directory, or a zip file
            continue
        for name in names:
            lowered = name.lower()
            if not (lowered.startswith(ADAPTER_PREFIX) and lowered.endswith((".dist-info", ".egg-info"))):
                continue
            project = lowered.split("-", 1)[0].split(".", 1)[0]
            if project in seen:
                continue
            seen.add(project)
            try:
                with open(os.path.join(directory, name, "entry_points.txt"), encoding="utf-8") as file:
                    texts.append(file.read())
            except OSError:
                continue
    return texts


def _section(text: str, group: str) -> list[tuple[str, str]]:
    """``name = value`` lines of one ``[group]`` of an entry_points.txt (an INI file)."""
    pairs: list[tuple[str, str]] = []
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
        elif current == group and "=" in line:
            name, _, value = line.partition("=")
            pairs.append((name.strip(), value.strip()))
    return pairs
