import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { sourceTreeDir } from "../shared/source-tree";
import { Tags } from "../shared/tags";
import { ArgProblem, throwIfProblems } from "../shared/validation";

/**
 * The agent's build context: the Dockerfile, the collector config, and the custom collector's builder
 * manifest with its go.sum and build script (the source tree's, also when synth runs from .build/).
 */
export const AGENT_CONTEXT_DIR = path.join(sourceTreeDir(__dirname), "agent");

/** The collector release the builder manifest builds (its `dist.version`): the image is that version. */
export function agentManifestVersion(dir = AGENT_CONTEXT_DIR): string {
    return String(YAML.parse(fs.readFileSync(path.join(dir, "manifest.yaml"), "utf8"))?.dist?.version ?? "");
}
export const AGENT_PLATFORMS: dockerBuild.Platform[] = ["linux/amd64", "linux/arm64"];

export interface EdgeAgentImageArgs {
    /** ECR repository name, e.g. `pr-cybr-prod/edge-agent`. Required. */
    readonly repositoryName: string;
    /**
     * OpenTelemetry Collector release the image is built from. Required; must be the release
     * `agent/manifest.yaml` pins (its modules, go.sum and this version change together).
     */
    readonly collectorVersion: string;
    /** Push the image (a preview never builds or pushes: buildOnPreview is off). Defaults to true. */
    readonly push?: boolean;
    /** Images kept in the repository; older ones expire. Defaults to 20. */
    readonly keepImages?: number;
    /** Tags for the repository. Defaults to {}. */
    readonly tags?: Tags;
}

export const EDGE_AGENT_IMAGE_DEFAULTS = { push: true, keepImages: 20, tags: {} as Tags };

export function validateEdgeAgentImageArgs(args: EdgeAgentImageArgs): void {
    const problems: ArgProblem[] = [];
    if (!/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(args.repositoryName)) problems.push({ path: "repositoryName", reason: `"${args.repositoryName}" is not an ECR repository name (lowercase, digits, . _ - /)` });
    const built = agentManifestVersion();
    if (!/^\d+\.\d+\.\d+$/.test(args.collectorVersion)) problems.push({ path: "collectorVersion", reason: `"${args.collectorVersion}" is not a version such as 0.128.0` });
    else if (args.collectorVersion !== built) {
        problems.push({
            path: "collectorVersion",
            reason: `"${args.collectorVersion}" is not the release components/edge/agent/manifest.yaml builds (${built}): the agent is a custom build, so set ${built} here, or move the manifest's modules to the new release and regenerate its go.sum (components/edge/agent/build.sh, UPDATE_GO_SUM=1)`,
        });
    }
    const keep = args.keepImages ?? EDGE_AGENT_IMAGE_DEFAULTS.keepImages;
    if (!Number.isInteger(keep) || keep < 2 || keep > 1000) problems.push({ path: "keepImages", reason: `${keep} is not 2-1000 (keep the running image and at least one to roll back to)` });
    throwIfProblems("EdgeAgentImage", problems);
}

/** A short hash of the build context's files: the image tag changes exactly when the image would. */
export function agentContextHash(collectorVersion: string, dir = AGENT_CONTEXT_DIR): string {
    const h = crypto.createHash("sha256").update(collectorVersion);
    for (const f of fs.readdirSync(dir).sort()) h.update(f).update(fs.readFileSync(path.join(dir, f)));
    return h.digest("hex").slice(0, 12);
}

/**
 * The telemetry agent's image: an immutable-tag, scanned ECR repository and a multi-platform
 * (linux/amd64 + linux/arm64) buildx build pushed to it. The image is a custom OpenTelemetry Collector
 * (agent/manifest.yaml, built by the OpenTelemetry Collector Builder in the Dockerfile's build stage)
 * on an empty base, as uid 10001. Nodes run it by digest (`ref`), so a
 * re-pushed tag can never change what runs; registry cache keeps rebuilds fast.
 */
export class EdgeAgentImage extends pulumi.ComponentResource {
    public readonly repositoryUrl: pulumi.Output<string>;
    public readonly repositoryArn: pulumi.Output<string>;
    /** `repository@sha256:...`: what nodes pull. */
    public readonly ref: pulumi.Output<string>;

    constructor(name: string, args: EdgeAgentImageArgs, opts?: pulumi.ComponentResourceOptions) {
        validateEdgeAgentImageArgs(args);
        super("pr-cybr:edge:EdgeAgentImage", name, {}, opts);
        const d = EDGE_AGENT_IMAGE_DEFAULTS;
        const repo = new aws.ecr.Repository(
            `${name}-repo`,
            {
                name: args.repositoryName,
                imageTagMutability: "IMMUTABLE_WITH_EXCLUSION",
                // The cache tag is rewritten on every build, so it alone stays mutable.
                imageTagMutabilityExclusionFilters: [{ filter: "cache", filterType: "WILDCARD" }],
                imageScanningConfiguration: { scanOnPush: true },
                encryptionConfigurations: [{ encryptionType: "KMS" }],
                tags: { ...d.tags, ...args.tags, Name: args.repositoryName },
            },
            { parent: this },
        );
        new aws.ecr.LifecyclePolicy(
            `${name}-lifecycle`,
            {
                repository: repo.name,
                policy: JSON.stringify({
                    rules: [{ rulePriority: 1, description: "keep the newest images", selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: args.keepImages ?? d.keepImages }, action: { type: "expire" } }],
                }),
            },
            { parent: this },
        );
        const auth = aws.ecr.getAuthorizationTokenOutput({ registryId: repo.registryId }, { parent: this });
        const tag = `${args.collectorVersion}-${agentContextHash(args.collectorVersion)}`;
        const image = new dockerBuild.Image(
            `${name}-image`,
            {
                // Relative to the working directory (the project root, where the CLI and synth run): an absolute
                // path would differ per checkout, and the base of a PR diff is synthesized in another one.
                context: { location: path.relative(process.cwd(), AGENT_CONTEXT_DIR) || "." },
                platforms: AGENT_PLATFORMS,
                push: args.push ?? d.push,
                buildOnPreview: false,
                tags: [pulumi.interpolate`${repo.repositoryUrl}:${tag}`],
                registries: [{ address: repo.repositoryUrl.apply((u) => u.split("/")[0]), username: auth.userName, password: pulumi.secret(auth.password) }],
                cacheFrom: [{ registry: { ref: pulumi.interpolate`${repo.repositoryUrl}:cache` } }],
                cacheTo: [{ registry: { ref: pulumi.interpolate`${repo.repositoryUrl}:cache`, mode: "max", imageManifest: true, ociMediaTypes: true } }],
            },
            { parent: this },
        );

        this.repositoryUrl = repo.repositoryUrl;
        this.repositoryArn = repo.arn;
        this.ref = image.ref;
        this.registerOutputs({ repositoryUrl: this.repositoryUrl, ref: this.ref });
    }
}
