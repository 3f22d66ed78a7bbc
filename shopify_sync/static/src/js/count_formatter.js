import { registry } from "@web/core/registry";

// Graph axes of counts: whole numbers only. Chart.js places ticks at 0.5 steps on small
// counts; those ticks get no label instead of "2.50" (or a second "3" from rounding).
function formatCount(value) {
    return Number.isInteger(value) ? String(value) : "";
}

registry.category("formatters").add("shopify_count", formatCount);
