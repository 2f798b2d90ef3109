"""The demo catalogue gives each procedure its own paperwork (issue 14: "Đăng ký kết hôn"
asked for a death notice; four civil-status procedures had the same result text)."""

import csv
import io
import json
import re
from collections import Counter

import pytest

from procedures.demo import load_catalogue, own_procedure_texts
from procedures.models import Procedure
from procedures.services import DATA_DIR

pytestmark = pytest.mark.django_db
OWN = own_procedure_texts()


def test_every_written_entry_has_its_own_documents_steps_and_result():
    for key in ("result", "steps"):
        counts = Counter(json.dumps(entry[key], ensure_ascii=False) for entry in OWN.values())
        assert [text for text, n in counts.items() if n > 1] == []
    documents = Counter(json.dumps(e["docs"], ensure_ascii=False) for e in OWN.values())
    assert [text for text, n in documents.items() if n > 1] == []
    for entry in OWN.values():
        assert entry["docs"] and len(entry["steps"]) >= 3 and entry["result"]


def test_the_loaded_catalogue_uses_the_procedures_own_text():
    load_catalogue(limit=40, stdout=io.StringIO())
    marriage = Procedure.objects.get(name="Đăng ký kết hôn")
    documents = " ".join(d.name for d in marriage.required_documents.all()).lower()
    assert "báo tử" not in documents and "chứng sinh" not in documents
    assert "kết hôn" in marriage.result_document.lower()
    loaded = Procedure.objects.filter(name__in=OWN)
    assert loaded.count() >= 20
    results = Counter(loaded.values_list("result_document", flat=True))
    assert max(results.values()) == 1
    for procedure in loaded:
        assert procedure.steps.startswith("Bước 1: ")
        assert procedure.steps.count("Bước") == len(OWN[procedure.name]["steps"])


def test_no_fee_note_repeats_what_the_amount_already_says():
    load_catalogue(limit=60, stdout=io.StringIO())
    assert not Procedure.objects.filter(fee_note__icontains="Không thu phí").exists()


def _catalogue_rows() -> list[dict]:
    with open(DATA_DIR / "demo_procedures.csv", encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


# A note says "free" when its first clause does ("Lệ phí…; bổ sung… được miễn" is an exemption);
# an amount it quotes must be the CSV fee (a per-page note may quote more amounts besides).
SAYS_FREE = re.compile(r"^\s*(miễn|không thu|không phải nộp|không mất|không có phí)", re.IGNORECASE)
AMOUNT = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+) đồng")


def test_every_catalogue_procedure_has_its_own_texts_and_fee_note():
    """Issue 14: no shared template text, no fee note repeated, none contradicting the fee."""
    rows = _catalogue_rows()
    missing = [row["name"] for row in rows if row["name"] not in OWN]
    assert missing == []
    notes = Counter(OWN[row["name"]]["fee_note"] for row in rows)
    assert [note for note, n in notes.items() if n > 1 or not note.strip()] == []
    documents = Counter(json.dumps(OWN[row["name"]]["docs"], ensure_ascii=False) for row in rows)
    assert [docs for docs, n in documents.items() if n > 1] == []
    for row in rows:
        own, fee = OWN[row["name"]], int(row["fee"])
        assert all(kind in ("original", "copy", "either") for _, kind, _ in own["docs"]), row
        note = own["fee_note"]
        quoted = {int(amount.replace(".", "")) for amount in AMOUNT.findall(note)}
        if fee > 0:
            assert not SAYS_FREE.search(re.split(r"[;.]", note)[0]), (row["name"], note)
            assert not quoted or fee in quoted, (row["name"], fee, note)
        else:
            assert not quoted, (row["name"], note)
