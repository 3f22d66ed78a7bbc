"""Readiness: the liability accounts of gift cards and store credit (one line after the checklist)."""

from odoo import models

from ..mapping.accounting import STORE_CREDIT_GATEWAYS

LIABILITY_TYPES = ("liability_current", "liability_non_current")


class ShopifyShop(models.Model):
    _inherit = "shopify.shop"  # pylint: disable=consider-merging-classes-inherited

    def _check_readiness(self):
        states = super()._check_readiness()
        state, detail, fix = self._ready_liabilities()
        lines = self.readiness_line_ids
        self.env["shopify.readiness.line"].create(
            {
                "shop_id": self.id,
                "sequence": max(lines.mapped("sequence"), default=0) + 1,
                "code": "liabilities",
                "name": self.env._("Gift cards and store credit on liability accounts"),
                "state": state,
                "detail": detail,
                "fix_action": fix or False,
                "checked_at": self.readiness_checked_at,
            }
        )
        return dict(states, liabilities=state)

    def _ready_liabilities(self):
        """Red when a gift-card or store-credit gateway is mapped without its liability account."""
        mapped = {gateway.strip().lower() for gateway in self.gateway_mapping_ids.mapped("gateway")}
        rows = [
            (self.env._("Gift cards"), self.gift_card_account_id, "gift_card" in mapped),
            (self.env._("Store credit"), self.store_credit_account_id, bool(mapped & set(STORE_CREDIT_GATEWAYS))),
        ]
        found, problems = [], []
        for label, account, used in rows:
            if account and account.account_type not in LIABILITY_TYPES:
                problems.append(
                    self.env._("%(what)s: %(account)s is not a liability", what=label, account=account.display_name)
                )
            elif account:
                found.append(f"{label}: {account.display_name}")
            elif used:
                problems.append(self.env._("%s: a gateway is mapped but no liability account is set", label))
            else:
                found.append(self.env._("%s: no account (no gateway mapped)", label))
        if problems:
            return "red", "; ".join(problems) + ".", self._open_shop_action()
        return "green", "; ".join(found) + ".", None
