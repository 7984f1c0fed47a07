import type { RecordedResource } from "../../test/mocks";
import type { RecordedAlias } from "../../test/mocks/recorder";
import { PolicyReport } from "./policy-engine";
import * as zlib from "zlib";
import { SECRET_MARK, toPlanValue } from "./values";

/** One resource in a plan file (DESIGN §5). */
export interface PlanResource {
    urn: string;
    type: string;
    name: string;
    parent: string | null;
    dependsOn: string[];
    protect: boolean;
    /** The resource options a diff needs (DESIGN §5); absent when none is set. */
    options?: PlanOptions;
    inputs: Record<string, unknown>;
}

/** Resource options as written to a plan: only those set, keys in this (alphabetical) order. */
export interface PlanOptions {
    additionalSecretOutputs?: string[];
    aliases?: RecordedAlias[];
    customTimeouts?: { create?: string; update?: string; delete?: string };
    deleteBeforeReplace?: true;
    ignoreChanges?: string[];
    /** URN of the explicit provider (its id is left out: the mocks' ids say nothing about the real one). */
    provider?: string;
    replaceOnChanges?: string[];
    retainOnDelete?: true;
}

/** The options of a recorded resource that a diff or reviewer needs, or undefined when none is set. */
export function planOptions(r: RecordedResource): PlanOptions | undefined {
    const o: PlanOptions = {};
    if (r.additionalSecretOutputs.length > 0) o.additionalSecretOutputs = [...r.additionalSecretOutputs];
    if (r.aliases?.length) o.aliases = r.aliases.map((a) => toPlanValue(a) as RecordedAlias);
    if (r.customTimeouts && Object.keys(r.customTimeouts).length > 0) o.customTimeouts = toPlanValue(r.customTimeouts) as PlanOptions["customTimeouts"];
    if (r.deleteBeforeReplace) o.deleteBeforeReplace = true;
    if (r.ignoreChanges.length > 0) o.ignoreChanges = [...r.ignoreChanges];
    if (r.providerRef) o.provider = r.providerRef.slice(0, r.providerRef.lastIndexOf("::"));
    if (r.replaceOnChanges?.length) o.replaceOnChanges = [...r.replaceOnChanges];
    if (r.retainOnDelete) o.retainOnDelete = true;
    return Object.keys(o).length > 0 ? o : undefined;
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
            ...withOptions(r),
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

function withOptions(r: RecordedResource): { options?: PlanOptions } {
    const options = planOptions(r);
    return options ? { options } : {};
}

/** Stable text: two-space JSON with a trailing newline; key order is fixed by toPlanValue. */
export function serializePlan(plan: Plan): string {
    return JSON.stringify(plan, null, 2) + "\n";
}

const WINDOW = 8;
const hashOf = (text: string, from: number) => {
    let h = 0;
    for (let i = from; i < from + WINDOW; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
    return h;
};
// 31^(WINDOW-1), for removing the character that leaves the rolling window.
const OUTGOING = Array.from({ length: WINDOW - 1 }).reduce<number>((p) => Math.imul(p, 31), 1);

/**
 * Finds any of many secret values inside texts in one pass per text: a rolling hash of every
 * 8-character window is looked up among the secrets' first 8 characters, and only a hit is compared in
 * full. Checking each secret against each string was quadratic (thousands of secrets at 1000 nodes).
 */
export class SecretScanner {
    private readonly byPrefix = new Map<number, string[]>();

    constructor(secrets: Iterable<string>) {
        for (const s of secrets) {
            if (s.length < WINDOW) continue;
            const h = hashOf(s, 0);
            const list = this.byPrefix.get(h);
            if (list) list.push(s);
            else this.byPrefix.set(h, [s]);
        }
    }

    /** Whether `text` contains one of the secrets. */
    matches(text: string): boolean {
        if (text.length < WINDOW || this.byPrefix.size === 0) return false;
        let h = hashOf(text, 0);
        for (let i = 0; ; i++) {
            const candidates = this.byPrefix.get(h);
            if (candidates && candidates.some((c) => text.startsWith(c, i))) return true;
            if (i + WINDOW >= text.length) return false;
            h = (Math.imul(h - Math.imul(text.charCodeAt(i), OUTGOING), 31) + text.charCodeAt(i + WINDOW)) | 0;
        }
    }
}

/** The text of a launch template's user data: base64, gzip-compressed or not. */
export function launchTemplateUserData(base64: string): string {
    const bytes = Buffer.from(base64, "base64");
    return (bytes[0] === 0x1f && bytes[1] === 0x8b ? zlib.gunzipSync(bytes) : bytes).toString("utf8");
}

/** Where a known secret value (or any PEM private key) appears in plain text in the plan. */
export function findLeaks(plan: Plan, secrets: Iterable<string>): string[] {
    const scanner = new SecretScanner([...secrets].filter((s) => s !== SECRET_MARK));
    const leaks: string[] = [];
    const visit = (value: unknown, where: string): void => {
        if (typeof value === "string") {
            if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) leaks.push(`${where}: a PEM private key`);
            else if (scanner.matches(value)) leaks.push(`${where}: a generated or configured secret`);
        } else if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${where}[${i}]`));
        else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) visit(v, where ? `${where}.${k}` : k);
    };
    for (const r of plan.resources) {
        visit(r.inputs, `${r.urn} inputs`);
        // A launch template's user data is base64, gzip-compressed for the managers: read what the host gets.
        if (r.type === "aws:ec2/launchTemplate:LaunchTemplate" && typeof r.inputs.userData === "string") visit(launchTemplateUserData(r.inputs.userData), `${r.urn} inputs.userData (decoded)`);
    }
    visit(plan.outputs, "outputs");
    return leaks;
}
