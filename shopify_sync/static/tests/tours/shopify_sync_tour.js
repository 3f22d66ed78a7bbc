import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// Data comes from the Python test: one order failing on an unmapped SKU.
registry.category("web_tour.tours").add("shopify_sync_fix_and_retry", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Shopify app: Sync Jobs",
            trigger: '.o_app[data-menu-xmlid="shopify_sync.menu_shopify_root"]',
            run: "click",
        },
        {
            content: "The list is filtered on what needs action",
            trigger: '.o_searchview_facet:contains("Needs action")',
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
            content: "Edit the product that should carry the SKU",
            trigger: '.o_data_row:has(td:contains("Tour product")) td[name="default_code"]',
            run: "click",
        },
        {
            trigger: '.o_selected_row td[name="default_code"] input',
            run: "edit TOUR-SKU-1",
        },
        {
            content: "Save the mapping",
            trigger: ".o_list_button_save",
            run: "click",
        },
        {
            content: "Back to the failure",
            trigger: '.o_breadcrumb .breadcrumb-item:not(.active) a:contains("Order")',
            run: "click",
        },
        {
            content: "Retry",
            trigger: '.o_form_view button[name="action_retry"]',
            run: "click",
        },
        {
            content: "The job is queued again",
            trigger: '.o_statusbar_status button.o_arrow_button_current:contains("Pending")',
        },
    ],
});

registry.category("web_tour.tours").add("shopify_sync_see_success", {
    steps: () => [
        {
            content: "The retried job succeeded",
            trigger: '.o_statusbar_status button.o_arrow_button_current:contains("Done")',
        },
    ],
});
