.PHONY: run test setup lint

run:  ## set up, then serve on http://127.0.0.1:8000 (PORT=... to change)
	bash scripts/run.sh

test:  ## set up, start a throwaway PostgreSQL, lint, run all tests
	bash scripts/test.sh

setup:  ## install what is missing (system packages, .venv, frontend, runtime bundle)
	bash scripts/setup.sh

lint:
	.venv/bin/ruff check .
