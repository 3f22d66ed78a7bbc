from odoo import api, models


class StockQuant(models.Model):
    _inherit = "stock.quant"

    @api.model
    def _shopify_counted(self, product, location, delta):
        """The quant of ``product`` in ``location`` itself, set to count ``delta`` more (or fewer), to apply.

        Only the location's own plain quant is counted (no lot, package or owner):
        the sync moves a quantity, it never guesses which lot it belongs to.
        """
        quants = self.sudo().with_context(inventory_mode=True)
        quant = quants._gather(product, location, strict=True).filtered(
            lambda q: not q.lot_id and not q.package_id and not q.owner_id
        )[:1] or quants.create({"product_id": product.id, "location_id": location.id})
        quant.inventory_quantity = quant.quantity + delta
        return quant
