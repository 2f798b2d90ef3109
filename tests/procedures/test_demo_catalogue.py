"""The demo catalogue gives each procedure its own paperwork (issue 14: "Đăng ký kết hôn"
asked for a death notice; four civil-status procedures had the same result text)."""

import io
import json
from collections import Counter

import pytest

from procedures.demo import load_catalogue, own_procedure_texts
from procedures.models import Procedure

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
