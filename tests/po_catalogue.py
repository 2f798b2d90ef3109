"""A small reader for gettext .po files (no polib in the requirements): enough to tell which
msgids have an English msgstr, which are fuzzy and which are missing."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str
    context: str | None = None
    msgstr: list[str] = field(default_factory=list)
    fuzzy: bool = False
    obsolete: bool = False
    references: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.context, self.msgid)

    @property
    def translated(self) -> bool:
        return not self.fuzzy and bool(self.msgstr) and all(s.strip() for s in self.msgstr)


def _unquote(text: str) -> str:
    return ast.literal_eval(text) if text.startswith('"') else ""


def read_po(path: Path) -> list[Entry]:
    """Every entry of the file except the header, obsolete ones flagged."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: str | None = None
    fuzzy, obsolete, refs = False, False, []

    def finish() -> None:
        nonlocal current
        if current is not None and current.msgid:
            entries.append(current)
        current = None

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        is_obsolete = line.startswith("#~")
        if is_obsolete:
            line = line[2:].strip()
        if not line:
            finish()
            target, fuzzy, obsolete, refs = None, False, False, []
            continue
        if line.startswith("#,") and not is_obsolete:
            fuzzy = fuzzy or "fuzzy" in line
            continue
        if line.startswith("#:"):
            refs.extend(line[2:].split())
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and current is not None and target != "msgctxt":
            finish()
        if current is None:
            current = Entry(
                msgid="", fuzzy=fuzzy, obsolete=is_obsolete or obsolete, references=refs
            )
        if keyword == "msgctxt":
            current.context, target = _unquote(rest), "msgctxt"
        elif keyword == "msgid":
            current.msgid, target = _unquote(rest), "msgid"
        elif keyword == "msgid_plural":
            target = "msgid_plural"
        elif keyword.startswith("msgstr"):
            current.msgstr.append(_unquote(rest))
            target = "msgstr"
        elif line.startswith('"'):
            if target == "msgctxt":
                current.context += _unquote(line)
            elif target == "msgid":
                current.msgid += _unquote(line)
            elif target == "msgstr":
                current.msgstr[-1] += _unquote(line)
    return entries


def english_catalogue(paths: list[Path]) -> dict[tuple[str | None, str], Entry]:
    """The merged catalogue as Django sees it: the first translated entry of a key wins."""
    merged: dict[tuple[str | None, str], Entry] = {}
    for path in paths:
        for entry in read_po(path):
            if entry.obsolete:
                continue
            if entry.key not in merged or (entry.translated and not merged[entry.key].translated):
                merged[entry.key] = entry
    return merged
