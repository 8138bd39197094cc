# One image for web, worker and beat; the command picks the role (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PORTAL_VAR_DIR=/app/var
WORKDIR /app

COPY pyproject.toml README.md ./
COPY portal ./portal
COPY certificates ./certificates
COPY discovery ./discovery
COPY templates ./templates
COPY static ./static
COPY manage.py ./
RUN pip install --no-cache-dir . \
    && useradd --system --home /app portal \
    && mkdir -p /app/var && chown portal /app/var
# collectstatic reads settings, which want secrets when DATABASE_URL is set; this build-only
# run uses the embedded mode with throwaway values.
RUN SECRET_KEY=build KEY_ENCRYPTION_KEY=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    python manage.py collectstatic --noinput -v0 && rm -f /app/var/secret_key /app/var/key_encryption_key

USER portal
EXPOSE 8000
CMD ["granian", "--interface", "wsgi", "--host", "0.0.0.0", "--port", "8000", "--workers", "3", "--workers-kill-timeout", "10", "--access-log", "portal.wsgi:application"]
