"""Settings of the benchmark server: the project's settings, plus what a load test needs.

Only three things differ from production, each because a load from one loopback address
would otherwise measure something else than the portal:
- the citizen lookup's rate limits (60 lookups per 10 minutes per IP…) are raised: every
  request still goes through the limiter (the same one Redis round trip), it never trips;
- the trivial view is mounted (bench/urls_bench.py), as the floor of what the stack allows;
- collected static files go under bench/out/ (ignored by git), not the checkout's root.
"""

from hanoi_cchc.settings import *  # noqa: F403
from hanoi_cchc.settings import BASE_DIR

ROOT_URLCONF = "bench.urls_bench"
DOSSIER_LOOKUP_LIMITS = {
    "ip": (10**9, 600),
    "secret_ip": (10**9, 3600),
    "secret_ip_code": (10**9, 900),
    "secret_ip_code_day": (10**9, 86400),
    "secret_code": (10**9, 30 * 86400),
}
STATIC_ROOT = BASE_DIR / "bench" / "out" / "static"
