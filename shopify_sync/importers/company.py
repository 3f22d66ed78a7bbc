"""Shopify B2B companies -> an Odoo company contact, its locations' addresses and its people.

One job per company: its own topics and those of its locations and contacts name the
company, and the job reads the whole company again. A location is the company's invoice
address (bound) and delivery address; a contact is a Shopify customer, bound like any
customer, whose partner becomes a person of the company.
"""

from .. import const
from ..mapping.common import parse_datetime
from ..services.errors import ResourceGoneError
from ..services.gid import numeric_id, to_gid
from ..services.queries import COMPANY_QUERY
from ..services.resources import Topic
from .base import ResourceHandler, SyncResult
from .customer import CustomerHandler

COMPANY_KEY = "admin_graphql_api_id"
NESTED_COMPANY_KEY = "company.admin_graphql_api_id"


def _company_topics():
    topics = {f"companies/{verb}": Topic(COMPANY_KEY, (COMPANY_KEY, "updated_at")) for verb in ("create", "update")}
    topics["companies/delete"] = Topic(COMPANY_KEY, (COMPANY_KEY,))
    for kind in ("company_locations", "company_contacts"):
        for verb in ("create", "update", "delete"):
            topics[f"{kind}/{verb}"] = Topic(NESTED_COMPANY_KEY, ("company",))
    return topics


def address_vals(address):
    """A CompanyAddress node as res.partner values (country and state as codes)."""
    address = address or {}
    person = " ".join(filter(None, [address.get("firstName"), address.get("lastName")]))
    return {
        "street": address.get("address1") or False,
        "street2": address.get("address2") or False,
        "city": address.get("city") or False,
        "zip": address.get("zip") or False,
        "phone": address.get("phone") or False,
        "country_code": address.get("countryCode") or False,
        "state_code": address.get("zoneCode") or False,
        "contact_person": person,
    }


