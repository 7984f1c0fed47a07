import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IN_CLUSTER } from "../shared/kubernetes";
import { isDnsLabel } from "../shared/names";
import { ArgProblem, throwIfProblems } from "../shared/validation";
import { ARGOCD_NAMESPACE } from "./argocd-values";

/**
 * Argo CD's GitOps bridge (issue 19 item 9): the in-cluster destination declared as a cluster Secret
 * whose labels and annotations carry what Pulumi knows and Git does not, so an add-on moved from Pulumi
 * to an ApplicationSet keeps its identity. Conventions of gitops-bridge-dev/gitops-bridge (argocd/iac,
 * at cac900a2) and of the EKS Blueprints add-ons' `gitops_metadata` output
 * (aws-ia/terraform-aws-eks-blueprints-addons outputs.tf at d78fb74a): per add-on the annotations
 * `<addon>_iam_role_arn`, `<addon>_namespace`, `<addon>_service_account` and the label
 * `enable_<addon>: "true"`; cluster facts `aws_cluster_name`, `aws_region`, `aws_account_id`,
 * `aws_vpc_id`; the add-ons' repository `addons_repo_url`, `addons_repo_basepath`, `addons_repo_path`,
 * `addons_repo_revision`. An ApplicationSet's cluster generator hands them to its template as
 * `metadata.labels.<key>` / `metadata.annotations.<key>` (argo-cd v3.3.8
 * docs/operator-manual/applicationset/Generators-Cluster.md).
 *
 * With EKS Pod Identity the role reaches the pods through the association (namespace and service
 * account), which stays in Pulumi: an add-on moved to Git must install into the annotated namespace and
 * service account, and its chart values that name AWS resources (ESO stores' roles, Velero's bucket)
 * read them from the annotations.
 */

/** An add-on as the bridge announces it. */
export interface BridgeAddon {
    /** The add-on's name (`external-secrets`); the bridge key is it with '-' as '_' (`external_secrets`). */
    readonly name: string;
    readonly namespace: string;
    /** The service account its Pod Identity association names, if any. */
    readonly serviceAccount?: string;
    /** The IAM role that association hands out, if any. */
    readonly roleArn?: pulumi.Input<string>;
    /** Further `<key>_<fact>` annotations (Velero's bucket), keyed by fact. Defaults to {}. */
    readonly facts?: Record<string, pulumi.Input<string>>;
}

export interface InClusterSecretArgs {
    /** The environment (label `environment`). Required. */
    readonly environment: string;
    readonly clusterName: pulumi.Input<string>;
    readonly region: pulumi.Input<string>;
    readonly accountId: pulumi.Input<string>;
    readonly vpcId: pulumi.Input<string>;
    /** Where add-ons managed from Git live: repository, revision, path. Required. */
    readonly addonsRepo: { readonly url: string; readonly revision: string; readonly basepath?: string; readonly path: string };
    /** The add-ons Pulumi installs (their identities). Defaults to []. */
    readonly addons?: BridgeAddon[];
}

/** The Secret's name: the in-cluster destination keeps the name Argo CD gives it implicitly. */
export const IN_CLUSTER_SECRET_NAME = "in-cluster";
export const CLUSTER_SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type";

/** The bridge's key of an add-on: `aws-load-balancer-controller` -> `aws_load_balancer_controller`. */
export function bridgeKey(addon: string): string {
    return addon.replace(/-/g, "_");
}

export function validateInClusterSecretArgs(args: InClusterSecretArgs): void {
    const problems: ArgProblem[] = [];
    const seen = new Set<string>();
    (args.addons ?? []).forEach((a, i) => {
        if (!isDnsLabel(a.name)) problems.push({ path: `addons[${i}].name`, reason: `"${a.name}" is not a DNS label` });
        if (seen.has(bridgeKey(a.name))) problems.push({ path: `addons[${i}].name`, reason: `"${a.name}" is listed twice (one bridge key per add-on)` });
        seen.add(bridgeKey(a.name));
        if ((a.serviceAccount === undefined) !== (a.roleArn === undefined)) problems.push({ path: `addons[${i}]`, reason: "names a service account without a role, or a role without a service account (a Pod Identity grant has both)" });
    });
    throwIfProblems("InClusterSecret", problems);
}

/** The Secret's labels and annotations (pure, so the bridge's names are tested on their own). */
export function bridgeMetadata(args: InClusterSecretArgs): { labels: Record<string, string>; annotations: Record<string, pulumi.Input<string>> } {
    const labels: Record<string, string> = { [CLUSTER_SECRET_TYPE_LABEL]: "cluster", environment: args.environment };
    const annotations: Record<string, pulumi.Input<string>> = {
        aws_cluster_name: args.clusterName,
        aws_region: args.region,
        aws_account_id: args.accountId,
        aws_vpc_id: args.vpcId,
        addons_repo_url: args.addonsRepo.url,
        addons_repo_basepath: args.addonsRepo.basepath ?? "",
        addons_repo_path: args.addonsRepo.path,
        addons_repo_revision: args.addonsRepo.revision,
    };
    for (const a of args.addons ?? []) {
        const key = bridgeKey(a.name);
        labels[`enable_${key}`] = "true";
        annotations[`${key}_namespace`] = a.namespace;
        if (a.serviceAccount !== undefined) annotations[`${key}_service_account`] = a.serviceAccount;
        if (a.roleArn !== undefined) annotations[`${key}_iam_role_arn`] = a.roleArn;
        for (const [fact, value] of Object.entries(a.facts ?? {})) annotations[`${key}_${fact}`] = value;
    }
    return { labels, annotations };
}

/**
 * The in-cluster cluster Secret (declarative-setup.md "Clusters"): `server` is the in-cluster API,
 * so Argo CD uses this Secret for that destination instead of its implicit one (the implicit local
 * cluster has no Secret, hence no labels, and a label-selecting cluster generator never matches it).
 */
export class InClusterSecret extends pulumi.ComponentResource {
    public readonly secretName = IN_CLUSTER_SECRET_NAME;

    constructor(name: string, args: InClusterSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        validateInClusterSecretArgs(args);
        super("pr-cybr:gitops:InClusterSecret", name, {}, opts);
        const { labels, annotations } = bridgeMetadata(args);
        new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: { name: IN_CLUSTER_SECRET_NAME, namespace: ARGOCD_NAMESPACE, labels, annotations },
                type: "Opaque",
                stringData: { name: IN_CLUSTER_SECRET_NAME, server: IN_CLUSTER, config: JSON.stringify({ tlsClientConfig: { insecure: false } }) },
            },
            { parent: this, dependsOn: opts?.dependsOn },
        );
        this.registerOutputs({});
    }
}
