"""Constants and helpers of the lifecycle tests; the fixtures are in conftest.py.

Dates are chosen in weeks without public holidays: Monday 1 March 2021 is the usual receipt
day; 5 working days later is Monday 8 March 2021, 17:00.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
APPLICANT = {
    "name": "Lê Thị Mai",
    "id_number": "001190004321",
    "phone": "0987654321",
    "email": "mai@example.vn",
    "address": "Số 12 phố Hàng Gai, Hoàn Kiếm",
}
DOCUMENTS = [{"name": "Tờ khai", "form": "original", "copies": 1}]


def hanoi(*args) -> datetime:
    return datetime(*args, tzinfo=HANOI)
