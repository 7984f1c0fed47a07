import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

export const PROJECT = "pr-cybr-bootstrap";

/** `<what>` of a GitHub OIDC subject after `repo:<owner>/<name>:` that a preview role may trust. */
const PREVIEW_SUBJECT = /^(pull_request|environment:[A-Za-z0-9._-]+)$/;

const schema = z.strictObject({
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "is not an AWS region (aws:region)"),
    // One bootstrap stack per AWS account: the provider refuses any other account's credentials.
    allowedAccountIds: z.array(z.string().regex(/^\d{12}$/, "is not a 12-digit AWS account id")).length(1, "must name exactly one account (this stack's; one bootstrap stack per account)"),
    repository: z.string().regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, 'is not a GitHub repository ("owner/name")'),
    stateBucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "is not an S3 bucket name"),
    tags: z.strictObject({ owner: z.string().min(1), costCenter: z.string().min(1) }),
    previewSecrets: z.array(z.string().regex(/^[A-Za-z0-9/_+=.@-]+$/, "is not a Secrets Manager secret name")).default([]),
    environment: z.strictObject({
        stack: z.string().regex(/^[a-z0-9-]+$/, "is not a stack name"),
        deployEnvironments: z.array(z.string().regex(/^[A-Za-z0-9._-]+$/, "is not a GitHub environment name")).min(1, "is empty (name the GitHub environment that gates deploys)"),
        previewSubjects: z.array(z.string().regex(PREVIEW_SUBJECT, 'is not "pull_request" or "environment:<name>"')).default([]),
    }),
});

export type BootstrapConfig = z.output<typeof schema>;

/** A user error in the bootstrap's config: the list of problems, no stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(message: string) {
        super(message);
        this.name = "ConfigError";
    }
}

const AWS_KEYS = new Set(["region", "allowedAccountIds"]);

/** Reads and validates the bootstrap stack's config (the only reader of config in this program). */
export function readBootstrapConfig(): BootstrapConfig {
    const cfg = new pulumi.Config(PROJECT);
    const aws = new pulumi.Config("aws");
    const raw = {
        region: aws.get("region"),
        allowedAccountIds: aws.getObject("allowedAccountIds"),
        repository: cfg.get("repository"),
        stateBucket: cfg.get("stateBucket"),
        tags: cfg.getObject("tags"),
        environment: cfg.getObject("environment"),
        previewSecrets: cfg.getObject("previewSecrets"),
    };
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
        const lines = parsed.error.issues.map((i) => {
            const path = i.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "") || "(config)";
            const key = AWS_KEYS.has(String(i.path[0])) ? `aws:${path}` : `${PROJECT}:${path}`;
            return `  ${key}: ${i.message}`;
        });
        throw new ConfigError(`invalid bootstrap config: ${lines.length} problem${lines.length > 1 ? "s" : ""}\n${lines.join("\n")}`);
    }
    return parsed.data;
}
