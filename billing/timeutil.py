from datetime import datetime, time

from django.utils import timezone


def start_of_month(local_dt):
    """The first instant of local_dt's month in Beijing time, as an aware datetime."""
    return timezone.make_aware(datetime.combine(local_dt.date().replace(day=1), time.min))


def month_bounds(cycle):
    """[start, end) of a 'YYYY-MM' billing month in Beijing time."""
    year, month = (int(x) for x in cycle.split("-"))
    start = timezone.make_aware(datetime(year, month, 1))
    end = timezone.make_aware(datetime(year + (month == 12), month % 12 + 1, 1))
    return start, end
