"""Is the installed vendor inside an adapter's range? Answered from package metadata, importing no vendor.

The ranges adapters declare ("openai >= 1.66, < 4") compare final releases, which plain tuples of integers
decide exactly as PEP 440 does. Anything else (pre-releases, local versions, wildcards, markers, extras)
goes to ``packaging``, imported only then: it costs more to import than everything else instrument() does.
"""

from __future__ import annotations

import re
from importlib import metadata
from typing import NamedTuple

_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
_CLAUSE = re.compile(r"\s*(>=|<=|==|!=|<|>)\s*(\d+(?:\.\d+)*)\s*")
_FINAL_RELEASE = re.compile(r"\d+(?:\.\d+)*")
_VERSION_HEADER = re.compile(r"^Version:[ \t]*(\S+)", re.MULTILINE)


class VersionConflict(NamedTuple):
    """``required`` is not met: ``found`` is the installed version, or None when it is not installed."""

    required: str
    found: str | None

    def __str__(self) -> str:
        return f'requested: "{self.required}" but found: "{self.found}"'


def installed_version(distribution: str) -> str | None:
    """The installed version of ``distribution`` from its metadata headers, or None.

    Only the header block is searched: ``Distribution.version`` parses the whole METADATA file, a vendor's
    long README included."""
    try:
        found = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        return None
    text = found.read_text("METADATA") or found.read_text("PKG-INFO") or ""
    header = _VERSION_HEADER.search(text.split("\n\n", 1)[0])  # headers end at the first blank line
    return header.group(1) if header is not None else found.version


def conflict_of(requirement: str) -> VersionConflict | None:
    """None when ``requirement`` is met by what is installed; the conflict otherwise.

    A requirement that cannot be parsed is reported as a conflict, as OpenTelemetry's own check does."""
    simple = _split(requirement)
    if simple is not None:
        name, clauses = simple
        found = installed_version(name)
        if found is None:
            return VersionConflict(requirement, None)
        verdict = _final_release_satisfies(found, clauses)
        if verdict is not None:
            return None if verdict else VersionConflict(requirement, f"{name} {found}")
    return _conflict_by_packaging(requirement)


def _split(requirement: str) -> tuple[str, list[tuple[str, tuple[int, ...]]]] | None:
    """``name`` and its comparison clauses, or None for anything beyond "name op version, op version"."""
    name_match = _NAME.match(requirement.strip())
    if name_match is None:
        return None
    rest = requirement.strip()[name_match.end():]
    clauses: list[tuple[str, tuple[int, ...]]] = []
    for part in rest.split(",") if rest.strip() else []:
        clause = _CLAUSE.fullmatch(part)
        if clause is None:
            return None
        clauses.append((clause.group(1), _release(clause.group(2))))
    return name_match.group(0), clauses


def _final_release_satisfies(version: str, clauses: list[tuple[str, tuple[int, ...]]]) -> bool | None:
    if _FINAL_RELEASE.fullmatch(version) is None:
        return None  # a pre-, post-, dev or local release: PEP 440 has special rules for those
    installed = _release(version)
    for operator, bound in clauses:
        width = max(len(installed), len(bound))
        left, right = _padded(installed, width), _padded(bound, width)
        if not {">=": left >= right, "<=": left <= right, "==": left == right, "!=": left != right,
                "<": left < right, ">": left > right}[operator]:
            return False
    return True


def _release(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _padded(release: tuple[int, ...], width: int) -> tuple[int, ...]:
    return release + (0,) * (width - len(release))  # PEP 440: 1.0 == 1.0.0


def _conflict_by_packaging(requirement: str) -> VersionConflict | None:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        parsed = Requirement(requirement)
    except InvalidRequirement:
        return VersionConflict(requirement, None)
    found = installed_version(parsed.name)
    if found is None:
        return VersionConflict(requirement, None)
    return None if parsed.specifier.contains(found) else VersionConflict(requirement, f"{parsed.name} {found}")
