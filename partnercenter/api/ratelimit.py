"""10 requests per second per access key and operation (CBC.0250 beyond), counted in Redis so
that every web process shares one count."""

import logging
import threading
import time

from django.conf import settings

log = logging.getLogger(__name__)
_client = None
_local_counts = {}
_local_lock = threading.Lock()


def _redis():
    global _client
    if _client is None:
        import redis

        _client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5
        )
    return _client


def allow(access_key_id, operation, now=None):
    """Count this request; False when the key already made `PC_API_RATE_LIMIT` calls to this
    operation in the current second."""
    second = int(now if now is not None else time.time())
    key = f"pc:api:rl:{access_key_id}:{operation}:{second}"
    limit = settings.PC_API_RATE_LIMIT
    if settings.REDIS_URL:
        try:
            pipe = _redis().pipeline()
            pipe.incr(key)
            pipe.expire(key, 2)
            count, _ok = pipe.execute()
            return count <= limit
        except Exception:  # noqa: BLE001 - a Redis outage must not take the API down with it
            log.warning("rate limiter: Redis unavailable, counting in-process", exc_info=True)
    # The embedded demo has no Redis: count in this process.
    with _local_lock:
        for stale in [k for k in _local_counts if k[2] < second]:
            del _local_counts[stale]
        slot = (access_key_id, operation, second)
        _local_counts[slot] = _local_counts.get(slot, 0) + 1
        return _local_counts[slot] <= limit
