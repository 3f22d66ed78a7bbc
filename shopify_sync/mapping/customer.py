"""Shopify Customer / MailingAddress -> res.partner values."""


def person_name(first, last, fallback=""):
    name = " ".join(part for part in (first, last) if part and part.strip()).strip()
    return name or fallback


def address_vals(address):
    """Values of a MailingAddress; country and state stay as ISO codes."""
    if not address:
        return {}
    return {
        "name": person_name(address.get("firstName"), address.get("lastName"), address.get("name") or ""),
        "company": address.get("company") or False,
        "street": address.get("address1") or False,
        "street2": address.get("address2") or False,
        "city": address.get("city") or False,
        "zip": address.get("zip") or False,
        "phone": address.get("phone") or False,
        "country_code": (address.get("countryCodeV2") or "").upper() or False,
        "state_code": (address.get("provinceCode") or "").upper() or False,
    }


def customer_vals(customer):
    """Partner values of a Customer node (main contact, no address split)."""
    default = address_vals(customer.get("defaultAddress"))
    name = person_name(customer.get("firstName"), customer.get("lastName"))
    email = (customer.get("email") or "").strip() or False
    vals = {
        "name": name or email or default.get("name") or f"Shopify customer {customer.get('legacyResourceId')}",
        "email": email,
        "phone": customer.get("phone") or default.get("phone") or False,
    }
    for key in ("street", "street2", "city", "zip", "country_code", "state_code"):
        vals[key] = default.get(key, False)
    return vals


def guest_key(email, order_id):
    """Identity of a guest checkout's partner: its email, else the order."""
    email = (email or "").strip().lower()
    return f"guest:{email}" if email else f"guest-order:{order_id}"


def same_address(partner_vals, address):
    keys = ("name", "street", "street2", "city", "zip")
    return all((partner_vals.get(k) or "") == (address.get(k) or "") for k in keys)
