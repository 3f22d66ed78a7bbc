import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// Data comes from the Python test: one order failing on an unmapped SKU.
registry.category("web_tour.tours").add("shopify_sync_fix_and_retry", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Shopify app: the overview comes first",
            trigger: '.o_app[data-menu-xmlid="shopify_sync.menu_shopify_root"]',
            run: "click",
        },
        {
            content: "The shop's card says a person is needed",
            trigger: '.o_kanban_record:contains("Test Shop") .o_shopify_needs_person',
        },
        {
            content: "Open the mapping failures from their number",
            trigger: ".o_kanban_record a.o_shopify_reason_mapping",
            run: "click",
        },
        {
            content: "Open the mapping failure",
            trigger: '.o_data_row:has(td[name="category"]:contains("Mapping")) td[name="name"]',
            run: "click",
        },
        {
            content: "The failure says what is missing",
            trigger: '.alert-danger:contains("is not mapped to an Odoo product")',
        },
        {
            content: "Fix the mapping",
            trigger: 'button[name="action_fix_mapping"]',
            run: "click",
        },
        {
            content: "The wizard knows the SKU",
            trigger: '.modal .o_field_widget[name="sku"]:contains("TOUR-SKU-1")',
        },
        {
            content: "Link an existing product",
            trigger: '.modal .o_field_widget[name="mode"] input[data-value="link"]',
            run: "click",
        },
        {
            trigger: '.modal .o_field_widget[name="product_id"] input',
            run: "edit Tour product",
        },
        {
            trigger: '.o-autocomplete--dropdown-item:contains("Tour product")',
            run: "click",
        },
        {
            content: "Fix and retry",
            trigger: '.modal button[name="action_apply"]',
            run: "click",
        },
        {
            content: "The job is queued again",
            trigger: '.o_statusbar_status button.o_arrow_button_current:contains("Pending")',
        },
        {
            content: "The fix is in the job's history",
            trigger: '.o-mail-Message:contains("Fixed: Link an existing product")',
        },
    ],
});

registry.category("web_tour.tours").add("shopify_sync_see_success", {
    steps: () => [
        {
            content: "The retried job succeeded",
            trigger: '.o_statusbar_status button.o_arrow_button_current:contains("Done")',
        },
        {
            content: "Its history says so",
            trigger: '.o-mail-Message:contains("succeeded: Created")',
        },
        {
            content: "Back to the overview",
            trigger: '.o_menu_sections [data-menu-xmlid="shopify_sync.menu_shopify_overview"]',
            run: "click",
        },
        {
            content: "All is fine again",
            trigger: '.o_kanban_record:contains("Test Shop") .badge:contains("All fine")',
        },
    ],
});
