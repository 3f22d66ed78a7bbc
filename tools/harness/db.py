"""A plain autocommit psycopg2 connection for polling: never the ORM, never a long transaction.

It reconnects (for up to ``patience`` s) when the server went away, so that a
poller survives a PostgreSQL restart.  ``run(func, ...)`` hands ``func`` a
cursor, as the functions of ``records`` and ``jobs`` expect.
"""

import time

import psycopg2

DB_ERRORS = (psycopg2.OperationalError, psycopg2.InterfaceError)


class Db:
    def __init__(self, db, port=None, patience=120, application_name="shopify_sync-harness"):
        self.db, self.port, self.patience, self.application_name = db, port, patience, application_name
        self.conn = None

    def _cursor(self):
        if self.conn is None or self.conn.closed:
            self.conn = psycopg2.connect(dbname=self.db, port=self.port, application_name=self.application_name)
            self.conn.autocommit = True
        return self.conn.cursor()

    def run(self, func, *args, **kwargs):
        """``func(cursor, *args, **kwargs)``, once more on a new connection while the server is away."""
        deadline = time.monotonic() + self.patience
        while True:
            try:
                with self._cursor() as cr:
                    return func(cr, *args, **kwargs)
            except DB_ERRORS:
                self.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def one(self, sql, args=None):
        return self.run(_fetch, sql, args, "one")

    def all(self, sql, args=None):
        return self.run(_fetch, sql, args, "all")

    def execute(self, sql, args=None):
        return self.run(_fetch, sql, args, "rowcount")

    def settle(self, sql, args, quiet=1.5):
        """The row of ``sql`` once it has not changed for ``quiet`` seconds."""
        last, since = None, time.monotonic()
        while True:
            row = self.one(sql, args)
            if row != last:
                last, since = row, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return row
            time.sleep(0.25)

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except DB_ERRORS:
                pass
        self.conn = None


def _fetch(cr, sql, args, what):
    cr.execute(sql, args)
    if what == "one":
        return cr.fetchone()
    return cr.fetchall() if what == "all" else cr.rowcount
