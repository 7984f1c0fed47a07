import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

export const PROJECT = "pr-cybr-bootstrap";

const schema = z.strictObject({
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "is not an AWS region (aws:region)"),
    repository: z.string().regex(/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/, 'is not a GitHub repository ("owner/name")'),
    stateBucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "is not an S3 bucket name"),
    tags: z.strictObject({ owner: z.string().min(1), costCenter: z.string().min(1) }),
    environments: z
        .array(
            z.strictObject({
                stack: z.string().regex(/^[a-z0-9-]+$/, "is not a stack name"),
                githubEnvironments: z.array(z.string().min(1)).min(1, "is empty"),
                // Pull requests may assume the stack's preview role (which decrypts its secrets); off unless set.
                pullRequestPreviews: z.boolean().optional(),
            }),
        )
        .min(1, "is empty"),
});

export type BootstrapConfig = z.output<typeof schema>;

/** A user error in the bootstrap's config: the list of problems, no stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(message: string) {
        super(message);
        this.name = "ConfigError";
    }
}

/** Reads and validates the bootstrap stack's config (the only reader of config in this program). */
export function readBootstrapConfig(): BootstrapConfig {
    const cfg = new pulumi.Config(PROJECT);
    const raw = {
        region: new pulumi.Config("aws").get("region"),
        repository: cfg.get("repository"),
        stateBucket: cfg.get("stateBucket"),
        tags: cfg.getObject("tags"),
        environments: cfg.getObject("environments"),
    };
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
        const lines = parsed.error.issues.map((i) => `  ${i.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "") || "(config)"}: ${i.message}`);
        throw new ConfigError(`invalid bootstrap config: ${lines.length} problem${lines.length > 1 ? "s" : ""}\n${lines.join("\n")}`);
    }
    return parsed.data;
}
