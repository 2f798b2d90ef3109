"""An illustrative catalogue for demonstrations and development (``manage.py load_demo``).

Names and fields follow real Hanoi procedures; national codes, fees, time limits, online
modes and DVCQG dates are plausible but ILLUSTRATIVE, generated deterministically from a
fixed seed so that loading twice changes nothing.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from .models import Agency, Channel, Procedure, RequiredDocument, TimeUnit
from .services import (
    DATA_DIR,
    DocumentSpec,
    TimeLimitSpec,
    agencies_load,
    agency_code,
    field_upsert,
    procedure_upsert,
)

UNITS = {
    "w": TimeUnit.WORKING_DAYS,
    "c": TimeUnit.CALENDAR_DAYS,
    "h": TimeUnit.WORKING_HOURS,
    "m": TimeUnit.MONTHS,
}
SEED = 2021  # the year of the reform plan; any fixed value keeps the demo stable
TRANSITION = date(2025, 7, 1)  # two-level local government (no district level)

# Documents almost every dossier needs since the VNeID/CCCD reforms (Decree 104/2022).
COMMON_DOCS = [
    DocumentSpec(
        "Căn cước công dân hoặc căn cước của người nộp hồ sơ (xuất trình để đối chiếu)",
        RequiredDocument.Form.ORIGINAL,
        1,
    ),
]
OPTIONAL_DOC = DocumentSpec(
    "Văn bản ủy quyền (trường hợp nộp thay)", RequiredDocument.Form.EITHER, 1, False
)


def _read_csv(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _steps(where: str, online: bool) -> str:
    lines = [
        f"Bước 1: Tổ chức, cá nhân chuẩn bị hồ sơ và nộp tại {where}"
        + (
            ", qua dịch vụ bưu chính công ích hoặc trực tuyến."
            if online
            else " hoặc qua bưu chính."
        ),
        "Bước 2: Cán bộ Bộ phận Một cửa kiểm tra hồ sơ; hồ sơ chưa đầy đủ thì hướng dẫn "
        "một lần bằng Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ; hồ sơ đầy đủ thì cấp Giấy "
        "tiếp nhận hồ sơ và hẹn trả kết quả.",
        "Bước 3: Cơ quan có thẩm quyền thẩm định, giải quyết hồ sơ.",
        "Bước 4: Trả kết quả tại nơi nộp hồ sơ, qua bưu chính hoặc trực tuyến.",
    ]
    return "\n".join(lines)


def own_procedure_texts() -> dict[str, dict]:
    """Each demo procedure's own documents, steps, result and fee note, by procedure name:
    demo_procedure_details.json and one file per field in procedure_texts/."""
    texts = json.loads((DATA_DIR / "demo_procedure_details.json").read_text(encoding="utf-8"))
    for path in sorted((DATA_DIR / "procedure_texts").glob("*.json")):
        texts.update(json.loads(path.read_text(encoding="utf-8")))
    return texts


def load_catalogue(*, stdout=None, limit: int | None = None) -> dict[str, int]:
    """Load agencies, fields and the demo procedures; idempotent. Returns counts by outcome."""

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message)

    agencies = agencies_load()
    say(
        f"Cơ quan, đơn vị: {agencies.created} mới, {agencies.updated} cập nhật, "
        f"{agencies.unchanged} không đổi"
    )
    details = json.loads((DATA_DIR / "demo_field_details.json").read_text(encoding="utf-8"))
    # Per procedure, where written (demo_procedure_details.json): its own documents, steps,
    # result and fee note, modelled on the national catalogue's entry for that procedure.
    details["_procedures"] = own_procedure_texts()
    fields, departments = {}, {}
    for row in _read_csv("fields.csv"):
        fields[row["code"]] = field_upsert(code=row["code"], name=row["name"])
        departments[row["code"]] = agency_code(row["department"])
    dept_by_code = {
        a.identifier_code: a
        for a in Agency.objects.filter(identifier_code__in=departments.values())
    }
    # The 126 units of the data file (since 1/7/2025), not other communes in the database.
    communes = list(Agency.objects.filter(level=Agency.Level.COMMUNE, valid_from__gte=TRANSITION))
    districts = list(Agency.objects.filter(level=Agency.Level.DISTRICT))
    say(f"Lĩnh vực: {len(fields)}")

    rows = _read_csv("demo_procedures.csv")
    if limit is not None:
        rows = rows[:limit]
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    # One transaction for the whole catalogue: all or nothing, and one commit (fast on SQLite).
    with transaction.atomic():
        _load_rows(
            rows, counts, say, fields, details, departments, dept_by_code, districts, communes
        )
    say(
        f"Thủ tục: {counts['created']} mới, {counts['updated']} cập nhật, "
        f"{counts['unchanged']} không đổi"
    )
    return counts


def _load_rows(rows, counts, say, fields, details, departments, dept_by_code, districts, communes):
    rng = random.Random(SEED)
    used_codes: set[str] = set()
    for index, row in enumerate(rows, 1):
        values, parts = _procedure_values(row, rng, used_codes, fields, details)
        level = row["levels"]
        if level == "T":
            agencies_for = [dept_by_code[departments[row["field"]]]]
        elif level == "H":
            agencies_for = districts
        else:
            agencies_for = communes
        where = {
            "T": "Trung tâm Phục vụ hành chính công Thành phố",
            "H": "Bộ phận Một cửa Ủy ban nhân dân cấp huyện",
            "X": "Bộ phận Một cửa Ủy ban nhân dân cấp xã",
        }[level]
        own = details["_procedures"].get(row["name"])
        if own:
            values["steps"] = "\n".join(
                f"Bước {i}: {step}" for i, step in enumerate(own["steps"], 1)
            )
        else:
            values["steps"] = _steps(where, values["online_mode"] != Procedure.OnlineMode.NONE)
        _, outcome = procedure_upsert(
            national_code=parts["code"],
            values=values,
            agencies=agencies_for,
            documents=parts["documents"],
            time_limits=parts["time_limits"],
            reason="Dữ liệu minh họa",
        )
        counts[outcome] += 1
        if index % 50 == 0 or index == len(rows):
            say(f"  thủ tục {index}/{len(rows)}")


def _fee_note(own: dict | None, fee: Decimal, mode: str) -> str:
    """The procedure's own note; otherwise only what the amount does not say already (the
    page prints "Không thu phí, lệ phí" for 0: the note repeated it)."""
    note = (own or {}).get("fee_note", "")
    if fee and mode != Procedure.OnlineMode.NONE:
        online = "Nộp trực tuyến được giảm 50% lệ phí theo Nghị quyết của HĐND Thành phố."
        note = f"{note} {online}".strip() if note else f"Nộp khi tiếp nhận hồ sơ. {online}"
    return note


def _online_since(code: str, mode: str, integrated_on: date | None) -> date | None:
    """Since when an online procedure has been offered online: some months before its DVCQG
    integration (a procedure is offered online before it is integrated), or in 2019-2024 when
    not integrated. Without it a past year's DVCQG coverage read 0/0 (issue 14). Drawn from
    the procedure's own generator so that every other demo value stays as it was."""
    if mode == Procedure.OnlineMode.NONE:
        return None
    own = random.Random(f"{SEED}:{code}")
    if integrated_on is not None:
        return integrated_on - timedelta(days=own.randint(30, 540))
    return date(2019, 1, 1) + timedelta(days=own.randint(0, 2000))


