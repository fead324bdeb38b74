# One entry point per chore, used by people and CI alike.
.PHONY: dev test check compose bootstrap

bootstrap:
	./scripts/bootstrap

dev: bootstrap
	.venv/bin/ehb dev --seed

test:
	./scripts/test

check: bootstrap
	.venv/bin/ruff format --check router subgraphs tests
	.venv/bin/ruff check router subgraphs tests
	.venv/bin/mypy
	.venv/bin/lint-imports
	.venv/bin/ehb compose --check

compose: bootstrap
	.venv/bin/ehb compose
