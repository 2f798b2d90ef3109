"""Every character the portal writes has a glyph in the bundled font (issue 14: a "＋"
showed as a missing-glyph box).

The page's font stack ends in DejaVu Sans, the font the project bundles (npm's
dejavu-fonts-ttf, or Debian's fonts-dejavu; settings.PDF_FONT_DIRS) and the one a browser
without Segoe UI or Noto Sans falls back to. The scan covers the templates, the static CSS
and JS, the translation catalogues and the Python sources of the apps (their gettext texts
and the PDF forms), so a new symbol is caught wherever it is typed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SOURCES = (
    "templates/**/*.html",
    "*/templates/**/*.html",
    "static/css/*.css",
    "static/js/*.js",
    "locale/*/LC_MESSAGES/*.po",
    "*/locale/*/LC_MESSAGES/*.po",
    "dossiers/**/*.py",
    "procedures/**/*.py",
    "indicators/**/*.py",
    "hanoi_cchc/**/*.py",
)


def _cmap(filename: str) -> set[int]:
    from reportlab.pdfbase.ttfonts import TTFontFile

    for directory in settings.PDF_FONT_DIRS:
        path = Path(directory) / filename
        if path.is_file():
            return set(TTFontFile(str(path)).charToGlyph)
    pytest.skip(f"{filename} not installed (npm ci or apt-get install fonts-dejavu)")


def test_every_character_written_has_a_glyph_in_the_bundled_font():
    glyphs = _cmap("DejaVuSans.ttf")
    assert 0xFF0B not in glyphs  # the full-width plus of the issue: the scan would see it
    missing: dict[str, set[str]] = {}
    files = [p for pattern in SOURCES for p in ROOT.glob(pattern)]
    assert len(files) > 100
    for path in files:
        for char in set(path.read_text(encoding="utf-8")):
            if ord(char) > 127 and ord(char) not in glyphs:
                missing.setdefault(f"U+{ord(char):04X} {char}", set()).add(
                    str(path.relative_to(ROOT))
                )
    assert missing == {}
