"""B2B: companies, their locations and contacts; orders on payment terms with a PO number, unpaid and invoiced."""

from odoo.tests import tagged

from .accounting_common import setup_accounting
from .common import ShopifyHttpCase, ShopifyTransactionCase

NET_30 = {"id": 5500001, "payment_terms_name": "Net 30", "payment_terms_type": "net", "due_in_days": 30}


@tagged("post_install", "-at_install")
class TestB2BOrders(ShopifyTransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.books = setup_accounting(cls.env, cls.shop)  # invoices when paid
        cls.shop.confirm_policy = "on_paid"
        cls.net30 = cls.env["account.payment.term"].create(
            {
                "name": "30 days (Shopify test)",
                "line_ids": [(0, 0, {"value": "percent", "value_amount": 100, "nb_days": 30})],
            }
        )

    def b2b_order(self, seed, **overrides):
        """An unpaid order on Net 30 terms with a PO number, as a company's buyer places it."""
        values = {
            "financial_status": "pending",
            "transactions": [],
            "po_number": "PO-4711",
            "payment_terms": dict(NET_30),
        }
        values.update(overrides)
        return self.seed_order(seed=seed, **values)

    def map_net30(self):
        return self.env["shopify.payment.term.mapping"].create(
            {"shop_id": self.shop.id, "name": "net 30", "payment_term_id": self.net30.id}
        )

    def test_unmapped_payment_terms_are_a_configuration_failure_naming_them(self):
        seeded = self.b2b_order(501)
        job = self.sync_fails("order", seeded["id"])
        self.assertEqual(job.category, "configuration")
        self.assertIn("Net 30", job.message)
        self.assertIn("Net 30", job.missing)
        self.assertFalse(self.bound("order", seeded["id"]), "nothing half-written")
        self.map_net30()
        self.sync("order", seeded["id"])
        self.assertTrue(self.bound("order", seeded["id"]), "the retry creates it")

    def test_unpaid_b2b_order_confirmed_and_invoiced_with_its_terms_not_paid(self):
        self.map_net30()
        seeded = self.b2b_order(502)
        self.sync("order", seeded["id"])
        self.perform_jobs()
        order = self.bound("order", seeded["id"])
        self.assertEqual(order.client_order_ref, "PO-4711", "the PO number is the customer reference")
        binding = self.env["shopify.order.binding"]._find(self.shop, seeded["id"])
        self.assertEqual(binding.shopify_name, seeded["name"])
        self.assertEqual(order.payment_term_id, self.net30)
        self.assertEqual(order.state, "sale", "on terms: confirmed though unpaid")
        invoice = self.env["shopify.invoice.binding"]._record(self.shop, seeded["id"])
        self.assertEqual(invoice.state, "posted", self.sync_job("order_payments", seeded["id"]).outcome_note)
        self.assertEqual(invoice.invoice_payment_term_id, self.net30)
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual((invoice.invoice_date_due - invoice.invoice_date).days, 30)
        payments = self.env["shopify.transaction.binding"].search(
            [("shop_id", "=", self.shop.id), ("order_shopify_id", "=", str(seeded["id"]))]
        )
        self.assertFalse(payments, "nothing paid")
        # delivered again: one order, one invoice
        self.simulator.touch("order", seeded["id"])
        self.sync("order", seeded["id"])
        self.perform_jobs()
        self.assertEqual(len(self.env["shopify.order.binding"].search([("odoo_id", "=", order.id)])), 1)
        self.assertEqual(order.invoice_ids, invoice)
        self.assertEqual(order.client_order_ref, "PO-4711")

    def test_an_unpaid_order_without_terms_waits_for_its_payment(self):
        seeded = self.seed_order(seed=503, financial_status="pending", transactions=[])
        self.sync("order", seeded["id"])
        self.perform_jobs()
        order = self.bound("order", seeded["id"])
        self.assertEqual(order.state, "draft", "the when-paid policy: not confirmed")
        self.assertEqual(order.client_order_ref, seeded["name"], "no PO number: Shopify's order name")
        self.assertFalse(order.invoice_ids)


ADDRESS = {"address1": "1 Congress Ave", "city": "Austin", "country_code": "US", "province_code": "TX", "zip": "78701"}
DOCK = {"address1": "9 Dock Rd", "city": "Dallas", "country_code": "US", "province_code": "TX", "zip": "75201"}


@tagged("post_install", "-at_install")
class TestB2BCompanies(ShopifyHttpCase):
    """companies/*, company_locations/* and company_contacts/*: one job per company, however they arrive."""

    def seed_company(self, seed):
        buyer = self.simulator.generate(customers=1, products=0, orders=0, seed=seed)["customers"][0]
        company = self.simulator.seed_company(
            {
                "name": f"Acme {seed}",
                "note": "Key account",
                "locations": [
                    {"name": "Head office", "billing_address": ADDRESS, "shipping_address": DOCK},
                    {"name": "Branch", "billing_address": DOCK},
                ],
                "contacts": [{"customer_id": buyer["id"], "title": "Purchasing", "is_main_contact": True}],
            }
        )
        return company, buyer

    def company_bindings(self, company_id):
        return self.env["shopify.company.location.binding"].search(
            [("company_binding_id.shopify_id", "=", str(company_id))]
        )

    def test_company_locations_and_contacts_become_a_company_its_addresses_and_people(self):
        company, buyer = self.seed_company(601)
        location, contact = company["locations"][0], company["contacts"][0]
        # out of order and twice: a location and a contact before their company
        for topic, entry_id in (
            ("company_locations/create", location["id"]),
            ("company_contacts/create", contact["id"]),
        ):
            payload = self.simulator.webhook_payload(topic, entry_id)
            self.assertEqual(self.post_webhook(topic, payload).status_code, 200)
            self.assertEqual(self.post_webhook(topic, payload).status_code, 200)
        self.post_webhook("companies/create", self.simulator.webhook_payload("companies/create", company["id"]))
        self.perform_jobs()
        job = self.sync_job("company", company["id"])
        self.assertEqual(job.state, "done", job.outcome_note)
        partner = self.env["shopify.company.binding"]._record(self.shop, company["id"])
        self.assertTrue(partner.is_company)
        self.assertEqual(partner.name, company["name"])
        locations = self.company_bindings(company["id"])
        self.assertEqual(len(locations), 2)
        head = locations.filtered(lambda b: b.shopify_id == str(location["id"]))
        self.assertEqual((head.odoo_id.type, head.odoo_id.parent_id), ("invoice", partner))
        self.assertEqual((head.odoo_id.city, head.odoo_id.state_id.code), ("Austin", "TX"))
        self.assertEqual((head.delivery_partner_id.type, head.delivery_partner_id.city), ("delivery", "Dallas"))
        person = self.bound("customer", buyer["id"])
        self.assertEqual(person.parent_id, partner, "the contact is a person of the company")
        self.assertEqual(person.function, "Purchasing")
        self.assertEqual(person.commercial_partner_id, partner)
        # a location renamed, one removed: updated in place, the removed one archived
        count = self.env["res.partner"].with_context(active_test=False).search_count([("parent_id", "=", partner.id)])
        self.shop.protected_fields = "sale.order.order_line"  # addresses: Shopify's changes are written
        stored = self.simulator.store.companies[company["id"]]
        stored["locations"][0]["name"] = "Head office (new)"
        removed = stored["locations"].pop(1)
        payload = self.simulator.webhook_payload("company_locations/update", location["id"])
        self.post_webhook("company_locations/update", payload)
        self.perform_jobs()
        self.assertIn("Head office (new)", head.odoo_id.name)
        self.assertEqual(
            self.env["res.partner"].with_context(active_test=False).search_count([("parent_id", "=", partner.id)]),
            count,
            "no new contact",
        )
        self.assertFalse(self.env["shopify.company.location.binding"]._find(self.shop, removed["id"]))
        self.assertEqual(len(self.company_bindings(company["id"])), 1)
        self.assertEqual(len(self.env["shopify.company.binding"].search([("shopify_id", "=", str(company["id"]))])), 1)

    def test_a_deleted_company_keeps_its_contact(self):
        company, _buyer = self.seed_company(602)
        self.post_webhook("companies/create", self.simulator.webhook_payload("companies/create", company["id"]))
        self.perform_jobs()
        partner = self.env["shopify.company.binding"]._record(self.shop, company["id"])
        self.simulator.delete("company", company["id"])
        self.post_webhook("companies/delete", {"admin_graphql_api_id": f"gid://shopify/Company/{company['id']}"})
        self.perform_jobs()
        job = self.sync_job("company", company["id"])
        self.assertEqual(job.outcome, "skipped", job.outcome_note)
        self.assertTrue(partner.active)

    def test_an_order_for_a_company_location_is_invoiced_to_the_location(self):
        company, buyer = self.seed_company(603)
        head = company["locations"][0]
        seeded = self.seed_order(
            seed=604, customer=dict(buyer), company={"id": company["id"], "location_id": head["id"]}, po_number="PO-9"
        )
        self.post_webhook("orders/create", self.simulator.webhook_payload("orders/create", seeded["id"]))
        self.perform_jobs()
        order = self.bound("order", seeded["id"])
        self.assertTrue(order, self.sync_job("order", seeded["id"]).message)
        location = self.env["shopify.company.location.binding"]._find(self.shop, head["id"])
        partner = self.env["shopify.company.binding"]._record(self.shop, company["id"])
        self.assertEqual(order.partner_invoice_id, location.odoo_id, "the company synced with the order")
        self.assertEqual(order.partner_shipping_id, location.delivery_partner_id)
        self.assertEqual(order.partner_id, self.bound("customer", buyer["id"]))
        self.assertEqual(order.partner_id.commercial_partner_id, partner)
        self.assertEqual(order.client_order_ref, "PO-9")
