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

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 forge && mkdir /data && chown forge:forge /data
COPY --from=builder /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    FORGE_HOST=0.0.0.0 \
    FORGE_PORT=8000 \
    FORGE_DATA_DIR=/data \
    PYTHONUNBUFFERED=1
USER forge
WORKDIR /home/forge
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
ENTRYPOINT ["forge"]
CMD ["serve"]
