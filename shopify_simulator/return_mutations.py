"""The return mutations: returnRequest, returnApproveRequest, returnDeclineRequest, returnCancel,
returnClose, returnProcess (return_store.py applies them; a refused input changes nothing)."""

from .formatting import parse_gid
from .return_store import ReturnError

RETURN_MUTATIONS = (
    "returnRequest",
    "returnApproveRequest",
    "returnDeclineRequest",
    "returnCancel",
    "returnClose",
    "returnProcess",
)


def _numeric(value, kind):
    found, numeric = parse_gid(value)
    return numeric if found == kind else -1


class ReturnMutations:
    """Mixed into Mutations."""

    def return_resolvers(self):
        return {
            "returnRequest": lambda info, input: self._run(info, "returnRequest", {"input": input}),
            "returnApproveRequest": lambda info, input: self._run(
                info, "returnApproveRequest", {"input": input}
            ),
            "returnDeclineRequest": lambda info, input: self._run(
                info, "returnDeclineRequest", {"input": input}
            ),
            "returnCancel": lambda info, id, notifyCustomer=None: self._run(  # noqa: N803 - GraphQL arg
                info, "returnCancel", {"id": id, "notifyCustomer": notifyCustomer}
            ),
            "returnClose": lambda info, id: self._run(info, "returnClose", {"id": id}),
            "returnProcess": lambda info, input: self._run(info, "returnProcess", {"input": input}),
        }

    def _answer(self, apply):
        try:
            ret = apply()
        except ReturnError as error:
            return {
                "return": None,
                "userErrors": [{"field": error.field, "message": str(error), "code": error.code}],
            }, None
        rid = ret["id"]

        def replay():
            return {"return": self.nodes.return_node(self.store.returns.get(rid)), "userErrors": []}

        return replay(), replay

    def _returnRequest(self, input):  # noqa: A002 - GraphQL argument
        items = [
            {
                "fulfillment_line_item_id": _numeric(
                    item["fulfillmentLineItemId"], "FulfillmentLineItem"
                ),
                "quantity": item["quantity"],
                "return_reason": item.get("returnReason"),
                "customer_note": item.get("customerNote"),
            }
            for item in input["returnLineItems"]
        ]
        return self._answer(
            lambda: self.store.request_return(_numeric(input["orderId"], "Order"), items)
        )

    def _returnApproveRequest(self, input):  # noqa: A002 - GraphQL argument
        return self._answer(lambda: self.store.approve_return(_numeric(input["id"], "Return")))

    def _returnDeclineRequest(self, input):  # noqa: A002 - GraphQL argument
        return self._answer(
            lambda: self.store.decline_return(
                _numeric(input["id"], "Return"), input["declineReason"], input.get("declineNote")
            )
        )

    def _returnCancel(self, id, notifyCustomer=None):  # noqa: A002,N803,ARG002 - GraphQL arguments
        return self._answer(lambda: self.store.cancel_return(_numeric(id, "Return")))

    def _returnClose(self, id):  # noqa: A002 - GraphQL argument
        return self._answer(lambda: self.store.close_return(_numeric(id, "Return")))

    def _returnProcess(self, input):  # noqa: A002 - GraphQL argument
        lines = [
            {
                "id": _numeric(line["id"], "ReturnLineItem"),
                "quantity": line["quantity"],
                "dispositions": [
                    {
                        "type": d["dispositionType"],
                        "quantity": d["quantity"],
                        "location_id": _numeric(d["locationId"], "Location")
                        if d.get("locationId")
                        else None,
                    }
                    for d in line.get("dispositions") or []
                ],
            }
            for line in input.get("returnLineItems") or []
        ]
        issue = (input.get("financialTransfer") or {}).get("issueRefund")
        refund = [
            {
                "parent_id": _numeric(t["parentId"], "OrderTransaction"),
                "amount": t["transactionAmount"]["amount"],
            }
            for t in (issue or {}).get("orderTransactions") or []
        ] or None
        return self._answer(
            lambda: self.store.process_return(
                _numeric(input["returnId"], "Return"), lines, refund=refund, note=input.get("note")
            )
        )
