import { StackValidationPolicy } from "@pulumi/policy";
import { objectsOfKind, tenantNamespaces } from "./lib/k8s";
import { parseQuantity, quotaNumbers } from "./lib/quantities";

export interface ClusterCapacityConfig {
    /** vCPU and memory per instance type (the types node groups may use). */
    instanceCapacity: Record<string, { vcpu: number; memoryGiB: number }>;
    /** What each node keeps for the kubelet, system daemons, Cilium and the like. */
    systemReservePerNode: { cpu: string; memory: string };
    /** How far the sum of tenant requests may exceed allocatable capacity (1 = not at all). */
    overcommit: { cpu: number; memory: number };
}

/** Types in use or likely next to them; anything else must be added to policy config. */
export const DEFAULT_INSTANCE_CAPACITY: Record<string, { vcpu: number; memoryGiB: number }> = {
    "t4g.medium": { vcpu: 2, memoryGiB: 4 },
    "m6g.large": { vcpu: 2, memoryGiB: 8 },
    "m7g.large": { vcpu: 2, memoryGiB: 8 },
    "m7g.xlarge": { vcpu: 4, memoryGiB: 16 },
    "m6g.2xlarge": { vcpu: 8, memoryGiB: 32 },
    "m7g.2xlarge": { vcpu: 8, memoryGiB: 32 },
    "m6i.2xlarge": { vcpu: 8, memoryGiB: 32 },
    "m7i.large": { vcpu: 2, memoryGiB: 8 },
    "m7i.2xlarge": { vcpu: 8, memoryGiB: 32 },
    "c7g.2xlarge": { vcpu: 8, memoryGiB: 16 },
    "r7g.2xlarge": { vcpu: 8, memoryGiB: 64 },
};

const GiB = 2 ** 30;

/**
 * Kubernetes admits quotas that add up to more than the cluster has ("first come, first served"); this
 * keeps the promises the quotas make: Σ tenant requests ≤ Σ node groups' (smallest type × maxSize −
 * reserve) × overcommit, for CPU and memory.
 */
export const tenantQuotasFitCluster: StackValidationPolicy = {
    name: "tenant-quotas-fit-cluster",
    description: "The sum of all tenants' requested CPU and memory fits what the node groups can offer at their maximum size (smallest instance type of each group, minus a per-node system reserve), times the overcommit factor in policy config.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            instanceCapacity: {
                type: "object",
                additionalProperties: { type: "object", properties: { vcpu: { type: "number", minimum: 1 }, memoryGiB: { type: "number", minimum: 1 } }, required: ["vcpu", "memoryGiB"] },
                default: DEFAULT_INSTANCE_CAPACITY,
            },
            systemReservePerNode: {
                type: "object",
                properties: { cpu: { type: "string" }, memory: { type: "string" } },
                required: ["cpu", "memory"],
                default: { cpu: "500m", memory: "1536Mi" },
            },
            overcommit: {
                type: "object",
                properties: { cpu: { type: "number", minimum: 0.1, maximum: 10 }, memory: { type: "number", minimum: 0.1, maximum: 10 } },
                required: ["cpu", "memory"],
                default: { cpu: 1, memory: 1 },
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const cfg = args.getConfig<ClusterCapacityConfig>();
        const groups = args.resources.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup");
        if (groups.length === 0) return;
        const reserveCpu = parseQuantity(cfg.systemReservePerNode.cpu) ?? 0;
        const reserveMemory = parseQuantity(cfg.systemReservePerNode.memory) ?? 0;
        let cpu = 0;
        let memory = 0;
        for (const g of groups) {
            const types: string[] = g.props.instanceTypes ?? [];
            const unknown = types.filter((t) => !cfg.instanceCapacity[t]);
            if (unknown.length > 0 || types.length === 0) {
                reportViolation(`node group ${g.props.nodeGroupName ?? g.name} uses ${unknown.join(", ") || "no instance type"}, with no known capacity: add it to instanceCapacity in policy config.`, g.urn);
                return;
            }
            const max = Number(g.props.scalingConfig?.maxSize ?? 0);
            cpu += max * (Math.min(...types.map((t) => cfg.instanceCapacity[t].vcpu)) - reserveCpu);
            memory += max * (Math.min(...types.map((t) => cfg.instanceCapacity[t].memoryGiB)) * GiB - reserveMemory);
        }
        const namespaces = tenantNamespaces(args.resources);
        let requestedCpu = 0;
        let requestedMemory = 0;
        const byTenant = new Map<string, { cpu: number; memory: number }>();
        for (const q of objectsOfKind(args.resources, "ResourceQuota")) {
            const owner = q.namespace ? namespaces.get(q.namespace) : undefined;
            if (!owner) continue;
            const n = quotaNumbers(q.spec.hard);
            const t = byTenant.get(owner.tenant) ?? { cpu: 0, memory: 0 };
            t.cpu += n["requests.cpu"] ?? 0;
            t.memory += n["requests.memory"] ?? 0;
            byTenant.set(owner.tenant, t);
            requestedCpu += n["requests.cpu"] ?? 0;
            requestedMemory += n["requests.memory"] ?? 0;
        }
        const largest = (field: "cpu" | "memory") => [...byTenant.entries()].sort((a, b) => b[1][field] - a[1][field]).slice(0, 3).map(([t]) => t).join(", ");
        const cpuLimit = cpu * cfg.overcommit.cpu;
        const memoryLimit = memory * cfg.overcommit.memory;
        if (requestedCpu > cpuLimit + 1e-9) {
            reportViolation(`tenant quotas request ${requestedCpu.toFixed(2)} CPUs in total, more than the node groups offer (${cpuLimit.toFixed(2)} at max size × overcommit ${cfg.overcommit.cpu}); largest: ${largest("cpu")}.`);
        }
        if (requestedMemory > memoryLimit + 1) {
            reportViolation(`tenant quotas request ${(requestedMemory / GiB).toFixed(1)}Gi of memory in total, more than the node groups offer (${(memoryLimit / GiB).toFixed(1)}Gi at max size × overcommit ${cfg.overcommit.memory}); largest: ${largest("memory")}.`);
        }
    },
};
