"""Time helpers in the partner's business time zone (Beijing time, settings.TIME_ZONE)."""

from datetime import datetime, time, timedelta

from django.utils import timezone


def local_now():
    return timezone.localtime()


def start_of_local_day(day=None):
    day = day or timezone.localdate()
    return timezone.make_aware(datetime.combine(day, time.min))


def local_day_range(start_day, end_day):
    """[start of start_day, start of the day after end_day) as aware datetimes."""
    return start_of_local_day(start_day), start_of_local_day(end_day + timedelta(days=1))
