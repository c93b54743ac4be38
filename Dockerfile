# The sohoa image used by docker-compose.yml (API and intake workers). Runtime packages only:
# the test tools (SoftHSM, Chromium, docker-compose) stay out of production.
# Base image pinned to a patch release (never a floating tag); Python packages come from
# requirements.lock with their hashes, so a rebuild installs the bytes that were tested.
FROM python:3.11.7-slim-bookworm
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-vie poppler-utils fonts-dejavu-core fonts-liberation2 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/sohoa
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY config ./config
COPY ocr ./ocr
COPY pipeline ./pipeline
COPY signing ./signing
COPY storage ./storage
RUN pip install --no-cache-dir --no-deps .
RUN useradd --system --home /var/lib/sohoa sohoa && mkdir -p /var/lib/sohoa && chown sohoa /var/lib/sohoa
USER sohoa
ENV SOHOA_DATA_DIR=/var/lib/sohoa
EXPOSE 8080
CMD ["sohoa", "serve", "--host", "0.0.0.0", "--port", "8080"]
