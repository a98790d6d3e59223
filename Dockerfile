# vendorguard: one image for the web app (gunicorn), the job worker and the scheduler.
# compose.yaml runs it with PostgreSQL and MinIO; docs/deploy.md ("コンテナ") explains the settings.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VENDORGUARD_INSTANCE_PATH=/var/lib/vendorguard \
    FLASK_APP=app

RUN useradd --system --home-dir /opt/vendorguard --shell /usr/sbin/nologin vendorguard \
    && install -d -o vendorguard -g vendorguard -m 750 /var/lib/vendorguard

WORKDIR /opt/vendorguard/app
# Editable install, as on a server (docs/deploy.md 2.): templates, static files, migrations and
# config.py are read from this folder.
COPY pyproject.toml README.md app.py config.py babel.cfg ./
COPY vendorguard ./vendorguard
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations
COPY contract_templates ./contract_templates
RUN pip install -e '.[postgres,server]'

USER vendorguard
EXPOSE 8000
# The worker and the scheduler use the same image with another command (compose.yaml):
#   flask vg jobs-worker --queue default     flask vg jobs-scheduler
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "--preload", "--timeout", "120", "--access-logfile", "-", "app:app"]
