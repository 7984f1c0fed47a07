import type { RecordedResource } from "../../test/mocks";
import { PolicyReport } from "./policy-engine";
import { SECRET_MARK, toPlanValue } from "./values";

/** One resource in a plan file (DESIGN §5). */
export interface PlanResource {
    urn: string;
    type: string;
    name: string;
    parent: string | null;
    dependsOn: string[];
    protect: boolean;
    inputs: Record<string, unknown>;
}

export interface Plan {
    project: string;
    stack: string;
    resources: PlanResource[];
    outputs: Record<string, unknown>;
    policies: PolicyReport;
    stats: { resourceCount: number; durationMs: number };
}

export function buildPlan(args: {
    project: string;
    stack: string;
    resources: RecordedResource[];
    outputs: Record<string, unknown>;
    policies: PolicyReport;
    durationMs: number;
}): Plan {
    const resources = args.resources.map(
        (r): PlanResource => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            parent: r.parent ?? null,
            dependsOn: r.dependsOn,
            protect: r.protect,
            inputs: toPlanValue(r.inputs) as Record<string, unknown>,
        }),
    );
    return {
        project: args.project,
        stack: args.stack,
        resources,
        outputs: toPlanValue(args.outputs) as Record<string, unknown>,
        policies: args.policies,
        stats: { resourceCount: resources.length, durationMs: args.durationMs },
    };
}

/** Stable text: two-space JSON with a trailing newline; key order is fixed by toPlanValue. */
export function serializePlan(plan: Plan): string {
    return JSON.stringify(plan, null, 2) + "\n";
}

/** Where a known secret value (or any PEM private key) appears in plain text in the plan. */
export function findLeaks(plan: Plan, secrets: Iterable<string>): string[] {
    const needles = [...secrets].filter((s) => s.length >= 8 && s !== SECRET_MARK);
    const leaks: string[] = [];
    const visit = (value: unknown, where: string): void => {
        if (typeof value === "string") {
            if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) leaks.push(`${where}: a PEM private key`);
            else if (needles.some((n) => value.includes(n))) leaks.push(`${where}: a generated or configured secret`);
        } else if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${where}[${i}]`));
        else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) visit(v, where ? `${where}.${k}` : k);
    };
    for (const r of plan.resources) visit(r.inputs, `${r.urn} inputs`);
    visit(plan.outputs, "outputs");
    return leaks;
}
