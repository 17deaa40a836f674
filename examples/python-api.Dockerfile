# A Python API whose package clean-up lands in the wrong layer and which runs as root.
FROM python:3.12-slim
ENV PIP_NO_CACHE_DIR=1
RUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev
RUN rm -rf /var/lib/apt/lists/*
WORKDIR /srv
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
USER root
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]
