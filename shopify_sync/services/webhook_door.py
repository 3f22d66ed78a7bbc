"""The webhook door's one statement, kept in PostgreSQL as a function.

Every webhook runs the same three steps: take the shop's dispatch lock in
shared mode (received deliveries only), insert the delivery or count one
more receipt of it, and look for a waiting dispatcher. Sent as plain SQL,
PostgreSQL parses and plans the three statements on every request; a
PL/pgSQL function keeps their plans for the life of the connection, and
Odoo's workers keep their connections. The function is (re)created by the
delivery model's ``init()`` (install and every upgrade), so its body always
matches this file. The semantics are those of ``_upsert``'s docstring: the
look for a dispatcher is a later statement than the lock, so it sees every
dispatcher that started before the lock was granted.

Raw SQL on purpose: this is the request path of every webhook, and the lock
must be taken in the same transaction as the insert.
"""

from .identity import DISPATCHER_WAITING_SQL

DOOR_FUNCTION = "shopify_webhook_door"

# The waiting-dispatcher test is the one of services/identity.py, on the function's parameter.
_WAITING = DISPATCHER_WAITING_SQL % {"dispatcher": "p_dispatcher"}

CREATE_DOOR_FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION {DOOR_FUNCTION}(
    p_lock bigint, p_dispatcher varchar, p_shop integer, p_topic varchar, p_event varchar,
    p_webhook varchar, p_triggered varchar, p_version varchar, p_rtype varchar, p_rid varchar,
    p_now timestamp, p_state varchar, p_note varchar, p_body text, p_label varchar,
    OUT delivery_id integer, OUT inserted boolean, OUT dispatcher_waiting boolean
) LANGUAGE plpgsql AS $door$
BEGIN
    IF p_lock IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock_shared(p_lock);
    END IF;
    INSERT INTO shopify_webhook_delivery AS d
        (shop_id, topic, event_id, webhook_id, triggered_at, api_version,
         resource_type, resource_id, received_at, last_received_at, receipt_count,
         state, note, raw_body, resource_label, create_date, write_date)
    VALUES (p_shop, p_topic, p_event, p_webhook, p_triggered, p_version, p_rtype, p_rid,
            p_now, p_now, 1, p_state, p_note, p_body, p_label, p_now, p_now)
    ON CONFLICT (shop_id, event_id) DO UPDATE
       SET receipt_count = d.receipt_count + 1,
           last_received_at = EXCLUDED.last_received_at
    RETURNING d.id, (d.xmax = 0) INTO delivery_id, inserted;
    dispatcher_waiting := {_WAITING};
END
$door$
"""

CALL_DOOR_SQL = f"""
SELECT delivery_id, inserted, dispatcher_waiting FROM {DOOR_FUNCTION}(
    %(lock)s, %(dispatcher)s, %(shop)s, %(topic)s, %(event)s, %(webhook)s, %(triggered)s,
    %(version)s, %(rtype)s, %(rid)s, %(now)s, %(state)s, %(note)s, %(body)s, %(label)s)
"""
