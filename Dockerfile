# machinery-network: one stateless app process; PostgreSQL comes from DATABASE_URL.
# Without DATABASE_URL the container starts the embedded PostgreSQL in /data (fine for a trial,
# use a managed PostgreSQL in production).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    MN_DATA_DIR=/data \
    XDG_RUNTIME_DIR=/tmp/runtime

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY src ./src
RUN pip install . && mkdir -p /data /tmp/runtime && chmod 700 /tmp/runtime

VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health').status != 200)"

# `serve` migrates to head before it listens.
CMD ["machinery-network", "serve", "--host", "0.0.0.0", "--port", "8000"]
