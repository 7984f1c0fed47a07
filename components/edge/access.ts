import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { globalName, globalNameSuffixProblem } from "../shared/names";
import { Tags } from "../shared/tags";
import { ArgProblem, throwIfProblems } from "../shared/validation";

/** The bundle secret tag that names the certificate CN allowed to read it. */
export const EDGE_IDENTITY_TAG = "pr-cybr.io/edge-identity";

export interface EdgeAccessArgs {
    /** Prefix of the trust anchor, role and profile names, e.g. `pr-cybr-prod-edge`. Required. */
    readonly namePrefix: string;
    /** The edge CA certificate (the trust anchor). Required. */
    readonly caCertPem: pulumi.Input<string>;
    /** The edge CA's common name: sessions must come from certificates it issued. Required. */
    readonly caCommonName: string;
    /** Secrets Manager name prefix of the node bundles, e.g. `pr-cybr/prod/edge/nodes/`. Required. */
    readonly bundleSecretPrefix: string;
    /** The key the bundles are encrypted with. Required. */
    readonly bundleKmsKeyArn: pulumi.Input<string>;
    /** The swarm worker join-token secret and the key it is encrypted with. Required. */
    readonly workerToken: { readonly secretArn: pulumi.Input<string>; readonly kmsKeyArn: pulumi.Input<string> };
    /** ECR repository of the telemetry agent image, which nodes pull. Required. */
    readonly agentRepositoryArn: pulumi.Input<string>;
    /** Certificate CNs refused a session at once (compromised devices), before their certificates expire. Defaults to []. */
    readonly revokedCommonNames?: string[];
    /** Session length in seconds (900-3600). Defaults to 3600. */
    readonly sessionSeconds?: number;
    /** Tags for the trust anchor, role and profile. Defaults to {}. */
    readonly tags?: Tags;
    /** Appended as `-<suffix>` to the account-wide IAM role name, for a recovery stack in another region of the same account. Defaults to none (""). */
    readonly globalNameSuffix?: string;
}

export const EDGE_ACCESS_DEFAULTS = { sessionSeconds: 3600, revokedCommonNames: [] as string[], tags: {} as Tags, globalNameSuffix: "" };

export function validateEdgeAccessArgs(args: EdgeAccessArgs): void {
    const problems: ArgProblem[] = [];
    if (!/^[a-zA-Z0-9_-]{1,48}$/.test(args.namePrefix)) problems.push({ path: "namePrefix", reason: `"${args.namePrefix}" is not 1-48 letters, digits, '_' or '-'` });
    if (!args.bundleSecretPrefix.endsWith("/")) problems.push({ path: "bundleSecretPrefix", reason: `"${args.bundleSecretPrefix}" must end with "/" (a name prefix)` });
    const s = args.sessionSeconds ?? EDGE_ACCESS_DEFAULTS.sessionSeconds;
    if (!Number.isInteger(s) || s < 900 || s > 3600) problems.push({ path: "sessionSeconds", reason: `${s} is not 900-3600 seconds` });
    (args.revokedCommonNames ?? []).forEach((cn, i) => {
        if (!/^[A-Za-z0-9.-]{1,64}$/.test(cn)) problems.push({ path: `revokedCommonNames[${i}]`, reason: `"${cn}" is not a certificate CN (the registry's spec.identity.commonName)` });
    });
    const suffix = globalNameSuffixProblem(args.globalNameSuffix);
    if (suffix) problems.push({ path: "globalNameSuffix", reason: suffix });
    throwIfProblems("EdgeAccess", problems);
}

// IAM policy variables: Roles Anywhere turns the certificate's subject and issuer into session tags.
const SUBJECT_CN = "${aws:PrincipalTag/x509Subject/CN}";

/**
 * How an edge node gets AWS credentials without a stored secret: IAM Roles Anywhere, with the edge CA
 * as trust anchor. A node presents its certificate and gets a one-hour session of one shared role
 * whose policy lets it read only the bundle tagged with its own certificate CN (plus the worker token
 * and the agent image). Revocation: deleting a node deletes its bundle, so its certificate, still
 * valid until expiry, authenticates to a role that can read nothing of its own; a re-added node gets a
 * new CN (its new key's fingerprint), so an old certificate never matches a new bundle; and a CN listed in
 * `revokedCommonNames` gets no session at all.
 */
