// The AWS account a plan describes, as the evaluator needs it: roles with the identity policies and the
// boundary attached to them, key policies by key ARN, bucket policies, secrets with their ARNs and tags.
// Everything comes from the plan's resources and the relations AWS itself uses (a RolePolicy names
// its role, an alias its key); nothing is restated from the components.
import { awsManagedPolicy, defaultKeyPolicy } from "./aws-managed";
import { NamedPolicy } from "./evaluator";
import { awsLocation, dependenciesOfType, Plan, PlanResource, resourceNamed, resourcesOfType } from "./plans";

export interface RoleModel {
    resource: PlanResource;
    name: string;
    arn: string;
    trust: any;
    identityPolicies: NamedPolicy[];
    boundary?: NamedPolicy;
}

export class World {
    readonly region: string;
    readonly account: string;

    /**
     * `boundaries`: the plans that hold the permissions boundaries this plan's roles name by ARN (the
     * platform's roles carry the account's boundary, which the bootstrap plan creates).
     */
    constructor(
        readonly plan: Plan,
        private readonly boundaries: Plan[] = [],
    ) {
        ({ region: this.region, account: this.account } = awsLocation(plan));
    }

    arn(service: string, resource: string, regional = true): string {
        return `arn:aws:${service}:${regional ? this.region : ""}:${this.account}:${resource}`;
    }

    private dependents(resource: PlanResource, type: string): PlanResource[] {
        return resourcesOfType(this.plan, type).filter((r) => r.dependsOn.includes(resource.urn));
    }

    /** A role by its logical name, with what AWS would evaluate for a session of it. */
    async role(logicalName: string): Promise<RoleModel> {
        const resource = resourceNamed(this.plan, logicalName);
        // Policies of this role: those that depend on it and name it (a policy of another role may depend on
        // this one too, e.g. one that lets it pass this role). Auto-named roles are `<logical name>-<suffix>`.
        const ofThisRole = (p: PlanResource) => p.inputs.role === resource.inputs.name || String(p.inputs.role).startsWith(`${logicalName}-`);
        const inline = this.dependents(resource, "aws:iam/rolePolicy:RolePolicy").filter(ofThisRole);
        const attachments = this.dependents(resource, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter(ofThisRole);
        // A role's physical name is its `name`, or what its policies name it by (auto-named roles).
        const name = String(resource.inputs.name ?? [...inline, ...attachments][0]?.inputs.role ?? logicalName);
        const identityPolicies: NamedPolicy[] = [
            ...inline.map((p) => ({ name: p.name, policy: JSON.parse(p.inputs.policy) })),
            ...((resource.inputs.inlinePolicies ?? []) as { name: string; policy: string }[]).map((p) => ({ name: p.name, policy: JSON.parse(p.policy) })),
        ];
        for (const attachment of attachments) {
            const arn = String(attachment.inputs.policyArn);
            const customer = dependenciesOfType(this.plan, attachment, "aws:iam/policy:Policy")[0];
            identityPolicies.push({ name: arn.split("/").pop()!, policy: customer ? JSON.parse(customer.inputs.policy) : await awsManagedPolicy(arn) });
        }
        const boundaryArn = resource.inputs.permissionsBoundary as string | undefined;
        const boundaryResource = boundaryArn ? (dependenciesOfType(this.plan, resource, "aws:iam/policy:Policy")[0] ?? this.externalPolicy(boundaryArn)) : undefined;
        if (resource.inputs.permissionsBoundary && !boundaryResource) throw new Error(`${logicalName}: its boundary ${resource.inputs.permissionsBoundary} is not a policy in the plan`);
        return {
            resource,
            name,
            arn: `arn:aws:iam::${this.account}:role/${name}`,
            trust: JSON.parse(resource.inputs.assumeRolePolicy),
            identityPolicies,
            boundary: boundaryResource && { name: boundaryResource.name, policy: JSON.parse(boundaryResource.inputs.policy) },
        };
    }

    /** A managed policy another plan creates, by its ARN (`arn:aws:iam::<account>:policy/<name>`). */
    private externalPolicy(arn: string): PlanResource | undefined {
        const [, , , , account, resource] = arn.split(":");
        if (account !== this.account) return undefined;
        return this.boundaries.flatMap((p) => resourcesOfType(p, "aws:iam/policy:Policy")).find((r) => `policy/${r.inputs.name}` === resource);
    }

    rolesNamed(): PlanResource[] {
        return resourcesOfType(this.plan, "aws:iam/role:Role");
    }

    session(role: RoleModel, sessionName: string): string {
        return `arn:aws:sts::${this.account}:assumed-role/${role.name}/${sessionName}`;
    }

    /** The ARN of the key an alias (`alias/...`) points at. */
    keyArnOfAlias(alias: string): string {
        const found = resourcesOfType(this.plan, "aws:kms/alias:Alias").find((a) => a.inputs.name === alias);
        if (!found) throw new Error(`${this.plan.stack}: no KMS alias ${alias}`);
        return this.arn("kms", `key/${found.inputs.targetKeyId}`);
    }

    /** A key's policy, found through the alias that targets it; KMS's default policy when it sets none. */
    keyPolicy(keyArn: string): any {
        const keyId = keyArn.split("/").pop();
        const alias = resourcesOfType(this.plan, "aws:kms/alias:Alias").find((a) => a.inputs.targetKeyId === keyId);
        const key = alias && dependenciesOfType(this.plan, alias, "aws:kms/key:Key")[0];
        if (!key) throw new Error(`${this.plan.stack}: no key with id ${keyId} (found through its alias)`);
        return key.inputs.policy ? JSON.parse(key.inputs.policy) : defaultKeyPolicy(this.account);
    }

    bucketPolicy(bucket: string): any | undefined {
        const found = resourcesOfType(this.plan, "aws:s3/bucketPolicy:BucketPolicy").find((p) => p.inputs.bucket === bucket);
        return found && JSON.parse(found.inputs.policy);
    }

    secret(name: string): { resource: PlanResource; arn: string; tags: Record<string, string>; kmsKeyArn: string } {
        const resource = resourcesOfType(this.plan, "aws:secretsmanager/secret:Secret").find((s) => s.inputs.name === name);
        if (!resource) throw new Error(`${this.plan.stack}: no secret named ${name}`);
        // Secrets Manager appends "-" and 6 random characters; use the ARN the plan references, if any.
        const referenced = JSON.stringify(this.plan.resources).match(new RegExp(`arn:aws:secretsmanager:[a-z0-9-]+:\\d{12}:secret:${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[A-Za-z0-9]{6}`));
        return { resource, arn: referenced?.[0] ?? this.arn("secretsmanager", `secret:${name}-Ab12Cd`), tags: resource.inputs.tags ?? {}, kmsKeyArn: String(resource.inputs.kmsKeyId) };
    }

    secrets(): PlanResource[] {
        return resourcesOfType(this.plan, "aws:secretsmanager/secret:Secret");
    }
}
