import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from procedures.models import Procedure
from procedures.search import fold, search_procedures
from procedures.services import procedure_save
from tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db


def names(query):
    return [p.name for p in search_procedures(Procedure.objects.all(), query)]


def test_fold_strips_tone_marks_and_turns_d_stroke_into_d():
    assert fold("  Đăng ký KẾT HÔN  ") == "dang ky ket hon"
    assert fold("Cấp giấy phép xây dựng") == "cap giay phep xay dung"
    assert fold("Ô Chợ Dừa – Đống Đa") == "o cho dua – dong da"


def test_search_without_diacritics_finds_the_accented_procedure(building_permit):
    assert names("cap giay phep xay dung") == [building_permit.name]
    assert names("CẤP GIẤY PHÉP") == [building_permit.name]


def test_d_stroke_is_searchable_as_plain_d(make_procedure):
    make_procedure("1.000001", "Đăng ký khai sinh")
    assert names("dang ky khai sinh") == ["Đăng ký khai sinh"]


def test_ranking_puts_the_phrase_before_scattered_words(make_procedure):
    make_procedure("1.000003", "Xác nhận thông tin về giấy phép đã cấp cho công trình xây dựng")
    make_procedure("1.000002", "Điều chỉnh giấy phép xây dựng")
    make_procedure("1.000004", "Gia hạn giấy phép xây dựng nhà ở")
    make_procedure("1.000005", "Giấy phép xây dựng có thời hạn")
    result = names("giay phep xay dung")
    # starts with the phrase, then contains it (alphabetical), then only all the words.
    assert result == [
        "Giấy phép xây dựng có thời hạn",
        "Điều chỉnh giấy phép xây dựng",
        "Gia hạn giấy phép xây dựng nhà ở",
        "Xác nhận thông tin về giấy phép đã cấp cho công trình xây dựng",
    ]


def test_words_missing_from_the_name_give_no_match(make_procedure):
    make_procedure("1.000006", "Đăng ký kết hôn")
    assert names("ket hon khai sinh") == []


def test_search_by_national_code_and_local_code(make_procedure):
    make_procedure("1.001234", "Đăng ký khai tử", local_code="1.001234.000.00.00.H26")
    make_procedure("2.000777", "Chứng thực di chúc")
    assert names("1.001234") == ["Đăng ký khai tử"]
    assert names("2.000777") == ["Chứng thực di chúc"]
    assert names("1.001234.000.00.00.h26") == ["Đăng ký khai tử"]


def test_search_text_follows_a_rename_through_the_service(building_permit):
    building_permit.name = "Cấp phép sửa chữa nhà ở"
    procedure_save(procedure=building_permit)
    assert names("sua chua nha") == ["Cấp phép sửa chữa nhà ở"]
    assert names("xay dung") == []


@pytest.mark.parametrize("code", ["1.00017", "1000178", "1.0001789", "a.000178", "1.000178.H26"])
def test_a_malformed_national_code_is_refused(make_procedure, code):
    with pytest.raises(ValidationError) as exc:
        make_procedure(code, "Thủ tục thử")
    assert "national_code" in exc.value.message_dict


def test_a_well_formed_national_code_is_accepted(make_procedure):
    procedure = make_procedure("2.002345", "Thủ tục hợp lệ", time_limit_value=Decimal("0.5"))
    assert Procedure.objects.get(pk=procedure.pk).national_code == "2.002345"


def test_reindex_repairs_rows_written_around_the_service():
    ProcedureFactory(
        national_code="1.000050", name="Đăng ký kết hôn", search_text=""
    )  # as if written around the service
    assert names("dang ky ket hon") == []
    call_command("reindex_procedures", stdout=io.StringIO())
    assert names("dang ky ket hon") == ["Đăng ký kết hôn"]


def test_a_code_search_ranks_code_hits_after_names_that_start_with_it(make_procedure):
    make_procedure("1.000060", "Thủ tục có mã 1.000060")
    make_procedure("2.000061", "1.00006 trong tên")
    result = search_procedures(Procedure.objects.all(), "1.00006")
    assert [(p.national_code, p.search_rank) for p in result] == [("2.000061", 0), ("1.000060", 3)]


# Queries a citizen types, and the procedures each must find (issue 14): tone marks or not,
# i or y (kí/ký, lí/lý, mĩ/mỹ), hyphens and punctuation.
SPELLINGS = {
    "Đăng ký kết hôn": ["dang ki ket hon", "đăng kí kết hôn", "ket-hon", "đăng ký, kết hôn!"],
    "Cấp Phiếu lý lịch tư pháp": ["li lich tu phap", "lí lịch", "phiếu lý-lịch", "(lý lịch)"],
    "Cấp giấy phép hoạt động mỹ thuật": ["mĩ thuật", "mi thuat", "my thuat"],
    "Công nhận sáng kiến cấp quy định": ["qui dinh", "sáng-kiến", "quy định."],
}
# ...and what must not be merged: a different vowel is a different word.
MISSES = {"tai lieu": "Xác nhận tay nghề"}


@pytest.mark.parametrize(
    ("name", "query"), [(name, q) for name, queries in SPELLINGS.items() for q in queries]
)
def test_common_spellings_find_the_procedure(make_procedure, name, query):
    for i, other in enumerate([*SPELLINGS, *MISSES.values()]):
        make_procedure(f"1.09{i:04d}", other)
    assert names(query) == [name]


def test_other_vowels_are_not_merged_with_i_or_y(make_procedure):
    for i, (query, name) in enumerate(MISSES.items()):
        make_procedure(f"1.08{i:04d}", name)
        assert names(query) == []


def test_a_code_query_keeps_its_dots(make_procedure):
    make_procedure("1.001234", "Đăng ký khai tử", local_code="1.001234.000.00.00.H26")
    assert names("1.001234.000.00.00.h26") == ["Đăng ký khai tử"]