export class EdgeAccess extends pulumi.ComponentResource {
    public readonly trustAnchorArn: pulumi.Output<string>;
    public readonly profileArn: pulumi.Output<string>;
    public readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: EdgeAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        validateEdgeAccessArgs(args);
        super("pr-cybr:edge:EdgeAccess", name, {}, opts);
        const d = EDGE_ACCESS_DEFAULTS;
        const tags = { ...d.tags, ...args.tags };
        const invoke = { parent: this };
        const partition = aws.getPartitionOutput({}, invoke).partition;
        const region = aws.getRegionOutput({}, invoke).region;
        const account = aws.getCallerIdentityOutput({}, invoke).accountId;

        const anchor = new aws.rolesanywhere.TrustAnchor(
            `${name}-anchor`,
            { name: `${args.namePrefix}-ca`, enabled: true, source: { sourceType: "CERTIFICATE_BUNDLE", sourceData: { x509CertificateData: args.caCertPem } }, tags: { ...tags, Name: `${args.namePrefix}-ca` } },
            { parent: this },
        );
        // IAM Roles Anywhere takes no CRL from @pulumi/tls; a deny on the certificate's CN cuts a device
        // off on the next session request (at most one session length later).
        const revoked = args.revokedCommonNames ?? d.revokedCommonNames;
        const revocations = revoked.length === 0 ? [] : [{ Sid: "RevokedCertificates", Effect: "Deny", Principal: { Service: "rolesanywhere.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"], Condition: { StringEquals: { "aws:PrincipalTag/x509Subject/CN": revoked } } }];
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                name: globalName(`${args.namePrefix}-node`, args.globalNameSuffix ?? d.globalNameSuffix),
                description: "Edge nodes (IAM Roles Anywhere with an edge CA certificate): read the node's own bundle",
                maxSessionDuration: 3600,
                assumeRolePolicy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        ...revocations,
                        {
                            Effect: "Allow",
                            Principal: { Service: "rolesanywhere.amazonaws.com" },
                            Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
                            Condition: {
                                ArnEquals: { "aws:SourceArn": anchor.arn },
                                StringEquals: { "aws:PrincipalTag/x509Issuer/CN": args.caCommonName },
                            },
                        },
                    ],
                }),
                tags,
            },
            { parent: this },
        );
        const viaSecretsManager = { StringEquals: { "kms:ViaService": pulumi.interpolate`secretsmanager.${region}.amazonaws.com` } };
        new aws.iam.RolePolicy(
            `${name}-policy`,
            {
                role: role.name,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "OwnBundleOnly",
                            Effect: "Allow",
                            Action: "secretsmanager:GetSecretValue",
                            Resource: pulumi.interpolate`arn:${partition}:secretsmanager:${region}:${account}:secret:${args.bundleSecretPrefix}*`,
                            // The global key: iam-data (AWS's service reference) spells Secrets Manager's own
                            // `secretsmanager:ResourceTag/tag-key` without a tag variable, so evaluators that
                            // read it (iam-simulate) cannot match it; GetSecretValue lists aws:ResourceTag/${TagKey}.
                            Condition: { StringEquals: { [`aws:ResourceTag/${EDGE_IDENTITY_TAG}`]: SUBJECT_CN } },
                        },
                        { Sid: "WorkerJoinToken", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: args.workerToken.secretArn },
                        { Sid: "DecryptThroughSecretsManager", Effect: "Allow", Action: "kms:Decrypt", Resource: [args.bundleKmsKeyArn, args.workerToken.kmsKeyArn], Condition: viaSecretsManager },
                        { Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
                        { Sid: "PullAgentImage", Effect: "Allow", Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], Resource: args.agentRepositoryArn },
                    ],
                }),
            },
            { parent: this },
        );
        const profile = new aws.rolesanywhere.Profile(
            `${name}-profile`,
            { name: `${args.namePrefix}-node`, enabled: true, roleArns: [role.arn], durationSeconds: args.sessionSeconds ?? d.sessionSeconds, tags },
            { parent: this },
        );

        this.trustAnchorArn = anchor.arn;
        this.profileArn = profile.arn;
        this.roleArn = role.arn;
        this.registerOutputs({ trustAnchorArn: this.trustAnchorArn, profileArn: this.profileArn, roleArn: this.roleArn });
    }
}
