# hanoi_cchc: `make run` serves the portal with demo data; `make test` runs every test.
# Both work on a fresh clone: they create the virtual environment and install first.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
DEMO_DOSSIERS ?= 1500

.PHONY: run dev test setup lint format messages demo clean-db worker beat bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# English catalogues; Vietnamese is the source language and needs none.
messages: $(VENV)/.installed
	@if command -v msgfmt >/dev/null 2>&1; then \
		$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0; \
	else echo "msgfmt not found (apt-get install gettext): English UI will fall back to Vietnamese"; fi

setup: $(VENV)/.installed node_modules/.installed messages
	$(BIN)/python manage.py migrate --noinput -v 0

# One process: catalogue, dossiers (bulk, one transaction), published indices, accounts.
demo: setup
	$(BIN)/python manage.py load_demo --dossiers $(DEMO_DOSSIERS) --indicators --users

# The portal as its users see it: DEBUG off (our own error pages, no debug details),
# static files collected and served by WhiteNoise, plain HTTP on the loopback address.
# Links and QR codes on printed forms point where the portal is served (HOST/PORT).
# No autoreloader: it starts Django twice and polls every file each second, for code that
# does not change while users try the portal (`make dev` keeps it).
SITE_URL ?= http://$(HOST):$(PORT)
export SITE_URL

RUN_ENV = DJANGO_DEBUG=false DJANGO_SECRET_KEY="$$(cat var/secret_key)" \
	DJANGO_SECURE_SSL_REDIRECT=false DJANGO_SECURE_COOKIES=false DJANGO_HSTS_SECONDS=0

var/secret_key:
	@mkdir -p var
	@$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

run: demo var/secret_key
	$(RUN_ENV) $(BIN)/python manage.py collectstatic --noinput -v 0
	@echo "Cổng TTHC Hà Nội: http://$(HOST):$(PORT)/  (dừng: Ctrl+C)"
	$(RUN_ENV) $(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

# For developers: the same with DEBUG on (tracebacks, template reloading).
dev: demo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed node_modules/.installed messages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Under supervision: started again whenever they exit (bin/supervise; see README "Workers").
worker: setup
	bin/supervise $(BIN)/celery -A hanoi_cchc worker --loglevel=info

beat: setup
	bin/supervise $(BIN)/celery -A hanoi_cchc beat --loglevel=info

# Benchmarks at scale (PostgreSQL and Redis on 127.0.0.1; see bench/README.md).
N ?= 1000000
bench: setup
	$(BIN)/python bench/run.py --dossiers $(N)
