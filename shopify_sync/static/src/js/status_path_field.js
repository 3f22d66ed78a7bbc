import { registry } from "@web/core/registry";
import { StatusBarField, statusBarField } from "@web/views/fields/statusbar/statusbar_field";

// A statusbar whose steps are the record's own path: the comma-separated states of its
// `status_path` field (computed on the server), in the selection's order, the current one marked.
export class StatusPathField extends StatusBarField {
    getAllItems() {
        const { name, record } = this.props;
        const current = record.data[name];
        const path = (record.data.status_path || "").split(",");
        return this.field.selection
            .filter(([value]) => value === current || path.includes(value))
            .map(([value, label]) => ({
                value,
                label,
                isFolded: false,
                isSelected: value === current,
            }));
    }
}

export const statusPathField = {
    ...statusBarField,
    component: StatusPathField,
    fieldDependencies: [{ name: "status_path", type: "char", readonly: true }],
};

registry.category("fields").add("shopify_status_path", statusPathField);
