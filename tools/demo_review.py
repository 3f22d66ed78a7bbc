"""The demo's rollout step: customers in review mode; a new customer waits with its diff, then is approved."""


def review_mode(scenario):
    """Switch the demo shop's customers to review, send one new customer, approve its diff; (diff, outcome)."""
    scenario.step("Rollout: customers switched to review; a new customer waits with its diff until approved")
    shop_id = scenario.shop_id
    scenario.orm.run(lambda env: env["shopify.shop"].browse(shop_id).write({"rollout_customers": "review"}))
    customer = scenario.sim.generate(customers=1)["customers"][0]
    scenario.sender.send("customers/create", customer)
    scenario.wait_for_jobs()

    def approve(env):
        job = env["shopify.sync.job"].search(
            [("shop_id", "=", shop_id), ("resource_id", "=", str(customer["id"])), ("state", "=", "to_review")]
        )
        if not job:
            return "no review waiting", "nothing approved"
        diff = job.review_summary
        job.action_approve()
        job.shop_id.rollout_customers = "automatic"
        return diff, f"{job.state} ({job.outcome}, {job.review_decision} by {job.reviewed_by_id.name})"

    diff, outcome = scenario.orm.run(approve)
    scenario.notes.append(f"review mode: diff '{diff}' approved -> {outcome}")
    print(f"[demo]   diff: {diff}\n[demo]   approved: {outcome}")
    return diff, outcome
