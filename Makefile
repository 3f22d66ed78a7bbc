# shopify_sync: the two commands a fresh machine needs, and a few more.
.PHONY: setup test demo lint bench chaos clean pot screenshots wheel wheel-check readme
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
	$(VENV)/bin/python tools/gen_addon_readme.py --check

readme:          ## shopify_sync/README.rst from shopify_sync/readme/*.md and the manifest (make lint checks it is current)
	$(VENV)/bin/python tools/gen_addon_readme.py

wheel:           ## dist/odoo_addon_shopify_sync-<version>-py3-none-any.whl, built by whool
	tools/build_wheel.sh

wheel-check:     ## the wheel installs into a clean Odoo 19 venv and a new database (also part of make test)
	tools/wheel_check.sh

pot:             ## regenerate shopify_sync/i18n/shopify_sync.pot (tests/test_i18n.py checks it is current)
	tools/make_pot.sh

screenshots:     ## docs/images/*.png: the overview, a failure and the fix wizard, in headless chromium
	tools/make_screenshots.sh

clean:
	rm -rf .cache dist

bench:           ## benchmarks (not tests): webhook ack vs bare route, end-to-end sync, duplicate storm -> bench/results.json (BENCH_CLUSTER=1: two nodes behind nginx)
	tools/run_bench.sh

chaos:           ## fault injection (worker kills, PostgreSQL restart, Shopify faults, drops, fuzzing; CHAOS_ARGS=--cluster adds the cluster scenarios) -> chaos/results.json
	tools/run_chaos.sh $(CHAOS_ARGS)
