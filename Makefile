# shopify_sync: the two commands a fresh machine needs, and a few more.
.PHONY: setup test demo lint bench chaos clean pot screenshots
VENV ?= .venv

setup:           ## venv, PostgreSQL and Odoo's requirements (idempotent)
	tools/setup_env.sh

test:            ## fresh test database + the whole suite (pytest-odoo, HTTP tests included)
	tools/run_tests.sh

demo:            ## Odoo + addon + local Shopify simulator, a scenario, a printed report
	tools/run_demo.sh $(DEMO_ARGS)

lint:            ## ruff and pylint-odoo, as pre-commit runs them
	tools/setup_env.sh
	$(VENV)/bin/ruff check shopify_sync shopify_simulator tools
	$(VENV)/bin/ruff format --check shopify_sync shopify_simulator tools
	$(VENV)/bin/pylint --rcfile=.pylintrc shopify_sync

pot:             ## regenerate shopify_sync/i18n/shopify_sync.pot (tests/test_i18n.py checks it is current)
	tools/make_pot.sh

screenshots:     ## docs/images/*.png: the overview, a failure and the fix wizard, in headless chromium
	tools/make_screenshots.sh

clean:
	rm -rf .cache

bench:           ## benchmarks (not tests): webhook ack vs bare route, end-to-end sync, duplicate storm -> bench/results.json (BENCH_CLUSTER=1: two nodes behind nginx)
	tools/run_bench.sh

chaos:           ## fault injection (worker kills, PostgreSQL restart, Shopify faults, drops, fuzzing; CHAOS_ARGS=--cluster adds the cluster scenarios) -> chaos/results.json
	tools/run_chaos.sh $(CHAOS_ARGS)
