// What the host suites take from a synthesized plan (DESIGN §5): the managers' launch template (its
// user data is exactly what cloud-init would run), the swarm's secrets, bucket, key and groups, and the
// PKI's certificate requests. Nothing is copied from the component: a changed renderer changes this.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { unpackUserData } from "../../../../components/swarm/user-data";

export interface PlanResource {
    urn: string;
    type: string;
    name: string;
    inputs: Record<string, any>;
}

export interface Plan {
    stack: string;
    resources: PlanResource[];
    outputs?: Record<string, unknown>;
}

export function loadPlan(stack: "dev" | "prod"): Plan {
    const dir = process.env.PR_CYBR_SHARED_PLANS;
    if (!dir) throw new Error("PR_CYBR_SHARED_PLANS is unset: run through test/integration/jest.config.js (its globalSetup synthesizes the plans)");
    return JSON.parse(fs.readFileSync(path.join(dir, `${stack}.plan.json`), "utf8"));
}

export function resources(plan: Plan, type: string, nameIncludes = ""): PlanResource[] {
    return plan.resources.filter((r) => r.type === type && r.name.includes(nameIncludes));
}

export function one(plan: Plan, type: string, nameIncludes: string): PlanResource {
    const found = resources(plan, type, nameIncludes);
    if (found.length !== 1) throw new Error(`plan ${plan.stack}: expected one ${type} named *${nameIncludes}*, found ${found.length}`);
    return found[0];
}

export interface WriteFile {
    path: string;
    permissions: string;
    content: string;
}

/** The manager launch template's cloud-config: its files and the settings file the scripts source. */
export function managerUserData(plan: Plan) {
    const lt = one(plan, "aws:ec2/launchTemplate:LaunchTemplate", "swarm-lt");
    const text = unpackUserData(lt.inputs.userData);
    const doc = YAML.parse(text) as { write_files: WriteFile[]; runcmd: string[][] };
    const envFile = doc.write_files.find((f) => f.path === "/etc/pr-cybr/swarm.env");
    if (!envFile) throw new Error("manager user data has no /etc/pr-cybr/swarm.env");
    const settings = Object.fromEntries(
        envFile.content
            .split("\n")
            .filter(Boolean)
            .map((line) => {
                const m = /^([A-Z_]+)='(.*)'$/.exec(line);
                if (!m) throw new Error(`swarm.env: unexpected line ${line}`);
                return [m[1], m[2].replace(/'\\''/g, "'")];
            }),
    ) as Record<string, string>;
    return { launchTemplate: lt, files: doc.write_files, runcmd: doc.runcmd, settings };
}

/** A systemd unit's [Service] settings from the user data (ExecStart, Type, Restart, RestartSec). */
export function unitSettings(files: WriteFile[], unit: string): Record<string, string> {
    const file = files.find((f) => f.path === `/etc/systemd/system/${unit}`);
    if (!file) throw new Error(`user data has no unit ${unit}`);
    const settings: Record<string, string> = {};
    let section = "";
    for (const line of file.content.split("\n")) {
        const header = /^\[(.+)\]$/.exec(line.trim());
        if (header) section = header[1];
        const kv = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
        if (kv && (section === "Service" || section === "Timer")) settings[kv[1]] = kv[2];
    }
    return settings;
}
