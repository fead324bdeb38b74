# One entry point per chore, used by people and CI alike.
.PHONY: dev test check compose bootstrap fuzz fuzz-schema bench-subscriptions bench bench-dashboard

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

# Thousands of random operations per graph against the oracle, with a fresh seed (printed).
fuzz: bootstrap
	./scripts/npm-tools
	seed=$${EHB_DIFFERENTIAL_SEED:-$$(od -An -N3 -tu4 /dev/urandom | tr -d " ")}; echo "EHB_DIFFERENTIAL_SEED=$$seed"; \
	EHB_DIFFERENTIAL_SEED=$$seed EHB_DIFFERENTIAL_OPERATIONS=3000 \
	.venv/bin/pytest tests/integration/differential -q

# schemathesis against the router and the six subgraphs: up to 200 generated operations per field
# and mode (valid and invalid), a fresh seed (printed); no 5xx, no hang, every error with a code.
fuzz-schema: bootstrap
	seed=$${EHB_FUZZ_SEED:-$$(od -An -N3 -tu4 /dev/urandom | tr -d " ")}; echo "EHB_FUZZ_SEED=$$seed"; \
	EHB_FUZZ_SEED=$$seed EHB_FUZZ_EXAMPLES=$${EHB_FUZZ_EXAMPLES:-200} \
	.venv/bin/pytest tests/faults/test_router_schema_fuzzing.py -q -s

# Subscriptions through the router: latency at 10 and 5,000 WebSocket subscribers, memory per
# subscriber (bench/subscriptions/RESULTS.md). CI runs the bounded `--quick` run as a test.
bench-subscriptions: bootstrap
	bench/subscriptions/run

# Our router against Apollo Gateway and Hive Gateway on the standard four-subgraph workload
# (bench/federation/README.md; about 20 minutes with the defaults; its section of
# bench/RESULTS.md). Options through BENCH_ARGS, e.g. make bench BENCH_ARGS="--rounds 5".
bench: bootstrap
	bench/federation/run $(BENCH_ARGS)

# The dashboard's heaviest query through the router at list sizes 10, 20, 50, 100: latency, router
# overhead, SQL statements per request per subgraph (bench/dashboard/RESULTS.md). CI runs the
# bounded `--quick` run as a test (statement counts must not grow with list sizes). Options
# through DASHBOARD_ARGS, e.g. make bench-dashboard DASHBOARD_ARGS="--requests 500".
bench-dashboard: bootstrap
	bench/dashboard/run $(DASHBOARD_ARGS)
