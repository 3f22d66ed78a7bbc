{
    "name": "Shopify Sync Bench: bare route",
    "summary": "Benchmark baseline only: an auth='none' route that reads the body and answers 200. Never ship.",
    "version": "19.0.1.0.0",
    "category": "Hidden",
    "license": "LGPL-3",
    "author": "shopify_sync contributors",
    "depends": ["web"],
    "data": [],
    "installable": True,
    "application": False,
}
