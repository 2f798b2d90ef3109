from django import template

from hanoi_cchc.health import outbox_alert

register = template.Library()


@register.inclusion_tag("admin/outbox_alert.html")
def outbox_lag_alert():
    """The admin's warning when DVCQG delivery lags (OUTBOX_LAG_ALERT_SECONDS)."""
    return {"alert": outbox_alert()}
