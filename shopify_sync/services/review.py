"""Review-before-apply: the diff of a dry run, its fingerprint and its rendering.

Pure functions over plain data. A diff is a list of entries, in the order the
dry run made them::

    {"op": "create" | "write", "model": "res.partner", "model_label": "Contact",
     "record": "Jane Doe", "key": "res.partner:new:1",
     "fields": [{"name": "email", "label": "Email", "old": "a@x.com", "new": "b@x.com"}]}

Values are already readable text (a related record by its name, a record the
same dry run creates as "(new Contact)"), never database ids: ids and
sequence numbers are not rolled back with the savepoint, so they would make
two dry runs of the same change look different.
"""

import hashlib
import json

from markupsafe import Markup, escape

OP_LABELS = {"create": "New", "write": "Change", "delete": "Remove", "send": "Send to Shopify"}


def add_send(entries, mutations):
    """Add the writes a push would send to Shopify (its dry run stops at the first)."""
    for mutation in mutations:
        variables = json.dumps(mutation["variables"], sort_keys=True, default=str)
        entries.append(
            {
                "op": "send",
                "model": "shopify",
                "model_label": "Shopify",
                "record": mutation["root_field"],
                "key": f"shopify:{mutation['root_field']}",
                "fields": [{"name": "variables", "label": "Variables", "old": None, "new": variables}],
            }
        )


def add_write(entries, key, meta, changes):
    """Add the changed fields of a write to ``entries`` (merged into the record's entry)."""
    changes = [change for change in changes if change["old"] != change["new"]]
    if not changes:
        return
    entry = _entry(entries, key)
    if entry is None:
        entries.append(dict(meta, op="write", key=key, fields=changes))
        return
    by_name = {change["name"]: change for change in entry["fields"]}
    for change in changes:
        if change["name"] in by_name:
            by_name[change["name"]]["new"] = change["new"]
        else:
            entry["fields"].append(change)
    # A field written back to its old value is no change.
    entry["fields"] = [c for c in entry["fields"] if entry["op"] == "create" or c["old"] != c["new"]]
    if not entry["fields"] and entry["op"] == "write":
        entries.remove(entry)


def add_create(entries, key, meta, values):
    """Add a record the dry run creates, with the values it would get."""
    fields = [dict(value, old=None) for value in values if value["new"] not in (None, False, "", [])]
    entries.append(dict(meta, op="create", key=key, fields=fields))


def _entry(entries, key):
    return next((entry for entry in entries if entry["key"] == key), None)


def fingerprint(updated_at, entries):
    """What an approval is about: Shopify's version and the exact change, as one hash."""
    payload = json.dumps({"updated_at": updated_at or None, "entries": entries}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def summary(entries):
    """One line: how many records are created and changed."""
    created = sum(1 for entry in entries if entry["op"] == "create")
    changed = sum(1 for entry in entries if entry["op"] == "write")
    fields = sum(len(entry["fields"]) for entry in entries if entry["op"] == "write")
    removed = sum(1 for entry in entries if entry["op"] == "delete")
    sent = sum(1 for entry in entries if entry["op"] == "send")
    if not entries:
        return "No change: Odoo already matches Shopify."
    parts = []
    if created:
        parts.append(f"{created} record(s) to create")
    if changed:
        parts.append(f"{fields} field(s) to change on {changed} record(s)")
    if removed:
        parts.append(f"{removed} record(s) to remove")
    if sent:
        parts.append(f"{sent} write(s) to send to Shopify")
    return ", ".join(parts) + "."


def render_html(entries):
    """The diff as a table: per record, per field Odoo's value -> Shopify's value."""
    if not entries:
        return Markup("<p>%s</p>") % summary(entries)
    rows = []
    for entry in entries:
        title = Markup("<b>%s</b> %s: %s") % (
            OP_LABELS.get(entry["op"], entry["op"]),
            entry.get("model_label") or entry["model"],
            entry.get("record") or "",
        )
        css = {"create": "table-success", "delete": "table-danger"}.get(entry["op"], "table-warning")
        rows.append(Markup('<tr class="%s"><td colspan="3">%s</td></tr>') % (css, title))
        for change in entry["fields"]:
            old = "" if entry["op"] == "create" else _text(change["old"])
            rows.append(
                Markup('<tr><td class="ps-4">%s</td><td><del>%s</del></td><td><ins>%s</ins></td></tr>')
                % (change.get("label") or change["name"], old, _text(change["new"]))
            )
    head = Markup("<thead><tr><th>Field</th><th>Odoo now</th><th>From Shopify</th></tr></thead>")
    return Markup('<table class="table table-sm o_shopify_review_diff">%s<tbody>%s</tbody></table>') % (
        head,
        Markup("").join(rows),
    )


def _text(value):
    if value in (None, False):
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return escape(str(value))
