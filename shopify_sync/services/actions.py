"""Window-action dicts the buttons return."""


def notify(message, kind="success"):
    """A notification, then the dialog (if any) closed."""
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {"type": kind, "message": message, "next": {"type": "ir.actions.act_window_close"}},
    }
