{
    "name": "Shopify Sync Bench: bare route",
    "summary": "Benchmark baselines only: an auth='none' route that reads the body and answers 200, and one that "
    "durably inserts one row. Never ship.",
    "version": "19.0.1.0.0",
    "category": "Hidden",
    "license": "LGPL-3",
    "author": "shopify_sync contributors",
    "depends": ["web"],
    "data": ["security/ir.model.access.csv"],
    "installable": True,
    "application": False,
}