class CompanyHandler(ResourceHandler):
    resource_type = const.COMPANY
    type_label = "Company"
    channel = const.CHANNEL_CUSTOMER
    rollout_object = "customers"
    topics = _company_topics()
    binding_models = ("shopify.company.binding", "shopify.company.location.binding")
    gid_type = "Company"
    admin_path = "companies"

    @property
    def _bindings(self):
        return self.env["shopify.company.binding"]

    @property
    def _location_bindings(self):
        return self.env["shopify.company.location.binding"]

    def _run(self, resource_id):
        try:
            node = self.client.fetch_node(COMPANY_QUERY, to_gid(const.COMPANY, resource_id), "company")
        except ResourceGoneError:
            if not self._received("companies/delete", resource_id):
                raise
            return self._deleted(resource_id)
        return self.import_node(node)

    def _deleted(self, resource_id):
        """Shopify deleted the company: its bindings archived, its contacts archived unless an order uses them."""
        binding = self._bindings._find(self.shop, resource_id)
        partner = binding.odoo_id.with_env(self.env)
        if binding:
            locations = binding.location_binding_ids
            self._archive_unused(partner | locations.odoo_id | locations.delivery_partner_id)
            locations.write({"active": False})
        if partner.active:
            note = self.env._("Deleted in Shopify: the Odoo company contact is kept with its orders.")
        else:
            note = self.env._("Deleted in Shopify: the Odoo company contact, used by no order, is archived.")
        return SyncResult("skipped", partner or None, self.env._("Company %s", resource_id), note=note)

    def _archive_unused(self, partners):
        """Archive the partners no sale order or invoice refers to; an order's partner is never touched."""
        unused = (partners.exists() - self._used(partners)).filtered("active")
        unused.write({"active": False})
        return unused

    def _used(self, partners):
        """Those of ``partners`` a sale order or invoice refers to (a company: through its people)."""
        partners = partners.exists()
        used = self.env["res.partner"]
        if not partners:
            return used
        for model, names in (
            ("sale.order", ("partner_id", "partner_invoice_id", "partner_shipping_id")),
            ("account.move", ("partner_id", "partner_shipping_id")),
        ):
            for name in names:
                groups = (
                    self.env[model]
                    .sudo()
                    .with_context(active_test=False)
                    ._read_group([(name, "child_of", partners.ids)], [name])
                )
                used |= self.env["res.partner"].browse([group[0].id for group in groups])
        used |= used.with_context(active_test=False).parent_id
        return partners & used

    def import_node(self, node):
        shopify_id = numeric_id(node["id"])
        self._lock_related(const.COMPANY, shopify_id)
        updated_at = parse_datetime(node.get("updatedAt"))
        label = node.get("name") or shopify_id
        binding = self._bindings._find(self.shop, shopify_id)
        company = binding.odoo_id.with_env(self.env)
        vals = {"name": label, "is_company": True, "comment": node.get("note") or False}
        if node.get("externalId"):
            vals["ref"] = node["externalId"]
        outcome = "updated" if company else "created"
        skipped = []
        if company:
            skipped = self._write_unprotected(company, vals)
        else:
            company = self.env["res.partner"].create(dict(vals, company_id=self.shop.company_id.id))
        binding = self._bindings._bind(self.shop, shopify_id, company, shopify_updated_at=updated_at)
        locations = self._locations(binding, company, node)
        people = self._contacts(binding, company, node)
        note = self.env._("%(locations)s location(s), %(people)s contact(s)", locations=locations, people=people)
        if skipped:
            note += "; " + self.env._("Protected fields kept: %s", ", ".join(skipped))
        return SyncResult(outcome, company, label, updated_at, note)

    def _locations(self, company_binding, company, node):
        """Each location as the company's invoice and delivery addresses; those Shopify no longer has archived."""
        seen = self._location_bindings
        for location in (node.get("locations") or {}).get("nodes") or []:
            location_id = numeric_id(location["id"])
            name = location.get("name") or company.name
            billing = location.get("billingAddress") or location.get("shippingAddress")
            shipping = location.get("shippingAddress") or billing
            binding = self._location_bindings._find(self.shop, location_id)
            invoice = self._address(binding.odoo_id, company, name, billing, "invoice")
            delivery = self._address(binding.delivery_partner_id, company, name, shipping, "delivery")
            taxes = location.get("taxSettings") or {}
            binding = self._location_bindings._bind(
                self.shop,
                location_id,
                invoice,
                shopify_updated_at=parse_datetime(location.get("updatedAt")),
                delivery_partner_id=delivery.id,
                company_binding_id=company_binding.id,
                active=True,
                tax_exempt=bool(taxes.get("taxExempt")),
                tax_exemptions=", ".join(taxes.get("taxExemptions") or []) or False,
                tax_registration_id=taxes.get("taxRegistrationId") or False,
            )
            seen |= binding
        # Deleted in Shopify: the binding archived (an order of that location still finds it), its
        # addresses archived unless an order uses them.
        gone = self._location_bindings.search([("company_binding_id", "=", company_binding.id)]) - seen
        self._archive_unused(gone.odoo_id | gone.delivery_partner_id)
        gone.write({"active": False})
        return len(seen)

    def _address(self, partner, company, name, address, kind):
        vals = self._country_state(address_vals(address))
        person = vals.pop("contact_person")
        vals["name"] = f"{name} ({person})" if person else name
        partner = partner.with_env(self.env)
        if partner:
            self._write_unprotected(partner, dict(vals, active=True))
            return partner
        return self.env["res.partner"].create(dict(vals, parent_id=company.id, type=kind))

    def _contacts(self, company_binding, company, node):
        """Each contact's customer, bound like any customer, becomes a person of the company."""
        customers = CustomerHandler(self.env, self.shop, self.sync_job)
        count = 0
        people = self.env["res.partner"]
        for contact in (node.get("contacts") or {}).get("nodes") or []:
            customer = contact.get("customer")
            if not customer:
                continue
            person = customers.import_node(customer).record
            vals = {}
            if person.parent_id != company:
                vals["parent_id"] = company.id
            if contact.get("title") and person.function != contact["title"]:
                vals["function"] = contact["title"]
            if vals:
                person.write(vals)
            people |= person
            count += 1
        self._detach_removed(company, company_binding.contact_partner_ids - people)
        company_binding.contact_partner_ids = people
        return count

    def _detach_removed(self, company, former):
        """Contacts Shopify removed from the company: their people, if no order uses them, leave the company.

        Only the people last synced as its contacts (a person linked to the company by hand is not
        one); the Shopify customer still exists: it stays bound and active. A person with orders
        stays where it is, its orders and invoices unchanged.
        """
        former = former.filtered(lambda person: person.parent_id == company)
        (former - self._used(former)).write({"parent_id": False, "function": False})
