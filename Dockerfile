# Multi-stage build: dependencies and the project are installed by uv in a builder, and only the
# virtual environment is copied into a slim runtime image that runs as a non-root user.
FROM python:3.11-slim AS builder
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY forge ./forge
COPY server ./server
COPY channels ./channels
COPY domain ./domain
COPY db ./db
COPY workers ./workers
RUN uv sync --frozen --no-dev --no-editable

# What both tiers run on: the virtual environment, a non-root user and the data folder.
FROM python:3.11-slim AS base
RUN useradd --create-home --uid 10001 forge && mkdir -p /data/sandboxes && chown -R forge:forge /data
COPY --from=builder /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    FORGE_DATA_DIR=/data \
    PYTHONUNBUFFERED=1
USER forge
WORKDIR /home/forge
VOLUME ["/data"]
ENTRYPOINT ["forge"]

# `docker build --target worker`: a standalone agent worker (needs FORGE_DATABASE_URL on
# PostgreSQL and FORGE_REDIS_URL). It serves nothing, so it has no port and no HTTP health check.
FROM base AS worker
CMD ["worker"]

# The default target: the web tier (HTTP and WebSockets), with an in-process worker unless
# FORGE_WORKER_IN_PROCESS=false.
FROM base AS web
ENV FORGE_HOST=0.0.0.0 \
    FORGE_PORT=8000
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["serve"]
