// What EKS Pod Identity asks STS when it hands a role to a pod, and the trust claims every Pod Identity
// role of the platform makes: only this account's one cluster, and only for the one service account its
// association names. EKS tags the session with the pod's namespace and service account (EKS user guide,
// https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html), which the trust checks as
// `aws:RequestTag/...`; an association with `disableSessionTags` sends none.
import { Claim, request } from "./claims";
import { resourcesOfType } from "./plans";
import { RoleModel, World } from "./world";

const POD_ID_DOC = "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html";
const ABAC_DOC = "https://docs.aws.amazon.com/eks/latest/userguide/pod-id-abac.html";

export interface PodSession {
    namespace?: string;
    serviceAccount?: string;
    sourceArn?: string;
    sourceAccount?: string;
}

/** The request EKS Auth makes to assume `role` for a pod (no namespace: no session tags). */
export function podIdentityRequest(world: World, role: RoleModel, action: string, clusterArn: string, pod: PodSession) {
    const tags: Record<string, string | string[]> =
        pod.namespace === undefined
            ? {}
            : { "aws:RequestTag/kubernetes-namespace": pod.namespace, "aws:RequestTag/kubernetes-service-account": pod.serviceAccount ?? "default", "aws:TagKeys": ["kubernetes-namespace", "kubernetes-service-account"] };
    return {
        principal: "pods.eks.amazonaws.com",
        action,
        resource: role.arn,
        resourceAccount: world.account,
        resourcePolicy: role.trust,
        context: { "aws:SourceAccount": pod.sourceAccount ?? world.account, "aws:SourceArn": pod.sourceArn ?? clusterArn, ...tags },
    };
}

/**
 * The service accounts the plan associates with `role`: Pod Identity associations, and those an EKS
 * add-on creates (CreateAddon's podIdentityAssociations, in the add-on's namespace: kube-system for the
 * add-ons here, none of which sets another).
 */
export function associationsOf(world: World, role: RoleModel): { namespace: string; serviceAccount: string }[] {
    const out = resourcesOfType(world.plan, "aws:eks/podIdentityAssociation:PodIdentityAssociation")
        .filter((a) => a.inputs.roleArn === role.arn)
        .map((a) => ({ namespace: String(a.inputs.namespace), serviceAccount: String(a.inputs.serviceAccount) }));
    for (const addon of resourcesOfType(world.plan, "aws:eks/addon:Addon")) {
        for (const a of (addon.inputs.podIdentityAssociations ?? []) as { roleArn: string; serviceAccount: string }[]) {
            if (a.roleArn === role.arn) out.push({ namespace: "kube-system", serviceAccount: a.serviceAccount });
        }
    }
    return out;
}

/**
 * `label`'s role is assumed by Pod Identity of this cluster for the one service account the plan
 * associates with it, and for nothing else.
 */
export function podIdentityTrustClaims(world: World, args: { label: string; role: RoleModel; clusterArn: string }): Claim[] {
    const env = world.plan.stack;
    const { label, role, clusterArn } = args;
    const associations = associationsOf(world, role);
    if (associations.length !== 1) throw new Error(`${env}: ${label} (${role.arn}) has ${associations.length} Pod Identity associations in the plan, want 1`);
    const [{ namespace, serviceAccount }] = associations;
    const own = { namespace, serviceAccount };
    const assume = (action: string, pod: PodSession) => () => podIdentityRequest(world, role, action, clusterArn, pod);
    return [
        ...["sts:AssumeRole", "sts:TagSession"].map((action) => request(`${env}: Pod Identity of this cluster may ${action} ${label} for ${namespace}/${serviceAccount}`, POD_ID_DOC, "Allowed", assume(action, own))),
        request(`${env}: Pod Identity of another cluster cannot assume ${label}`, POD_ID_DOC, "Denied", assume("sts:AssumeRole", { ...own, sourceArn: world.arn("eks", "cluster/someone-else") })),
        request(`${env}: Pod Identity acting for another account cannot assume ${label}`, POD_ID_DOC, "Denied", assume("sts:AssumeRole", { ...own, sourceAccount: "210987654321" })),
        request(`${env}: Pod Identity cannot assume ${label} for another service account of ${namespace}`, ABAC_DOC, "Denied", assume("sts:AssumeRole", { namespace, serviceAccount: "default" })),
        request(`${env}: Pod Identity cannot assume ${label} for a service account named ${serviceAccount} in a tenant namespace`, ABAC_DOC, "Denied", assume("sts:AssumeRole", { namespace: "org-a", serviceAccount })),
        request(`${env}: Pod Identity cannot tag a session of ${label} for another service account`, ABAC_DOC, "Denied", assume("sts:TagSession", { namespace: "org-a", serviceAccount: "api" })),
        request(`${env}: Pod Identity without session tags cannot assume ${label}`, ABAC_DOC, "Denied", assume("sts:AssumeRole", {})),
    ];
}
