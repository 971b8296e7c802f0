# The real deployment's image: web (gunicorn), worker and beat all run from it.
FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never UV_LINK_MODE=copy UV_PROJECT_ENVIRONMENT=/app/.venv \
    DJANGO_ENV=production PATH="/app/.venv/bin:$PATH"

RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm gettext curl \
 && rm -rf /var/lib/apt/lists/* \
 && pip install --no-cache-dir uv

WORKDIR /app
COPY pyproject.toml uv.lock package.json package-lock.json ./
RUN uv sync --frozen --no-dev --no-install-project && npm ci --omit=dev --no-audit --no-fund

COPY . .
# collectstatic needs settings; a throwaway key is fine at build time (no secrets baked in).
RUN SECRET_KEY=build-only-key-$(date +%s)-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx \
    python manage.py collectstatic --no-input -v 0

RUN useradd --create-home --uid 10001 partnercenter && mkdir -p /app/var && chown -R partnercenter /app/var
USER partnercenter
EXPOSE 8000
CMD ["gunicorn", "partnercenter.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
