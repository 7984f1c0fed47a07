// The synthesized plan of a committed stack (test/global-setup.js writes it once per run), as the
// plan-level tests read it.
import * as fs from "fs";
import { sharedPlan } from "./cli";

export interface PlanRes {
    urn: string;
    type: string;
    name: string;
    dependsOn: string[];
    inputs: any;
    options?: any;
    protect?: boolean;
}

export const planOf = (stack: "dev" | "prod"): { resources: PlanRes[]; outputs: any } => JSON.parse(fs.readFileSync(sharedPlan(stack), "utf8"));

/** The one resource of `type` that `pred` picks, failing the test unless there is exactly one. */
export function exactlyOne(plan: { resources: PlanRes[] }, type: string, pred: (r: PlanRes) => boolean = () => true): PlanRes {
    const found = plan.resources.filter((r) => r.type === type && pred(r));
    expect(found).toHaveLength(1);
    return found[0];
}
