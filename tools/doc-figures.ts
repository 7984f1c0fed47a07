/**
 * doc-figures: measures the structural figures the docs quote (what one more tenant, edge node or site
 * adds; what going from 2 to 3 AZs changes; how much of EC2's user-data limit the managers use) by
 * synthesizing the committed stacks and probe variants of them, and prints one `key value` line each.
 * test/doc-figures.test.ts holds docs/architecture.md to this output.
 *
 *   npm run figures [-- --json] [--plans <dir>]
 *
 * --plans reuses <dir>/dev.plan.json and <dir>/prod.plan.json as the committed stacks' plans (the test
 * suite's shared plans) instead of synthesizing them again.
 *
 * Every figure is a count or a size from plans, so it is deterministic: no timings here (those come
 * from `npm run bench`).
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import * as YAML from "yaml";
import { USER_DATA_LIMIT_BYTES } from "../components/swarm/user-data";
import { diffPlans } from "./lib/diff";
import { exitWhenFlushed } from "./lib/exit";
import type { Plan } from "./lib/plan";

const USAGE = "usage: npm run figures [-- --json] [--plans <dir>]";

/** Names of the probe additions; every resource a probe adds carries its name, which attributes it. */
const PROBES = {
    tenantOnePrincipal: "fig-t1",
    tenantThreePrincipals: "fig-t3",
    tailscaleNode: "fig-ts",
    zerotierNode: "fig-zt",
    nodeAtNewSite: "fig-new",
    newSite: "fig-site",
} as const;
type Probe = keyof typeof PROBES;

export interface DocFigures {
    /** Resources one tenant with one admin, one namespace and one repository adds (prod). */
    "tenant.resources": number;
    /** Resources each further principal (developer, viewer) of a tenant adds. */
    "tenant.perPrincipal": number;
    "edgeNode.tailscale.resources": number;
    "edgeNode.zerotier.resources": number;
    /** Resources a new site adds beyond its first node. */
    "edgeSite.resources": number;
    /** dev, network.azCount 2 -> 3. */
    "azCount2to3.adds": number;
    "azCount2to3.updates": number;
    "azCount2to3.deletes": number;
    "azCount2to3.subnetsUpdated": number;
    /** `<type>:<changed input paths>` of each update that changes an input, sorted. */
    "azCount2to3.inputUpdates": string[];
    /** Bytes of the managers' user data as sent (prod, gzip-compressed), and EC2's limit. */
    "swarm.userDataBytes": number;
    "swarm.userDataLimitBytes": number;
}

/** Runs the built synth on a stack file; resolves to the plan (a mandatory violation still writes one). */
function synth(stack: "dev" | "prod", configFile: string, outDir: string): Promise<Plan> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [path.join(__dirname, "synth.js"), "--stack", stack, "--config", configFile, "--out", outDir], { stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (chunk) => (stderr += chunk));
        child.on("close", (code) => {
            const planFile = path.join(outDir, `${stack}.plan.json`);
            if ((code === 0 || code === 1) && fs.existsSync(planFile)) resolve(JSON.parse(fs.readFileSync(planFile, "utf8")));
            else reject(new Error(`synth --stack ${stack} --config ${configFile} exited ${code}: ${stderr.trim()}`));
        });
    });
}

/** The parts of a stack file's config map the probes edit. */
interface ProbedConfig {
    "pr-cybr-platform:tenants": object[];
    "pr-cybr-platform:edge": { nodes: { name: string; site: string; arch?: string; vpn?: string }[] };
    "pr-cybr-platform:network": { azCount: number };
}

/** A copy of a stack file with `edit` applied to its config map. */
function derivedStackFile(dir: string, stack: "dev" | "prod", edit: (config: ProbedConfig) => void): string {
    const doc = YAML.parse(fs.readFileSync(`Pulumi.${stack}.yaml`, "utf8"));
    edit(doc.config);
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    fs.writeFileSync(file, YAML.stringify(doc));
    return file;
}

const role = (name: string) => `arn:aws:iam::222222222222:role/${name}`;

/** Prod plus two tenants and three edge nodes (one at a new site), each named after its probe. */
function addProbes(config: ProbedConfig): void {
    const tenant = (name: string, principals: number) => ({
        name,
        quota: { cpu: "1", memory: "1Gi", pods: 5 },
        admins: [role(`${name}-admin`)],
        ...(principals > 1 ? { developers: [role(`${name}-dev`)], viewers: [role(`${name}-viewer`)] } : {}),
        repos: [`https://github.com/pr-cybr/${name}.git`],
    });
    config["pr-cybr-platform:tenants"].push(tenant(PROBES.tenantOnePrincipal, 1), tenant(PROBES.tenantThreePrincipals, 3));
    const sites = config["pr-cybr-platform:edge"].nodes.map((n) => n.site);
    config["pr-cybr-platform:edge"].nodes.push(
        { name: PROBES.tailscaleNode, arch: "arm64", site: sites[0], vpn: "tailscale" },
        { name: PROBES.zerotierNode, arch: "arm64", site: sites[0], vpn: "zerotier" },
        { name: PROBES.nodeAtNewSite, arch: "arm64", site: PROBES.newSite, vpn: "tailscale" },
    );
}

