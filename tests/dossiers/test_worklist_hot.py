"""The worklist at city scale (issue 10 item 2): few queries, cached lists invalidated by the
catalogue, and the officials' search box within their own scope."""

import pytest
from django.db import connection

from dossiers import services, worklist_choices, worklist_search
from dossiers.models import Dossier
from procedures.access import scope_for
from procedures.models import Field, Procedure
from tests.dossiers.factories import DossierFactory
from tests.factories import ProcedureFactory

from .fixtures_desk import login
from .lifecycle_fixtures import APPLICANT, DOCUMENTS, hanoi

pytestmark = pytest.mark.django_db
URL = "/ho-so/"
VIETNAMESE_LETTERS = (
    "aàáảãạăằắẳẵặâầấẩẫậ bcdđ eèéẻẽẹêềếểễệ ghiìíỉĩị klmnoòóỏõọôồốổỗộơờớởỡợ pqrst"
    " uùúủũụưừứửữự vxyỳýỷỹỵ"
)


@pytest.fixture(autouse=True)
def private_cache(settings, request):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }


def _codes(response) -> set[str]:
    return {row["d"].code for row in response.context["rows"]}


# --- queries -----------------------------------------------------------------------------


def test_the_worklist_is_at_most_five_queries_whatever_the_catalogue(
    client, desk_a, agency_a, agency_b, django_assert_max_num_queries
):
    for n in range(20):
        ProcedureFactory(agencies=[agency_a], name=f"Thủ tục lọc {n}")
    DossierFactory.create_batch(30, agency=agency_a)
    # Held here but received elsewhere, with a procedure outside agency A's list.
    DossierFactory.create_batch(3, agency=agency_b, current_agency=agency_a, transferred=True)
    login(client, desk_a)
    client.get(URL)  # the session and the cached lists are warm, as on a running server
    for params in ({}, {"page": 2}, {"q": "nguyen van thu"}, {"trang_thai": "received"}):
        with django_assert_max_num_queries(5) as captured:
            response = client.get(URL, params)
        assert response.status_code == 200
        assert not any("COUNT(" in q["sql"] for q in captured.captured_queries)
    rows = client.get(URL).context["rows"]
    assert all(row["procedure_name"] and row["agency_name"] for row in rows)


def test_an_official_s_session_is_written_once_a_minute_not_on_every_page(
    client, desk_a, django_assert_max_num_queries, time_machine
):
    time_machine.move_to("2026-03-02 09:00 +07:00", tick=False)
    login(client, desk_a)
    client.get(URL)

    def writes():
        with django_assert_max_num_queries(20) as captured:
            assert client.get(URL).status_code == 200
        return sum("UPDATE" in q["sql"] and "django_session" in q["sql"] for q in captured)

    assert writes() == 0
    time_machine.move_to("2026-03-02 09:02 +07:00", tick=False)
    assert writes() == 1  # renewed: the inactivity timeout moves on
    assert writes() == 0


# --- cached lists ------------------------------------------------------------------------


def test_the_filter_lists_follow_the_catalogue_without_waiting_for_the_cache(
    client, desk_a, agency_a
):
    login(client, desk_a)
    kept = ProcedureFactory(agencies=[agency_a], name="Cấp giấy phép xây dựng")
    first = client.get(URL).context["filters"].fields["thu_tuc"].choices
    assert any(pk == kept.pk for pk, _ in first)
    added = ProcedureFactory(agencies=[agency_a], name="Chứng thực bản sao")
    renamed = Procedure.objects.get(pk=kept.pk)
    renamed.name = "Cấp lại giấy phép xây dựng"
    renamed.save()
    after = dict(client.get(URL).context["filters"].fields["thu_tuc"].choices)
    assert added.pk in after and "Cấp lại giấy phép" in after[kept.pk]
    added.agencies.remove(agency_a)  # m2m change
    assert added.pk not in dict(client.get(URL).context["filters"].fields["thu_tuc"].choices)
    field = Field.objects.get(pk=kept.field_id)
    field.name = "Xây dựng (đổi tên)"
    field.save()
    assert (
        "Xây dựng (đổi tên)"
        in dict(client.get(URL).context["filters"].fields["linh_vuc"].choices).values()
    )


def test_the_lists_are_cached_per_scope_and_read_from_the_database_when_the_cache_fails(
    desk_a, desk_b, agency_a, agency_b, monkeypatch, django_assert_num_queries
):
    ProcedureFactory(agencies=[agency_a], name="Chỉ ở A")
    ProcedureFactory(agencies=[agency_b], name="Chỉ ở B")
    a = worklist_choices.choices_for(scope_for(desk_a))
    b = worklist_choices.choices_for(scope_for(desk_b))
    assert [p.name for p in a.procedures] == ["Chỉ ở A"]
    assert [p.name for p in b.procedures] == ["Chỉ ở B"]
    with django_assert_num_queries(0):
        assert worklist_choices.choices_for(scope_for(desk_a)) == a

    class Down:
        def __getattr__(self, name):
            raise ConnectionError("redis down")

    monkeypatch.setattr(worklist_choices, "cache", Down())
    assert worklist_choices.choices_for(scope_for(desk_a)).procedures == a.procedures
    ProcedureFactory(agencies=[agency_a], name="Saved while the cache is down")  # no error


