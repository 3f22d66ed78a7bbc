"""Bodies of the Admin API's error answers, as Shopify words them."""

import json

from .query_cost import MAX_QUERY_COST

INVALID_TOKEN = {
    "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
}
GATEWAY_PAGE = (
    "<!DOCTYPE html><html><head><title>{status} {reason}</title></head>"
    "<body><h1>{reason}</h1></body></html>"
)
REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
RATE_LIMIT_TEXT = (
    "Exceeded 2 calls per second for api client. "
    "Reduce request rates to resume uninterrupted service."
)


def throttled_body(cost_extensions):
    return {
        "errors": [
            {
                "message": "Throttled",
                "extensions": {
                    "code": "THROTTLED",
                    "documentation": "https://shopify.dev/api/usage/rate-limits",
                },
            }
        ],
        "extensions": cost_extensions,
    }


def failure_body(status, headers):
    if status in (502, 503, 504):
        headers["Content-Type"] = "text/html; charset=utf-8"
        return GATEWAY_PAGE.format(status=status, reason=REASONS[status]).encode()
    message = "Internal error. Looks like something went wrong on our end."
    body = {
        "errors": [
            {
                "message": f"{message}\nRequest ID: {headers['X-Request-Id']}",
                "extensions": {
                    "code": "INTERNAL_SERVER_ERROR",
                    "requestId": headers["X-Request-Id"],
                },
            }
        ]
    }
    return json.dumps(body).encode()


def max_cost_body(cost):
    message = (
        f"Query cost is {cost}, which exceeds the single query max cost limit "
        f"({MAX_QUERY_COST}).\n\n"
        "See https://shopify.dev/concepts/about-apis/rate-limits for more information "
        "on how the\ncost of a query is calculated.\n\n"
        "To query larger amounts of data with fewer limits, bulk operations should be "
        "used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api "
        "for usage details.\n"
    )
    extensions = {"code": "MAX_COST_EXCEEDED", "cost": cost, "maxCost": MAX_QUERY_COST}
    return {"errors": [{"message": message, "extensions": extensions}]}
