"""Plain-Python building blocks with no ORM access: errors, ids, HMAC, GraphQL."""
