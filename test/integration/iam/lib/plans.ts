// The three plans whose IAM documents these suites check: dev and prod (synthesized once by the
// integration globalSetup) and the backend bootstrap of each account (synthesized here, it has no
// shared copy).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../../lib/env";

export interface PlanResource {
    urn: string;
    type: string;
    name: string;
    parent?: string;
    dependsOn: string[];
    inputs: Record<string, any>;
}

export interface Plan {
    project: string;
    stack: string;
    resources: PlanResource[];
}

export type StackName = "dev" | "prod";

function readPlan(file: string): Plan {
    if (!fs.existsSync(file)) throw new Error(`${file} is missing: the integration globalSetup synthesizes dev and prod (run through test/integration/jest.config.js)`);
    return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** dev and prod from the globalSetup's shared directory. */
export function sharedPlan(stack: "dev" | "prod"): Plan {
    const dir = process.env.PR_CYBR_SHARED_PLANS;
    if (!dir) throw new Error("PR_CYBR_SHARED_PLANS is not set: run the suite with test/integration/jest.config.js");
    return readPlan(path.join(dir, `${stack}.plan.json`));
}

/**
 * The bootstrap program's plan for one account (its stack is named after the platform stack the
 * account holds), synthesized with the built tools (`.build/` exists after globalSetup).
 */
export function synthesizeBootstrapPlan(stack: StackName): Plan {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "pr-cybr-bootstrap-plan-"));
    const run = spawnSync(process.execPath, [path.join(ROOT, ".build", "tools", "synth.js"), "--stack", stack, "--project", "bootstrap", "--out", out], { cwd: ROOT, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`bootstrap synth exited ${run.status}:\n${`${run.stdout}\n${run.stderr}`.trim().split("\n").slice(-15).join("\n")}`);
    const plan = readPlan(path.join(out, `${stack}.plan.json`));
    return { ...plan, stack: `bootstrap-${stack}` };
}

export function resourcesOfType(plan: Plan, type: string): PlanResource[] {
    return plan.resources.filter((r) => r.type === type);
}

export function resourceNamed(plan: Plan, name: string): PlanResource {
    const found = plan.resources.filter((r) => r.name === name);
    if (found.length !== 1) throw new Error(`${plan.stack}: expected one resource named ${name}, found ${found.length}`);
    return found[0];
}

/** Resources of `type` that `resource` depends on (how a RolePolicy finds its Role, an Alias its Key). */
export function dependenciesOfType(plan: Plan, resource: PlanResource, type: string): PlanResource[] {
    return plan.resources.filter((r) => r.type === type && resource.dependsOn.includes(r.urn));
}

/** The AWS provider's region, and the account every ARN the plan names belongs to. */
export function awsLocation(plan: Plan): { region: string; account: string } {
    const provider = plan.resources.find((r) => r.type === "pulumi:providers:aws");
    const region = String(provider?.inputs.region ?? "");
    const counts = new Map<string, number>();
    for (const m of JSON.stringify(plan.resources).matchAll(/arn:aws:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/g)) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
    const account = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    if (!region || !account) throw new Error(`${plan.stack}: cannot tell the AWS region (${region}) or account (${account}) from the plan`);
    return { region, account };
}
