"""Pure functions from Shopify GraphQL nodes to Odoo values: no ORM, no I/O."""