/** Counts the added URNs per probe; any added URN no probe (or more than one) names is an error. */
function attribute(base: Plan, head: Plan): Record<Probe, number> {
    const counts = Object.fromEntries(Object.keys(PROBES).map((k) => [k, 0])) as Record<Probe, number>;
    const unattributed: string[] = [];
    for (const r of diffPlans(base, head).adds) {
        const owners = (Object.keys(PROBES) as Probe[]).filter((k) => r.urn.includes(PROBES[k]));
        if (owners.length === 1) counts[owners[0]]++;
        else unattributed.push(r.urn);
    }
    if (unattributed.length) throw new Error(`doc-figures: ${unattributed.length} added resources no single probe names (the figures would be wrong):\n  ${unattributed.join("\n  ")}`);
    return counts;
}


/** The committed stack's plan: read from `plansDir` when given, else synthesized. */
function committedPlan(stack: "dev" | "prod", plansDir: string | undefined, outDir: string): Promise<Plan> {
    if (!plansDir) return synth(stack, `Pulumi.${stack}.yaml`, outDir);
    return Promise.resolve(JSON.parse(fs.readFileSync(path.join(plansDir, `${stack}.plan.json`), "utf8")));
}

export async function measureDocFigures(plansDir?: string): Promise<DocFigures> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pr-cybr-figures-"));
    try {
        const [prod, probed, dev, dev3] = await Promise.all([
            committedPlan("prod", plansDir, path.join(dir, "prod")),
            synth("prod", derivedStackFile(fs.mkdtempSync(path.join(dir, "p")), "prod", addProbes), path.join(dir, "probed")),
            committedPlan("dev", plansDir, path.join(dir, "dev")),
            synth("dev", derivedStackFile(fs.mkdtempSync(path.join(dir, "a")), "dev", (c) => (c["pr-cybr-platform:network"].azCount = 3)), path.join(dir, "dev3")),
        ]);
        const n = attribute(prod, probed);
        const az = diffPlans(dev, dev3);
        // Every changed resource (replaced, updated or only ignored), and those whose inputs change.
        const changed = az.changes;
        const inputUpdates = changed
            .map((u) => ({ type: u.type, paths: [...u.changes, ...u.ignoredChanges].map((c) => c.path) }))
            .filter((u) => u.paths.length > 0)
            .map((u) => `${u.type}:${u.paths.join(",")}`)
            .sort();
        const launchTemplate = prod.resources.find((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate" && r.name.endsWith("-swarm-lt"));
        if (!launchTemplate) throw new Error("doc-figures: no swarm launch template in the prod plan");
        return {
            "tenant.resources": n.tenantOnePrincipal,
            "tenant.perPrincipal": (n.tenantThreePrincipals - n.tenantOnePrincipal) / 2,
            "edgeNode.tailscale.resources": n.tailscaleNode,
            "edgeNode.zerotier.resources": n.zerotierNode,
            "edgeSite.resources": n.nodeAtNewSite + n.newSite - n.tailscaleNode,
            "azCount2to3.adds": az.adds.length,
            "azCount2to3.updates": changed.length,
            "azCount2to3.deletes": az.deletes.length,
            "azCount2to3.subnetsUpdated": changed.filter((u) => u.type === "aws:ec2/subnet:Subnet").length,
            "azCount2to3.inputUpdates": inputUpdates,
            "swarm.userDataBytes": Buffer.from(String(launchTemplate.inputs.userData), "base64").length,
            "swarm.userDataLimitBytes": USER_DATA_LIMIT_BYTES,
        };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

async function main(argv: string[]): Promise<number> {
    let values;
    try {
        ({ values } = parseArgs({ args: argv, options: { json: { type: "boolean" }, plans: { type: "string" }, help: { type: "boolean" } }, strict: true }));
    } catch (err) {
        console.error(`figures: ${(err as Error).message}\n${USAGE}`);
        return 2;
    }
    if (values.help) {
        console.log(`${USAGE}\n\nPrints the figures docs/architecture.md quotes, measured from synthesized plans (one "key value" line each; --json: one object).`);
        return 0;
    }
    if (values.plans && !["dev", "prod"].every((s) => fs.existsSync(path.join(values.plans!, `${s}.plan.json`)))) {
        console.error(`figures: --plans ${values.plans}: needs dev.plan.json and prod.plan.json there`);
        return 2;
    }
    const figures = await measureDocFigures(values.plans);
    if (values.json) console.log(JSON.stringify(figures, null, 2));
    else for (const [key, value] of Object.entries(figures)) console.log(`${key} ${Array.isArray(value) ? value.join(" ") : value}`);
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(exitWhenFlushed, (err: Error) => {
        console.error(err.message.startsWith("doc-figures:") || err.message.startsWith("synth") ? err.message : `figures: ${err.stack}`);
        exitWhenFlushed(1);
    });
}
