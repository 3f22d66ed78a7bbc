"""B2B: companies, their locations and contacts; orders on payment terms with a PO number, unpaid and invoiced."""

import uuid

from odoo import Command
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
        # a location renamed, one removed: updated in place, the removed one's binding archived
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
        self.assertFalse(self.env["shopify.company.location.binding"]._find(self.shop, removed["id"]).active)
        self.assertEqual(len(self.company_bindings(company["id"])), 1)
        self.assertEqual(len(self.env["shopify.company.binding"].search([("shopify_id", "=", str(company["id"]))])), 1)

    def deliver(self, topic, payload, times=2):
        """Deliver one webhook ``times`` times (Shopify's retries: one webhook id)."""
        webhook_id = str(uuid.uuid4())
        for _ in range(times):
            response = self.post_webhook(topic, payload, headers={"X-Shopify-Webhook-Id": webhook_id})
            self.assertEqual(response.status_code, 200, topic)

    def import_company(self, company):
        self.post_webhook("companies/create", self.simulator.webhook_payload("companies/create", company["id"]))
        self.perform_jobs()
        job = self.sync_job("company", company["id"])
        self.assertEqual(job.state, "done", job.outcome_note)
        return self.env["shopify.company.binding"]._find(self.shop, company["id"])

    def order_for(self, seed, buyer, company, location, **values):
        seeded = self.seed_order(
            seed=seed,
            customer=dict(buyer),
            company={"id": company["id"], "location_id": location["id"]},
            financial_status="pending",
            transactions=[],
            **values,
        )
        self.post_webhook("orders/create", self.simulator.webhook_payload("orders/create", seeded["id"]))
        self.perform_jobs()
        return self.simulator.store.orders[seeded["id"]]

    def test_a_deleted_company_keeps_the_contacts_its_orders_use(self):
        unused, _buyer = self.seed_company(602)
        used, buyer = self.seed_company(607)
        unused_binding, used_binding = self.import_company(unused), self.import_company(used)
        order = self.bound("order", self.order_for(608, buyer, used, used["locations"][0])["id"])
        self.assertIn(order.partner_invoice_id, used_binding.location_binding_ids.odoo_id)
        stale = self.simulator.webhook_payload("companies/update", unused["id"])
        for company in (unused, used):
            self.simulator.delete("company", company["id"])
            payload = self.simulator.webhook_payload("companies/delete", company["id"])
            self.assertEqual(payload["name"], company["name"], "Shopify's body: the company as it was")
            self.deliver("companies/delete", payload)
        self.post_webhook("companies/update", stale)  # an update Shopify sent before the deletion, late
        self.perform_jobs()
        for company in (unused, used):
            job = self.sync_job("company", company["id"])
            self.assertEqual((job.state, job.outcome), ("done", "skipped"), job.outcome_note)
        # no order: the company contact and its addresses archived, the bindings too (still found)
        self.assertFalse(unused_binding.odoo_id.active)
        locations = unused_binding.with_context(active_test=False).location_binding_ids
        self.assertEqual(len(locations), 2)
        self.assertFalse(any(locations.mapped("active")))
        self.assertFalse(any((locations.odoo_id | locations.delivery_partner_id).mapped("active")))
        self.assertEqual(self.env["shopify.company.binding"]._record(self.shop, unused["id"]), unused_binding.odoo_id)
        # an order's partners are never touched: the company, its buyer and the order's addresses stay
        self.assertTrue(used_binding.odoo_id.active)
        self.assertTrue(order.partner_id.active)
        self.assertTrue(order.partner_invoice_id.active)
        self.assertTrue(order.partner_shipping_id.active)
        self.assertEqual(order.partner_id.commercial_partner_id, used_binding.odoo_id)

    def test_a_deleted_location_is_archived_and_its_unused_addresses_with_it(self):
        company, buyer = self.seed_company(609)
        head, branch = company["locations"]
        binding = self.import_company(company)
        order = self.bound("order", self.order_for(610, buyer, company, head)["id"])
        head_binding = self.env["shopify.company.location.binding"]._find(self.shop, head["id"])
        branch_binding = self.env["shopify.company.location.binding"]._find(self.shop, branch["id"])
        stale = self.simulator.webhook_payload("company_locations/update", branch["id"])
        for location in (head, branch):
            self.simulator.remove_company_entry("locations", location["id"])
            payload = self.simulator.webhook_payload("company_locations/delete", location["id"])
            self.assertEqual(payload["admin_graphql_api_id"], f"gid://shopify/CompanyLocation/{location['id']}")
            self.assertEqual(payload["company"]["admin_graphql_api_id"], f"gid://shopify/Company/{company['id']}")
            self.deliver("company_locations/delete", payload)
        self.post_webhook("company_locations/update", stale)  # late, after the deletion
        self.perform_jobs()
        job = self.sync_job("company", company["id"])
        self.assertEqual(job.state, "done", job.outcome_note)
        self.assertFalse(head_binding.active or branch_binding.active, "both bindings archived")
        self.assertEqual(
            self.env["shopify.company.location.binding"]._find(self.shop, head["id"]), head_binding, "still found"
        )
        self.assertFalse(branch_binding.odoo_id.active or branch_binding.delivery_partner_id.active)
        self.assertTrue(head_binding.odoo_id.active and head_binding.delivery_partner_id.active, "an order uses them")
        self.assertEqual(order.partner_invoice_id, head_binding.odoo_id)
        self.assertEqual(order.partner_shipping_id, head_binding.delivery_partner_id)
        self.assertTrue(binding.odoo_id.active)
        # the order read again (an update): its location is still known, nothing fails
        self.simulator.touch("order", order.shopify_binding_ids.shopify_id)
        self.sync("order", order.shopify_binding_ids.shopify_id)
        self.assertEqual(order.partner_invoice_id, head_binding.odoo_id)

    def test_a_removed_contact_leaves_the_company_unless_an_order_uses_it(self):
        buyers = self.simulator.generate(customers=2, products=0, orders=0, seed=612)["customers"]
        company = self.simulator.seed_company(
            {
                "name": "Contacts 612",
                "locations": [{"name": "Office", "billing_address": ADDRESS}],
                "contacts": [
                    {"customer_id": buyer["id"], "title": "Buyer", "is_main_contact": not index}
                    for index, buyer in enumerate(buyers)
                ],
            }
        )
        binding = self.import_company(company)
        self.order_for(613, buyers[0], company, company["locations"][0])
        person_with_order, person = (self.bound("customer", buyer["id"]) for buyer in buyers)
        self.assertEqual((person_with_order | person).parent_id, binding.odoo_id)
        self.assertEqual(binding.contact_partner_ids, person_with_order | person)
        by_hand = self.env["res.partner"].create({"name": "Linked by hand", "parent_id": binding.odoo_id.id})
        contacts = company["contacts"]
        stale = self.simulator.webhook_payload("company_contacts/update", contacts[1]["id"])
        self.assertEqual(stale["customer_admin_graphql_api_id"], f"gid://shopify/Customer/{buyers[1]['id']}")
        for contact in contacts:
            self.simulator.remove_company_entry("contacts", contact["id"])
            self.deliver(
                "company_contacts/delete", self.simulator.webhook_payload("company_contacts/delete", contact["id"])
            )
        self.post_webhook("company_contacts/update", stale)  # late, after the deletion
        self.perform_jobs()
        job = self.sync_job("company", company["id"])
        self.assertEqual(job.state, "done", job.outcome_note)
        self.assertFalse(person.parent_id, "no order: the person leaves the company")
        self.assertTrue(person.active, "still a Shopify customer")
        self.assertEqual(self.bound("customer", buyers[1]["id"]), person)
        self.assertEqual(person_with_order.parent_id, binding.odoo_id, "its orders keep their company")
        self.assertEqual(by_hand.parent_id, binding.odoo_id, "never one of Shopify's contacts: left alone")
        self.assertFalse(binding.contact_partner_ids)

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

    # -- tax exemption ----------------------------------------------------------------
    def test_an_order_for_a_tax_exempt_location_is_booked_without_tax(self):
        buyer = self.simulator.generate(customers=1, products=0, orders=0, seed=620)["customers"][0]
        exempt_settings = {
            "tax_exempt": True,
            "tax_exemptions": ["US_TX_RESELLER_EXEMPTION"],
            "tax_registration_id": "TX-4711",
        }
        company = self.simulator.seed_company(
            {
                "name": "Reseller 620",
                "locations": [
                    {"name": "Exempt", "billing_address": ADDRESS, "tax_settings": exempt_settings},
                    {"name": "Taxed", "billing_address": DOCK},
                ],
                "contacts": [{"customer_id": buyer["id"], "is_main_contact": True}],
            }
        )
        exempt, taxed = company["locations"]
        payload = self.simulator.webhook_payload("company_locations/update", exempt["id"])
        self.assertEqual(payload["tax_settings"]["tax_exempt"], True)
        # no fiscal position for exempt locations: a configuration failure that says what is missing
        stored = self.order_for(621, buyer, company, exempt)
        self.assertEqual(stored["total_tax"], "0.00", "Shopify charges an exempt location no tax")
        self.assertFalse([t for line in stored["line_items"] for t in line.get("tax_lines") or []])
        job = self.sync_job("order", stored["id"])
        self.assertEqual(job.category, "configuration", job.message)
        self.assertIn("fiscal position for tax-exempt", job.missing)
        self.assertFalse(self.bound("order", stored["id"]), "nothing half-written")
        self.assertFalse(self.env["shopify.company.location.binding"]._find(self.shop, exempt["id"]))
        exempt_fpos = self.env["account.fiscal.position"].create({"name": "Tax exempt (Shopify test)"})
        self.shop.tax_exempt_fiscal_position_id = exempt_fpos
        self.sync("order", stored["id"])
        order = self.bound("order", stored["id"])
        self.assertEqual(order.fiscal_position_id, exempt_fpos)
        location = self.env["shopify.company.location.binding"]._find(self.shop, exempt["id"])
        self.assertEqual(
            (location.tax_exempt, location.tax_exemptions, location.tax_registration_id),
            (True, "US_TX_RESELLER_EXEMPTION", "TX-4711"),
        )
        self.assertFalse(self.env["shopify.company.location.binding"]._find(self.shop, taxed["id"]).tax_exempt)
        self.assertFalse(order.order_line.tax_ids)
        self.assertEqual(order.amount_tax, 0.0)
        self.assertAlmostEqual(order.amount_total, float(stored["total_price"]), places=2)
        # what Odoo adds to it stays without tax: the fiscal position maps the product's tax away
        product = self.env["product.product"].create(
            {"name": "Added in Odoo", "list_price": 10, "taxes_id": [Command.set(self.tax.ids)]}
        )
        order.order_line = [Command.create({"product_id": product.id, "product_uom_qty": 1})]
        self.assertFalse(order.order_line.filtered(lambda line: line.product_id == product).tax_ids)
        # the company's other location is taxed as usual
        stored = self.order_for(622, buyer, company, taxed)
        self.assertNotEqual(stored["total_tax"], "0.00")
        order = self.bound("order", stored["id"])
        self.assertTrue(order, self.sync_job("order", stored["id"]).message)
        self.assertNotEqual(order.fiscal_position_id, exempt_fpos)
        self.assertEqual(order.order_line.tax_ids, self.tax)
        self.assertAlmostEqual(order.amount_tax, float(stored["total_tax"]), places=2)
        self.assertAlmostEqual(order.amount_total, float(stored["total_price"]), places=2)

    # -- screens ------------------------------------------------------------------------
    def test_company_bindings_have_their_menus_and_screens(self):
        company, _buyer = self.seed_company(630)
        binding = self.import_company(company)
        for xmlid, model in (
            ("shopify_sync.menu_shopify_company_binding", "shopify.company.binding"),
            ("shopify_sync.menu_shopify_company_location_binding", "shopify.company.location.binding"),
        ):
            menu = self.env.ref(xmlid)
            self.assertEqual(menu.action.res_model, model)
            self.assertEqual(menu.parent_id.parent_id, self.env.ref("shopify_sync.menu_shopify_root"))
            action = self.env["ir.actions.act_window"]._for_xml_id(menu.action.xml_id)
            views = self.env[model].get_views([(False, "list"), (False, "form"), (False, "search")])
            self.assertIn('name="shop_id"', views["views"]["list"]["arch"])
            self.assertIn('name="group_shop"', views["views"]["search"]["arch"])
            self.assertIn("group_shop", action["context"])
            user = self.env["res.users"].create(
                {
                    "name": f"Shopify user {model}",
                    "login": f"shopify-user-{model}",
                    "group_ids": [Command.set([self.env.ref("shopify_sync.group_shopify_user").id])],
                }
            )
            count = self.env[model].with_user(user).search_count([("shop_id", "=", self.shop.id)])
            self.assertEqual(count, 1 if model == "shopify.company.binding" else 2, "a Shopify user reads them")
        self.assertEqual(len(binding.location_binding_ids), 2)
