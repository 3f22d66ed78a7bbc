from odoo import fields, models


class ShopifyBenchFloor(models.Model):
    """The rows the floor route inserts (controllers/floor.py); bench databases only."""

    _name = "shopify.bench.floor"
    _description = "Bench floor row"
    _log_access = False

    event_id = fields.Char()
    body_bytes = fields.Integer()