def _procedure_values(row, rng, used_codes, fields, details):
    """Everything about one demo procedure, drawn from the seeded generator in file order."""
    level = row["levels"]
    prefix = "1" if rng.random() < 0.8 else "2"
    while True:
        code = f"{prefix}.{rng.randint(0, 13999):06d}"
        if code not in used_codes:
            used_codes.add(code)
            break
    roll = rng.random()
    if roll < 0.17:
        mode, legacy = Procedure.OnlineMode.FULL, 4
    elif roll < 0.42:
        mode, legacy = Procedure.OnlineMode.PARTIAL, 3
    else:
        mode, legacy = Procedure.OnlineMode.NONE, rng.choice([1, 2, 2, None])
    integrated = mode != Procedure.OnlineMode.NONE and rng.random() < 0.75
    integrated_on = date(2020, 6, 1) + timedelta(days=rng.randint(0, 1500)) if integrated else None
    online_since = _online_since(code, mode, integrated_on)
    value = Decimal(row["value"])
    unit = UNITS[row["unit"]]
    fee = Decimal(row["fee"])
    detail = details[row["field"]]
    time_limits = []
    variant = rng.random()
    if mode != Procedure.OnlineMode.NONE and variant < 0.2 and unit == TimeUnit.WORKING_DAYS:
        faster = max(Decimal("0.5"), value - max(1, int(value) // 3))
        time_limits.append(TimeLimitSpec(Channel.ONLINE, "", faster, unit))
    elif variant > 0.88 and unit == TimeUnit.WORKING_DAYS:
        time_limits.append(
            TimeLimitSpec("", "Trường hợp phải xác minh", value + max(2, int(value) // 2), unit)
        )
    own = details["_procedures"].get(row["name"])
    source = own or detail
    docs = [DocumentSpec(n, f, c) for n, f, c in source["docs"]] + COMMON_DOCS
    if rng.random() < 0.5:
        docs.append(OPTIONAL_DOC)
    values = {
        "name": row["name"],
        "field": fields[row["field"]],
        "at_city": level == "T",
        "at_district": level == "H",
        "at_commune": level == "X",
        "time_limit_value": value,
        "time_limit_unit": unit,
        "fee": fee,
        "fee_note": _fee_note(own, fee, mode),
        "legal_basis": (own or {}).get("legal") or detail["legal"],
        "result_document": source["result"],
        "online_mode": mode,
        "legacy_level": legacy,
        "dvcqg_integrated": integrated,
        "dvcqg_integrated_on": integrated_on,
        "online_mode_since": online_since,
        "local_code": f"{code}.000.00.00.H26" if level == "T" else "",
        "status": Procedure.Status.PUBLISHED,
        "valid_to": TRANSITION - timedelta(days=1) if level == "H" else None,
    }
    return values, {"code": code, "documents": docs, "time_limits": time_limits}


# Demo accounts: printed by ``ensure_demo_users``; never create these in production.
DEMO_PASSWORD = "hanoi-demo-2025"
DEMO_COMMUNE_GSO = "00070"  # Phường Hoàn Kiếm
DEMO_USERS = [
    # username, full name, role (None = superuser), at the demo commune?
    ("admin", "Đỗ Minh Quân", None),
    ("motcua", "Nguyễn Thị Lan", "desk"),
    ("chuyenvien", "Trần Văn Minh", "specialist"),
    ("lanhdao", "Lê Quang Huy", "leader"),
    ("thanhtra", "Phạm Thu Hà", "inspector"),
]


def demo_users_ensure(*, reset_passwords: bool = False) -> list[tuple[str, str, str]]:
    """Create the demo accounts and memberships; returns (login, password, role).

    An existing account keeps its password (and so its sessions: Django ties a session to the
    password hash) unless reset_passwords; a changed password is reported as such.
    """
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from .models import Membership

    User = get_user_model()
    commune = Agency.objects.filter(gso_code=DEMO_COMMUNE_GSO, level=Agency.Level.COMMUNE).first()
    if commune is None:
        agencies_load()
        commune = Agency.objects.get(gso_code=DEMO_COMMUNE_GSO, level=Agency.Level.COMMUNE)
    out = []
    with transaction.atomic():
        for username, full_name, role in DEMO_USERS:
            # Family and middle names in last_name, the given name in first_name.
            last, first = full_name.rsplit(" ", 1)
            user, created = User.objects.get_or_create(username=username)
            user.last_name, user.first_name = last, first
            # Only the superuser is staff: the inspector has no admin permissions, and a
            # "Quản trị" link to an empty admin only puzzled (issue 14).
            user.is_staff = role is None
            user.is_superuser = role is None
            password = DEMO_PASSWORD
            if created or reset_passwords or not user.has_usable_password():
                user.set_password(DEMO_PASSWORD)
            elif not user.check_password(DEMO_PASSWORD):
                password = "(đã đổi)"
            user.save()
            if role is None:
                label = "Quản trị hệ thống (superuser)"
            else:
                agency = None if role == Membership.Role.INSPECTOR else commune
                Membership.objects.get_or_create(user=user, agency=agency, role=role)
                label = f"{Membership.Role(role).label}" + (f" – {agency}" if agency else "")
            out.append((username, password, label))
    return out
