"""Order edits, mixed into Mutations: orderEditBegin, orderEditAddVariant, orderEditSetQuantity,
orderEditCommit (Shopify 2026-10).

``orderEditBegin`` opens a calculated order (a ``CalculatedOrder`` id and an ``OrderEditSession``
id, the same number); ``orderEditAddVariant`` and ``orderEditSetQuantity`` stage changes on it
(a calculated line item's id is ``CalculatedLineItem/<line item id>`` for a line of the order, a
new number for a variant added); nothing changes in the order until ``orderEditCommit``, which
applies them at once as ``Store.edit_order`` (order_edits.py) and queues the ``orders/edited``
and ``orders/updated`` webhooks (``ShopifySimulator.take_webhooks``). A staged change Shopify
refuses (quantity below 0, more removed than is unfulfilled, an unknown variant) is a user error;
a committed calculated order cannot be edited or committed again.
"""

from .formatting import gid, parse_gid
from .order_edits import OrderEditError
from .pagination import paged


class OrderEditMutations:
    """Needs ``self.store`` and ``self.nodes``; returns (payload, replay or None)."""

    def _session(self, calculated_id):
        kind, number = parse_gid(calculated_id)
        session = self.store.edit_sessions.get(int(number)) if kind == "CalculatedOrder" else None
        if session is None:
            raise OrderEditError("The calculated order does not exist.")
        if session["committed"]:
            raise OrderEditError("The calculated order has already been committed.")
        return session

    @staticmethod
    def _edit_error(payload_keys, exc, field):
        payload = dict.fromkeys(payload_keys)
        payload["userErrors"] = [{"field": field, "message": str(exc)}]
        return payload, None

    def _orderEditBegin(self, id):  # noqa: A002 - GraphQL argument
        kind, number = parse_gid(id)
        order = self.store.orders.get(int(number)) if kind == "Order" else None
        if order is None or order.get("cancelled_at"):
            error = OrderEditError("The order does not exist or cannot be edited.")
            return self._edit_error(("calculatedOrder", "orderEditSession"), error, ["id"])
        number = self.store.next_id()
        session = {"id": number, "order_id": int(order["id"]), "quantities": {}, "added": {}}
        session["committed"] = False
        self.store.edit_sessions[number] = session
        payload = self._edit_payload(session)
        return payload, lambda: payload

    def _orderEditAddVariant(self, id, variantId, quantity, locationId=None, allowDuplicates=False):  # noqa: A002,ARG002,N803
        keys = ("calculatedLineItem", "calculatedOrder", "orderEditSession")
        try:
            session = self._session(id)
            kind, number = parse_gid(variantId)
            if kind != "ProductVariant" or int(number) not in self.store.variants:
                raise OrderEditError("The variant does not exist.")
            if quantity < 1:
                raise OrderEditError("The quantity must be 1 or more.")
            order = self.store.orders[session["order_id"]]
            ordered = {int(line.get("variant_id") or 0) for line in order.get("line_items") or []}
            if not allowDuplicates and int(number) in ordered:
                raise OrderEditError("The variant is already on the order.")
        except OrderEditError as exc:
            return self._edit_error(keys, exc, ["variantId"])
        line_id = self.store.next_id()
        session["added"][line_id] = [int(number), int(quantity)]
        payload = self._edit_payload(session, ("added", line_id))
        return payload, lambda: payload

    def _orderEditSetQuantity(self, id, lineItemId, quantity, restock=False, locationId=None):  # noqa: A002,ARG002,N803
        keys = ("calculatedLineItem", "calculatedOrder", "orderEditSession")
        try:
            session = self._session(id)
            kind, number = parse_gid(lineItemId)
            number = int(number)
            order = self.store.orders[session["order_id"]]
            lines = {int(line["id"]): line for line in order.get("line_items") or []}
            if kind != "CalculatedLineItem" or (
                number not in lines and number not in session["added"]
            ):
                raise OrderEditError("The line item does not exist on the calculated order.")
            if quantity < 0:
                raise OrderEditError("The quantity must be 0 or more.")
            if number in lines:
                line = lines[number]
                current = self.store.current_quantity(order["id"], line)
                if current - quantity > self.store.unfulfilled_quantity(order["id"], number):
                    raise OrderEditError("Only unfulfilled units can be removed.")
        except OrderEditError as exc:
            return self._edit_error(keys, exc, ["lineItemId"])
        if number in session["added"]:
            if quantity:
                session["added"][number][1] = int(quantity)
            else:
                session["added"].pop(number)
            changed = ("added", number)
        else:
            session["quantities"][number] = int(quantity)
            changed = ("line", number)
        payload = self._edit_payload(session, changed)
        return payload, lambda: payload

    def _orderEditCommit(self, id, notifyCustomer=False, staffNote=None):  # noqa: A002,ARG002,N803
        try:
            session = self._session(id)
            edit = self.store.edit_order(
                session["order_id"],
                quantities=session["quantities"],
                add=list(session["added"].values()),
                staff_note=staffNote or "",
            )
        except OrderEditError as exc:
            return {
                "order": None,
                "successMessages": [],
                "userErrors": [{"field": ["id"], "message": str(exc)}],
            }, None
        session["committed"] = True
        session["edit_id"] = edit["id"]
        self.store.webhook_outbox.append(("orders/edited", edit["id"]))
        self.store.webhook_outbox.append(("orders/updated", session["order_id"]))
        order_id = session["order_id"]
        payload = {
            "order": self.nodes.order(self.store.orders[order_id]),
            "successMessages": ["Order updated"],
            "userErrors": [],
        }
        return payload, lambda: payload

    # -- calculated objects ------------------------------------------------------------
    def _edit_payload(self, session, changed=None):
        calculated = self._calculated_order(session)
        payload = {
            "calculatedOrder": calculated,
            "orderEditSession": {
                "__typename": "OrderEditSession",
                "id": gid("OrderEditSession", session["id"]),
            },
            "userErrors": [],
        }
        if changed:
            kind, number = changed
            payload["calculatedLineItem"] = (
                self._added_line(number, *session["added"][number])
                if kind == "added" and number in session["added"]
                else self._order_line(session, number)
            )
        return payload

    def _calculated_order(self, session):
        order = self.store.orders[session["order_id"]]
        lines = [
            self._order_line(session, int(line["id"])) for line in order.get("line_items") or []
        ]
        added = [self._added_line(number, *pair) for number, pair in session["added"].items()]
        every = lines + added
        return {
            "__typename": "CalculatedOrder",
            "id": gid("CalculatedOrder", session["id"]),
            "committed": session["committed"],
            "originalOrder": lambda _info: self.nodes.order(self.store.orders[session["order_id"]]),
            "lineItems": paged(lambda: every),
            "addedLineItems": paged(lambda: added),
            "subtotalLineItemsQuantity": sum(line["quantity"] for line in every),
            "totalPriceSet": self.nodes.money(
                sum(line["_amount"] for line in every) if every else 0
            ),
        }

    def _order_line(self, session, number):
        order = self.store.orders[session["order_id"]]
        line = next(li for li in order.get("line_items") or [] if int(li["id"]) == number)
        current = self.store.current_quantity(order["id"], line)
        quantity = session["quantities"].get(number, current)
        unfulfilled = self.store.unfulfilled_quantity(order["id"], number)
        price = float(line.get("price") or 0)
        return {
            "id": gid("CalculatedLineItem", number),
            "quantity": quantity,
            "editableQuantity": quantity,
            "editableQuantityBeforeChanges": current,
            "sku": line.get("sku"),
            "title": line.get("title") or "",
            "variantTitle": line.get("variant_title"),
            "variant": lambda _info: self.nodes.variant(
                self.store.variants.get(int(line.get("variant_id") or 0))
            ),
            "originalUnitPriceSet": self.nodes.money(line.get("price")),
            "restockable": bool(unfulfilled),
            "restocking": quantity < current,
            "_amount": price * quantity,
        }

    def _added_line(self, number, variant_id, quantity):
        variant = self.store.variants[variant_id]
        price = float(variant.get("price") or 0)
        return {
            "id": gid("CalculatedLineItem", number),
            "quantity": quantity,
            "editableQuantity": quantity,
            "editableQuantityBeforeChanges": 0,
            "sku": variant.get("sku"),
            "title": variant.get("title") or "",
            "variantTitle": variant.get("title"),
            "variant": lambda _info: self.nodes.variant(variant),
            "originalUnitPriceSet": self.nodes.money(variant.get("price")),
            "restockable": False,
            "restocking": False,
            "_amount": price * quantity,
        }
