import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { isDnsLabel } from "../shared/names";
import { Tags } from "../shared/tags";
import { podIdentityTrustPolicy } from "../shared/iam";
import { tenantSecretsReadStatements } from "../shared/tenant-secrets";
import { ArgProblem, throwIfProblems } from "../shared/validation";

/** One Kubernetes service account of a tenant that gets the tenant's IAM role. */
export interface TenantServiceAccount {
    readonly namespace: string;
    readonly name: string;
}

export interface TenantWorkloadIdentityArgs {
    /** The tenant (organization) name. Required. */
    readonly tenant: string;
    /** The environment: the secrets prefix is `pr-cybr/<environment>/tenants/<tenant>/`. Required. */
    readonly environment: string;
    /** The tenant's namespaces: only their service accounts may get the role. Required. */
    readonly namespaces: string[];
    /** The service accounts that get the role through EKS Pod Identity associations. Required, at least one. */
    readonly serviceAccounts: TenantServiceAccount[];
    /** The cluster's name. Required. */
    readonly clusterName: pulumi.Input<string>;
    /** The cluster's ARN (the trust policy names it). Required. */
    readonly clusterArn: pulumi.Input<string>;
    /** The environment's key the tenant's secrets are encrypted with. Required. */
    readonly secretsKeyArn: pulumi.Input<string>;
    /** S3 buckets (names) whose objects the tenant's pods read and write. Defaults to []. */
    readonly s3Buckets?: string[];
    /** Tags on the role and the associations. Defaults to {}. */
    readonly tags?: Tags;
}

export const TENANT_WORKLOAD_IDENTITY_DEFAULTS = { s3Buckets: [] as string[], tags: {} as Tags };

/** IAM role names are at most 64 characters; Pulumi's auto-name appends `-` and 7 characters. */
const MAX_ROLE_LOGICAL_NAME = 64 - 8;
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Pure check of TenantWorkloadIdentityArgs; throws every problem at once. */
export function validateTenantWorkloadIdentityArgs(name: string, args: TenantWorkloadIdentityArgs): void {
    const problems: ArgProblem[] = [];
    if (args.serviceAccounts.length === 0) problems.push({ path: "serviceAccounts", reason: "is empty (list the service accounts that get the tenant's role, or leave workload identity out)" });
    const seen = new Set<string>();
    args.serviceAccounts.forEach((sa, i) => {
        if (!args.namespaces.includes(sa.namespace)) problems.push({ path: `serviceAccounts[${i}].namespace`, reason: `"${sa.namespace}" is not a namespace of tenant ${args.tenant} (one of ${args.namespaces.join(", ")})` });
        if (!isDnsLabel(sa.name)) problems.push({ path: `serviceAccounts[${i}].name`, reason: `"${sa.name}" is not a DNS label (a service account name)` });
        // EKS allows one association per service account (CreatePodIdentityAssociation: ResourceInUseException).
        const key = `${sa.namespace}/${sa.name}`;
        if (seen.has(key)) problems.push({ path: `serviceAccounts[${i}]`, reason: `${key} is listed twice (EKS allows one Pod Identity association per service account)` });
        seen.add(key);
    });
    (args.s3Buckets ?? []).forEach((b, i) => {
        if (!S3_BUCKET.test(b)) problems.push({ path: `s3Buckets[${i}]`, reason: `"${b}" is not an S3 bucket name (3-63 lowercase letters, digits, '.' and '-')` });
    });
    if (`${name}-role`.length > MAX_ROLE_LOGICAL_NAME) problems.push({ path: "tenant", reason: `"${args.tenant}" makes the role name ${name}-role longer than ${MAX_ROLE_LOGICAL_NAME} characters (use a shorter tenant name)` });
    throwIfProblems("TenantWorkloadIdentity", problems);
}

/**
 * Who may assume a tenant's workload role: EKS Pod Identity of this account's one cluster, and only for
 * a pod in one of the tenant's namespaces (the session tag `kubernetes-namespace`, EKS user guide
 * pod-id-role.html "Setting Conditions" and pod-id-abac.html), whichever of its service accounts the
 * associations name. So an association that maps another tenant's service account to this role is
 * refused by STS, not just by review.
 */
export const tenantWorkloadTrustPolicy = (args: { account: pulumi.Input<string>; clusterArn: pulumi.Input<string>; namespaces: string[] }) =>
    podIdentityTrustPolicy({ account: args.account, clusterArn: args.clusterArn, serviceAccount: { namespace: args.namespaces } });

/**
 * A tenant's workload identity (issue 19 item 5): one IAM role (the account's permissions boundary is
 * added by the stack to every role) that reads the tenant's own secrets and the S3 buckets its config
 * entry names, handed to its service accounts through EKS Pod Identity associations. An association's
 * `clusterName`, `namespace` and `serviceAccount` force replacement, `roleArn` updates in place
 * (terraform-provider-aws internal/service/eks/pod_identity_association.go at 00a35305: RequiresReplace).
 */
export class TenantWorkloadIdentity extends pulumi.ComponentResource {
    public readonly roleArn: pulumi.Output<string>;
    public readonly roleName: pulumi.Output<string>;

    constructor(name: string, args: TenantWorkloadIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        validateTenantWorkloadIdentityArgs(name, args);
        super("pr-cybr:tenancy:TenantWorkloadIdentity", name, {}, opts);
        const d = TENANT_WORKLOAD_IDENTITY_DEFAULTS;
        const tags = { ...d.tags, ...args.tags };
        const invoke = { parent: this };
        const account = aws.getCallerIdentityOutput({}, invoke).accountId;
        const partition = aws.getPartitionOutput({}, invoke).partition;
        const region = aws.getRegionOutput({}, invoke).region;

        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: `Workloads of tenant ${args.tenant} (EKS Pod Identity)`,
                assumeRolePolicy: tenantWorkloadTrustPolicy({ account, clusterArn: args.clusterArn, namespaces: args.namespaces }),
                tags: { ...tags, Name: `${name}-role` },
            },
            { parent: this },
        );
        const buckets = args.s3Buckets ?? d.s3Buckets;
        const statements: pulumi.Input<Record<string, unknown>>[] = [
            ...tenantSecretsReadStatements({ environment: args.environment, tenant: args.tenant, partition, region, account, keyArn: args.secretsKeyArn }),
        ];
        if (buckets.length > 0) {
            statements.push(
                { Sid: "ListTheTenantsBuckets", Effect: "Allow", Action: "s3:ListBucket", Resource: buckets.map((b) => pulumi.interpolate`arn:${partition}:s3:::${b}`) },
                { Sid: "UseTheTenantsObjects", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: buckets.map((b) => pulumi.interpolate`arn:${partition}:s3:::${b}/*`) },
            );
        }
        const policy = new aws.iam.RolePolicy(`${name}-access`, { role: role.id, policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }) }, { parent: this });

        for (const sa of args.serviceAccounts) {
            new aws.eks.PodIdentityAssociation(
                `${name}-${sa.namespace}-${sa.name}`,
                { clusterName: args.clusterName, namespace: sa.namespace, serviceAccount: sa.name, roleArn: role.arn, tags: { ...tags, Name: `${name}-${sa.namespace}-${sa.name}` } },
                // The policy first: a pod never starts with a role that cannot yet act.
                { parent: this, dependsOn: [policy] },
            );
        }

        this.roleArn = role.arn;
        this.roleName = role.name;
        this.registerOutputs({ roleArn: this.roleArn });
    }
}