def test_the_procedure_list_is_in_vietnamese_reading_order(desk_a, agency_a):
    for name in ("Đăng ký kết hôn", "Chứng thực bản sao", "Cấp giấy phép", "Dừng hoạt động"):
        ProcedureFactory(agencies=[agency_a], name=name)
    names = [p.name for p in worklist_choices.choices_for(scope_for(desk_a)).procedures]
    # fold() puts Đ beside D: "dang" before "dung".
    assert names == ["Cấp giấy phép", "Chứng thực bản sao", "Đăng ký kết hôn", "Dừng hoạt động"]


# --- the search box ----------------------------------------------------------------------


def test_a_name_is_found_without_diacritics(client, desk_a, agency_a):
    wanted = DossierFactory(agency=agency_a, applicant_name="Nguyễn Văn An")
    DossierFactory(agency=agency_a, applicant_name="Trần Thị Bình")
    login(client, desk_a)
    for query in ("nguyen van an", "NGUYEN VAN AN", "Nguyễn Văn An", "nguyen van"):
        assert _codes(client.get(URL, {"q": query})) == {wanted.code}, query
    # From the start of the name (the family name first), as the index reads it.
    assert _codes(client.get(URL, {"q": "van an"})) == set()


def test_every_vietnamese_letter_is_found_with_or_without_its_marks(client, desk_a, agency_a):
    wanted = DossierFactory(agency=agency_a, applicant_name=VIETNAMESE_LETTERS.upper())
    login(client, desk_a)
    # The box takes 100 characters: the start of the name is enough.
    plain = "a" * 18 + " bcdd " + "e" * 12 + " ghiiiiii klmn" + "o" * 18 + " pqrst " + "u" * 12
    for query in (VIETNAMESE_LETTERS[:90], plain):
        assert _codes(client.get(URL, {"q": query})) == {wanted.code}, query


def test_a_name_is_found_with_either_spelling_of_i_and_y(client, desk_a, agency_a):
    wanted = DossierFactory(agency=agency_a, applicant_name="Lý Thị Mỹ")
    login(client, desk_a)
    for query in ("ly thi my", "li thi mi", "Lý Thị Mĩ"):
        assert _codes(client.get(URL, {"q": query})) == {wanted.code}, query


def test_a_code_is_found_whole_by_its_last_part_or_its_last_four_digits(client, desk_a, agency_a):
    wanted = DossierFactory(agency=agency_a)
    DossierFactory.create_batch(3, agency=agency_a)
    login(client, desk_a)
    tail = wanted.code.rsplit("-", 1)[1]
    for query in (wanted.code, wanted.code.lower(), wanted.code[-11:], tail):
        assert _codes(client.get(URL, {"q": query})) == {wanted.code}, query


def test_the_last_digits_of_a_phone_or_id_number_find_the_dossier(client, desk_a, agency_a):
    by_phone = DossierFactory(agency=agency_a, applicant_phone="0912 345 678")
    by_id = DossierFactory(agency=agency_a, applicant_id_number="001190098765")
    DossierFactory(agency=agency_a, applicant_phone="0978123456")  # 5678 in the middle
    login(client, desk_a)
    assert _codes(client.get(URL, {"q": "345 678"})) == {by_phone.code}
    assert _codes(client.get(URL, {"q": "5678"})) == {by_phone.code}
    assert _codes(client.get(URL, {"q": "98765"})) == {by_id.code}


def test_the_search_stays_within_the_official_s_scope(client, desk_a, agency_a, agency_b):
    mine = DossierFactory(agency=agency_a, applicant_name="Nguyễn Văn An")
    theirs = DossierFactory(agency=agency_b, applicant_name="Nguyễn Văn An")
    login(client, desk_a)
    assert _codes(client.get(URL, {"q": "nguyen van an"})) == {mine.code}
    tail = theirs.code.rsplit("-", 1)[1]
    assert theirs.code not in _codes(client.get(URL, {"q": theirs.code}))
    assert theirs.code not in _codes(client.get(URL, {"q": tail}))
    assert theirs.code not in _codes(client.get(URL, {"q": theirs.applicant_phone[-4:]}))


@pytest.mark.parametrize(
    "query", ["", " ", "1", "%", "_", "a|b", "x" * 500, "'; DROP TABLE x; --", "²³⁴⁵"]
)
def test_odd_search_input_is_an_answer_not_an_error(client, desk_a, agency_a, query):
    DossierFactory(agency=agency_a)
    login(client, desk_a)
    assert client.get(URL, {"q": query}).status_code == 200


def test_a_nul_byte_in_the_search_is_a_400_not_an_error(client, desk_a):
    login(client, desk_a)  # the hostile-input middleware refuses NUL everywhere
    assert client.get(URL, {"q": "\x00"}).status_code == 400


