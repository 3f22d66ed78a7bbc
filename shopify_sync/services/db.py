"""Cursor helpers for the few places that must not share the caller's transaction."""

from contextlib import contextmanager

from psycopg2.extensions import TRANSACTION_STATUS_IDLE

from odoo import SUPERUSER_ID, api
from odoo.sql_db import Cursor
from odoo.tools import SQL


@contextmanager
def independent_env(env, read_committed=True):
    """Yield a superuser environment on a new cursor, committed on success.

    Used for what must survive the caller's rollback (a failure record while
    a job is rolled back) and for upserts that must wait for, then see,
    concurrent commits (READ COMMITTED instead of Odoo's REPEATABLE READ).
    Under Odoo's test mode the registry hands out a test cursor on the test's
    own transaction; the isolation level is then left alone.
    """
    with env.registry.cursor() as cr:
        if read_committed and isinstance(cr, Cursor):
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        yield api.Environment(cr, SUPERUSER_ID, dict(env.context))


@contextmanager
def read_committed_cursor(registry):
    """Yield a new cursor in READ COMMITTED, committed when the block ends (a test cursor under test mode).

    For a statement that updates a row shared by concurrent transactions and must
    wait for, then build on, their commits (services/rate_budget.py): under
    Odoo's REPEATABLE READ the second writer would fail with a serialization error.
    """
    with registry.cursor() as cr:
        if isinstance(cr, Cursor):
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        yield cr


def begin_read_committed(cr):
    """The SQL that opens a READ COMMITTED transaction on ``cr``, to prefix its first statement.

    Ends the current transaction first if one is open: it must not have
    written anything, it is rolled back. The webhook door sends it with its insert, in one
    round trip, so that concurrent copies of an event wait for each other
    at the unique index and then see each other, on the request's own
    cursor. Empty under the test harness, whose cursor is shared.
    """
    if not isinstance(cr, Cursor):
        return ""
    if cr.connection.info.transaction_status != TRANSACTION_STATUS_IDLE:
        cr.rollback()
    return "SET TRANSACTION ISOLATION LEVEL READ COMMITTED;\n"


def lock_for_decision(record):
    """Hold ``record``'s row until commit, so that a decision on it is taken once.

    Two managers (or two browser tabs) pressing the same button at once: the
    second waits here, then reads the state the first committed (the caller
    reads it after this). Raw SQL because the ORM has no row lock.
    """
    record.env.cr.execute(SQL("SELECT id FROM %s WHERE id = %s FOR UPDATE", SQL.identifier(record._table), record.id))
    record.invalidate_recordset(["state"])
