import { registry } from "@web/core/registry";

// Data comes from the Python test: two contacts share an email while the shop matches by email.
const EMAIL_LINE = '.o_data_row:has(td[name="name"]:contains("No contacts sharing an email"))';

registry.category("web_tour.tours").add("shopify_sync_readiness_fix_green", {
    steps: () => [
        {
            content: "Open the go-live page",
            trigger: '.o_notebook a.nav-link:contains("Go-live")',
            run: "click",
        },
        {
            content: "Check readiness",
            trigger: 'button[name="action_check_readiness"]',
            run: "click",
        },
        {
            content: "The email line is red",
            trigger: `${EMAIL_LINE} .badge:contains("To fix")`,
        },
        {
            content: "Fix it",
            trigger: `${EMAIL_LINE} button[name="action_fix"]`,
            run: "click",
        },
        {
            content: "Open the second contact",
            trigger: '.o_data_row td:contains("Tour Twin B")',
            run: "click",
        },
        {
            content: "Give it its own email",
            trigger: '.o_field_widget[name="email"] input',
            run: "edit tour.twin.b@example.com",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Back to the shop",
            trigger: '.o_breadcrumb .breadcrumb-item a:contains("Test Shop")',
            run: "click",
        },
        {
            trigger: '.o_notebook a.nav-link:contains("Go-live")',
            run: "click",
        },
        {
            content: "Check again",
            trigger: 'button[name="action_check_readiness"]',
            run: "click",
        },
        {
            content: "The email line is green",
            trigger: `${EMAIL_LINE} .badge:contains("Ready")`,
        },
    ],
});
