"""Cursor helpers for the few places that must not share the caller's transaction."""

from contextlib import contextmanager

from odoo import SUPERUSER_ID, api
from odoo.sql_db import Cursor


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


def read_committed(cr):
    """Go on on ``cr`` in a new READ COMMITTED transaction.

    Ends the current transaction, which must not have written anything: the
    webhook door calls it before its first write, so that concurrent copies
    of an event wait for each other at the unique index and then see each
    other, on the request's own cursor. Left alone under the test harness.
    """
    if isinstance(cr, Cursor):
        cr.commit()
        cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
