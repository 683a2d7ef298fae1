# The two commands of the README: `make demo` and `make test`.
.PHONY: demo test lint typecheck lock

demo:
	scripts/setup.sh app
	.venv/bin/childfirst demo-data
	CHILDFIRST_HTTPS=0 CHILDFIRST_REPORT_HOTLINE=$${CHILDFIRST_REPORT_HOTLINE-12345} .venv/bin/childfirst serve --host 127.0.0.1 --port 8000

# The tests keep their compiled bytecode (__pycache__, git-ignored) even where the machine sets
# PYTHONDONTWRITEBYTECODE: else every worker, server and command compiles, and pytest assert-rewrites,
# every module again (~10 s of each worker's collection).
test:
	scripts/setup.sh test
	PYTHONDONTWRITEBYTECODE= .venv/bin/python -m pytest

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

# mypy with django-stubs over childfirst/ (configured in pyproject.toml); not in CI until clean.
typecheck:
	scripts/setup.sh test
	.venv/bin/mypy

# Rewrites constraints.txt from the packages installed in .venv (see its header).
lock:
	.venv/bin/python scripts/lock.py
