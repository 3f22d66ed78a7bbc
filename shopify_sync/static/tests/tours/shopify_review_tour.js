import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// Data comes from the Python test: one customer change waiting for review, nothing else open.
registry.category("web_tour.tours").add("shopify_sync_review_amber_then_green", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open the Shopify app: the overview comes first",
            trigger: '.o_app[data-menu-xmlid="shopify_sync.menu_shopify_root"]',
            run: "click",
        },
        {
            content: "The shop's card is amber and says a review waits",
            trigger: '.o_kanban_record.o_kanban_color_2:contains("Test Shop") .o_shopify_needs_review',
        },
        {
            content: "Open the review from its count",
            trigger: ".o_kanban_record a.o_shopify_reviews_waiting:contains(1)",
            run: "click",
        },
        {
            content: "Open the change waiting for review",
            trigger: '.o_data_row:has(td[name="state"]:contains("To review")) td[name="name"]',
            run: "click",
        },
        {
            content: "The form says what waits, and offers no Retry",
            trigger: '.o_form_view:not(:has(button[name="action_retry"])) .alert-info:contains("Waiting for review")',
        },
        {
            content: "Its statusbar: waiting in To review",
            trigger: '.o_statusbar_status button.o_arrow_button_current:contains("To review")',
        },
        {
            content: "Approve it",
            trigger: 'button[name="action_approve"]',
            run: "click",
        },
        {
            content: "The change is applied",
            trigger: '.o_notification:contains("1 applied")',
        },
        {
            content: "One statusbar: the job is done, after its review",
            trigger: '.o_statusbar_status:has(button.o_arrow_button_current:contains("Done"))',
            run() {
                const bars = document.querySelectorAll(".o_form_view .o_statusbar_status").length;
                if (bars !== 1) {
                    throw new Error(`${bars} statusbars`);
                }
                const steps = [...document.querySelectorAll(".o_statusbar_status button[role='radio']")]
                    .map((button) => button.textContent.trim())
                    .reverse(); // the statusbar lists its steps last to first
                if (steps.join(" > ") !== "Pending > To review > Done") {
                    throw new Error(`The statusbar shows ${steps.join(" > ")}`);
                }
            },
        },
        {
            content: "Back to the overview",
            trigger: '.o_menu_sections [data-menu-xmlid="shopify_sync.menu_shopify_overview"]',
            run: "click",
        },
        {
            content: "The card is green again",
            trigger: '.o_kanban_record.o_kanban_color_10:contains("Test Shop") .badge:contains("All fine")',
        },
    ],
});
