"""19.0.2.2.0: link the sync-failure activities of earlier versions to their sync job.

Earlier versions filed a failure's activity on the shop (before the Odoo record
existed) or on the record, without a link to the job: summary
``Shopify sync failed: <type> <number or Shopify id>``. Since 19.0.2.2.0 a job
finds the activities of its problem by the link in their note only, so each such
activity still open gets the link of the job it names, and is marked done with
the problem as before.
"""

from markupsafe import Markup

from odoo import SUPERUSER_ID, api

OPEN_STATES_EXCLUDED = ("done", "ignored")


def legacy_summaries(job):
    """The summaries earlier versions gave a job's activity.

    They named the job ``<type> <number or Shopify id>``; the name grows the
    customer and total once the order is read, so the short forms are kept too.
    """
    label = job._resource_type_label()
    names = {job.name, f"{label} {job.resource_label or job.resource_id}", f"{label} {job.resource_id}"}
    return {f"Shopify sync failed: {name}"[:250] for name in names}


def link_legacy_activities(env):
    """Add the job's link to the note of each open activity an earlier version filed for it."""
    activity_type = env.ref("shopify_sync.mail_activity_type_sync_failure", raise_if_not_found=False)
    if not activity_type:
        return 0
    activities = env["mail.activity"].sudo()
    linked = 0
    for job in env["shopify.sync.job"].sudo().search([("state", "not in", OPEN_STATES_EXCLUDED)]):
        link = f'/odoo/shopify.sync.job/{job.id}"'
        around = [("shopify.shop", job.shop_id.id)]
        if job.res_model and job.res_id:
            around.append((job.res_model, job.res_id))
        summaries = list(legacy_summaries(job))
        for model, res_id in around:
            found = activities.search(
                [
                    ("activity_type_id", "=", activity_type.id),
                    ("res_model", "=", model),
                    ("res_id", "=", res_id),
                    ("summary", "in", summaries),
                ]
            )
            for activity in found.filtered(lambda a, link=link: link not in str(a.note or "")):
                activity.note = Markup("%s<p>%s</p>") % (activity.note or "", job._job_link())
                linked += 1
    return linked


def migrate(cr, version):
    if not version:
        return
    link_legacy_activities(api.Environment(cr, SUPERUSER_ID, {}))
