"""What make demo, make bench and make chaos share: the servers they start and the questions they ask.

- ``paths``: the checkout, its cache folder, the Odoo source;
- ``procs``: ports, process groups, /proc (workers, memory, listen-queue drops);
- ``odoo``: one Odoo node (its config, command line, workers, log), supervised or not;
- ``nginx``: the proxy in front of N nodes;
- ``deploy``: one node, or N nodes behind nginx, as one thing to start, watch and stop;
- ``simulator``: local Shopify simulators;
- ``db``: a polling connection that survives a PostgreSQL restart;
- ``keys`` and ``jobs``: queue_job identity keys and the questions about a shop's jobs;
- ``records``: every read of the Odoo records' Shopify identity (one module for the schema);
- ``orm``: the in-process ORM and shop set-up;
- ``bench_shops``: make bench's shops and its main catalogue.
"""
