import * as zlib from "zlib";
import { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, kindOf, podSpecOf, WORKLOAD_KINDS } from "./lib/k8s";
import { Deferred } from "./lib/unknowns";

/** Shapes of credentials that must never sit in plain text, named for the message. */
export const SECRET_PATTERNS: [string, RegExp][] = [
    ["a PEM private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
    ["an AWS access key id", /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
    ["a GitHub token", /\bgh[pousr]_[A-Za-z0-9]{36,}\b/],
    ["a GitLab token", /\bglpat-[A-Za-z0-9_-]{20,}\b/],
    ["a Slack token", /\bxox[abprs]-[A-Za-z0-9-]{10,}/],
    ["a Slack webhook URL", /hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+/],
    ["a Tailscale auth key", /\btskey-[a-z]+-[A-Za-z0-9]+-[A-Za-z0-9]+/],
    ["a Docker Swarm join token", /\bSWMTKN-1-[a-z0-9]{40,}-[a-z0-9]{20,}\b/],
    ["a Stripe live key", /\bsk_live_[A-Za-z0-9]{20,}/],
    ["a password or token assignment", /\b(password|passwd|secret|token|api[_-]?key)\s*[:=]\s*["']?(?![$<{])[^\s"'$<{]{8,}/i],
];

/** Helm releases and charts of @pulumi/kubernetes, whose values end up in release records and manifests anyone reading them sees. */
const HELM_TYPES = ["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v3:Chart", "kubernetes:helm.sh/v4:Chart"];

/** Environment variable names that announce a credential. */
const SECRET_ENV_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)/i;

export function findSecretShapes(text: string): string[] {
    return SECRET_PATTERNS.filter(([, re]) => re.test(text)).map(([what]) => what);
}

/** Every string in a value, with its path; a value unknown in a preview is skipped (and deferred) leaf by leaf. */
function strings(value: unknown, at: string, deferred: Deferred, out: [string, string][] = []): [string, string][] {
    if (typeof value === "string") out.push([at, value]);
    else if (Array.isArray(value)) for (let i = 0; i < value.length; i++) deferred.run(() => strings(value[i], `${at}[${i}]`, deferred, out));
    else if (value && typeof value === "object") for (const k of Object.keys(value)) deferred.run(() => strings((value as Record<string, unknown>)[k], at ? `${at}.${k}` : k, deferred, out));
    return out;
}

/** Base64 user data as the host reads it: cloud-init uncompresses gzip (magic 1f 8b) before anything else. */
function fromBase64(value: string): string {
    const bytes = Buffer.from(value, "base64");
    return (bytes[0] === 0x1f && bytes[1] === 0x8b ? zlib.gunzipSync(bytes) : bytes).toString("utf8");
}

function decodeUserData(args: ResourceValidationArgs): string | undefined {
    const p = args.props;
    if (typeof p.userData === "string") {
        // Launch templates take base64; instances take text (or userDataBase64).
        if (args.type === "aws:ec2/launchTemplate:LaunchTemplate") return fromBase64(p.userData);
        return p.userData;
    }
    return typeof p.userDataBase64 === "string" ? fromBase64(p.userDataBase64) : undefined;
}

/**
 * User data is readable by anyone with ec2:DescribeInstanceAttribute, ConfigMaps by anyone who can
 * read the namespace, Helm values by anyone who can read the release; none of them is a secret store.
 * Heuristic by nature: it recognises known credential shapes and credential-named variables.
 */
export const noPlaintextSecrets: ResourceValidationPolicy = {
    name: "no-plaintext-secrets",
    description: "No credential-shaped value (private keys, AWS keys, GitHub/GitLab/Slack/Tailscale/Swarm tokens, password assignments) in EC2 user data, ConfigMaps, Helm values or literal container env; env vars named like credentials must use valueFrom.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        // Each source is scanned on its own: rendered user data unknown in a preview defers only that scan.
        const deferred = new Deferred();
        const findings: string[] = [];
        const scan = (where: string, text: string) => {
            for (const what of findSecretShapes(text)) findings.push(`${where} holds ${what}`);
        };
        if (args.type === "aws:ec2/instance:Instance" || args.type === "aws:ec2/launchTemplate:LaunchTemplate") {
            deferred.run(() => {
                const userData = decodeUserData(args);
                if (userData) scan("user data", userData);
            });
        }
        const kind = kindOf(args.type);
        const scanAll = (read: () => unknown, at: string) => deferred.run(() => strings(read() ?? {}, at, deferred).forEach(([path, text]) => scan(path, text)));
        if (kind === "ConfigMap") {
            scanAll(() => args.props.data, "data");
            // binaryData is base64 of the same bytes a mounted file or env var gets.
            for (const key of Object.keys(deferred.run(() => args.props.binaryData ?? {}) ?? {})) {
                deferred.run(() => typeof args.props.binaryData[key] === "string" && scan(`binaryData.${key}`, Buffer.from(args.props.binaryData[key], "base64").toString("utf8")));
            }
        }
        if (HELM_TYPES.includes(args.type)) scanAll(() => args.props.values, "values");
        if (kind && WORKLOAD_KINDS.includes(kind)) {
            const spec = deferred.run(() => podSpecOf(kind, args.props));
            for (const c of spec ? containersOf(spec) : []) {
                for (const e of deferred.run(() => c.env ?? []) ?? []) {
                    deferred.run(() => {
                        if (typeof e.value !== "string" || e.value === "") return;
                        if (SECRET_ENV_NAME.test(e.name)) findings.push(`container ${c.name} env ${e.name} is a literal (use valueFrom.secretKeyRef)`);
                        else scan(`container ${c.name} env ${e.name}`, e.value);
                    });
                }
            }
        }
        if (findings.length > 0) reportViolation(`${args.type} "${args.name}": ${findings.join("; ")}.`);
        deferred.finish();
    },
};
