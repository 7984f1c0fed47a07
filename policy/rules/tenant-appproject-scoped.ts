import { StackValidationPolicy } from "@pulumi/policy";
import { objectsOfKind, TENANT_LABEL, tenantNamespaces } from "./lib/k8s";

const IN_CLUSTER = "https://kubernetes.default.svc";

/**
 * Argo CD's controller can do almost anything in the cluster; the AppProject is what confines a
 * tenant's GitOps to its own namespaces and keeps it off cluster-scoped objects.
 */
export const tenantAppProjectScoped: StackValidationPolicy = {
    name: "tenant-appproject-scoped",
    description: "Every tenant AppProject (labelled pr-cybr.io/tenant) deploys only to that tenant's namespaces on this cluster (no wildcard), allows no cluster-scoped resources, and names the tenant's source repositories explicitly.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const namespaces = tenantNamespaces(args.resources);
        for (const project of objectsOfKind(args.resources, "AppProject")) {
            const tenant = project.labels[TENANT_LABEL];
            if (!tenant) continue;
            const problems: string[] = [];
            for (const d of (project.spec.destinations ?? []) as Record<string, string>[]) {
                if (d.server !== IN_CLUSTER && d.name !== "in-cluster") problems.push(`targets cluster ${d.server ?? d.name}`);
                if (!d.namespace || d.namespace.includes("*")) problems.push(`targets namespace pattern "${d.namespace ?? ""}"`);
                else if (namespaces.get(d.namespace)?.tenant !== tenant) problems.push(`targets namespace ${d.namespace}, which is not ${tenant}'s`);
            }
            const whitelist = (project.spec.clusterResourceWhitelist ?? []) as unknown[];
            if (whitelist.length > 0) problems.push(`allows cluster-scoped resources (${JSON.stringify(whitelist)})`);
            const repos = (project.spec.sourceRepos ?? []) as string[];
            if (repos.some((r) => r.includes("*"))) problems.push(`allows source repositories by pattern (${repos.filter((r) => r.includes("*")).join(", ")})`);
            if (problems.length > 0) reportViolation(`tenant ${tenant}: AppProject ${project.name} ${problems.join("; ")}.`, project.resource.urn);
        }
    },
};
