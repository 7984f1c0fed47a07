/**
 * The tenant personas. Cluster-admin is the platform team's alone (EksCluster); within a tenant:
 * admins run its namespaces, developers deploy into them, viewers read them. Each persona maps to the
 * built-in ClusterRole and the EKS access policy of the same reach, scoped to the tenant's namespaces.
 */
export const PERSONAS = ["admins", "developers", "viewers"] as const;
export type Persona = (typeof PERSONAS)[number];

export const PERSONA_ACCESS: Record<Persona, { clusterRole: string; eksAccessPolicy: string; argoActions: string[] }> = {
    admins: { clusterRole: "admin", eksAccessPolicy: "AmazonEKSAdminPolicy", argoActions: ["*"] },
    developers: { clusterRole: "edit", eksAccessPolicy: "AmazonEKSEditPolicy", argoActions: ["get", "sync", "action/*"] },
    viewers: { clusterRole: "view", eksAccessPolicy: "AmazonEKSViewPolicy", argoActions: ["get"] },
};

/** Every tenant persona group starts with this (and no platform group does). */
export const PERSONA_GROUP_PREFIX = "pr-cybr:";

/** The Kubernetes group an EKS access entry puts a tenant principal in: `pr-cybr:<tenant>:<persona>`. */
export function personaGroup(tenant: string, persona: Persona): string {
    return `${PERSONA_GROUP_PREFIX}${tenant}:${persona}`;
}

export function eksAccessPolicyArn(persona: Persona): string {
    return `arn:aws:eks::aws:cluster-access-policy/${PERSONA_ACCESS[persona].eksAccessPolicy}`;
}

/** Labels every tenant namespace carries: ownership, and Pod Security "restricted" in all three modes. */
export function namespaceLabels(tenant: string, environment: string): Record<string, string> {
    return {
        "pr-cybr.io/tenant": tenant,
        "pr-cybr.io/environment": environment,
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
    };
}

export const TENANT_LABEL = "pr-cybr.io/tenant";