def test_wildcards_in_a_search_match_themselves(client, desk_a, agency_a):
    DossierFactory(agency=agency_a, applicant_name="Lê Văn Tư")
    login(client, desk_a)
    assert _codes(client.get(URL, {"q": "l%"})) == set()
    assert _codes(client.get(URL, {"q": "l_ van"})) == set()
    assert len(_codes(client.get(URL, {"q": "le van"}))) == 1


def test_the_search_combines_with_the_filters(client, desk_a, agency_a):
    open_one = DossierFactory(agency=agency_a, applicant_name="Phạm Minh Đức")
    closed = DossierFactory(agency=agency_a, applicant_name="Phạm Minh Đức", settled=True)
    login(client, desk_a)
    assert _codes(client.get(URL, {"q": "pham minh duc"})) == {open_one.code}
    assert _codes(client.get(URL, {"q": "pham minh duc", "trang_thai": "returned"})) == {
        closed.code
    }


def test_intake_and_acceptance_write_the_search_columns(receive, act, desk_a, agency_a, proc5):
    at_desk = receive(hanoi(2021, 3, 1, 9, 5))
    assert at_desk.code.endswith("-210301-0001")
    stored = Dossier.objects.values(*worklist_search.SEARCH_FIELDS).get(pk=at_desk.pk)
    assert stored == {
        "search_name": "le thi mai",
        "search_code_rev": "1000-103012",
        "search_phone_rev": "1234567890",
        "search_id_rev": "123400091100",
    }
    online = services.dossier_submit_online(
        procedure=proc5,
        agency=agency_a,
        channel="dvcqg",
        applicant=APPLICANT,
        documents=DOCUMENTS,
        submitted_at=hanoi(2021, 3, 1, 21, 0),
    )
    assert Dossier.objects.get(pk=online.pk).search_code_rev == ""  # no code yet
    act(online, "accept", hanoi(2021, 3, 2, 8, 30), actor=desk_a)
    assert Dossier.objects.get(pk=online.pk).search_code_rev == "1000-203012"


def test_the_backfill_fills_older_rows_only(db, agency_a):
    old = DossierFactory(agency=agency_a, applicant_name="Đặng Thị Hồng")
    Dossier.objects.filter(pk=old.pk).update(search_name=None, search_code_rev=None)
    done = DossierFactory(agency=agency_a)
    Dossier.objects.filter(pk=done.pk).update(search_name="kept")
    assert worklist_search.backfill(batch=1) == 1
    old.refresh_from_db()
    assert old.search_name == "dang thi hong"
    assert old.search_code_rev == old.code.split("-", 1)[1][::-1]
    assert Dossier.objects.get(pk=done.pk).search_name == "kept"


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    "query, indexes",
    [
        # Name and code: an index led by the agency (receiving or current, prefix names).
        ("nguyen van an", ["dossier_search_name_"]),
        ("210108-0001", ["dossier_search_code_"]),
        ("5678", ["dossier_search_phone", "dossier_search_id"]),
    ],
)
def test_the_search_uses_its_indexes_within_the_scope(db, agency_a, query, indexes):
    """On a tiny table the planner prefers others, so sequential scans are switched off
    (at 1 million dossiers every search plan was read with EXPLAIN ANALYZE: see the commit)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    DossierFactory.create_batch(5, agency=agency_a)
    queryset = worklist_search.search(Dossier.objects.only("pk"), query, agency_ids=[agency_a.pk])
    plan = _plan(queryset)
    assert "dossier_search_trgm" not in plan
    for index in indexes:
        assert index in plan, plan


# --- rendering ---------------------------------------------------------------------------


def _options(html: str) -> list[tuple[str, str, bool]]:
    import re

    return [
        (value, label, " selected" in attrs)
        for value, attrs, label in re.findall(
            r'<option value="([^"]*)"([^>]*)>(.*?)</option>', html, re.S
        )
    ]


@pytest.mark.parametrize("value", ["", "2", "x"])
def test_the_plain_select_writes_what_django_s_select_writes(value):
    from django import forms

    from dossiers.widgets import PlainSelect

    choices = [("", "Tất cả"), (1, 'Cấp <giấy> phép & "xây"'), (2, "Đăng ký kết hôn")]
    attrs = {"id": "id_thu_tuc", "required": True, "data-x": 'a"b'}
    ours = PlainSelect(choices=choices).render("thu_tuc", value, attrs)
    django_s = forms.Select(choices=choices).render("thu_tuc", value, attrs)
    assert _options(ours) == _options(django_s)
    assert ours.split(">", 1)[0] == django_s.split(">", 1)[0]  # name and attributes
    assert "&lt;giấy&gt;" in ours and "<giấy>" not in ours


def test_the_worklist_links_each_row_to_its_dossier(client, desk_a, agency_a):
    wanted = DossierFactory(agency=agency_a)
    login(client, desk_a)
    body = client.get(URL).content.decode()
    assert f'href="/ho-so/xem/{wanted.code}/"' in body
    assert wanted.get_status_display() in body
