import { StackValidationPolicy } from "@pulumi/policy";
import { parseQuantity } from "./lib/quantities";
import { tenantQuotas, tenantTotal, unboundedIn, undecided } from "./lib/tenant-quotas";
import { Deferred } from "./lib/unknowns";

export interface ClusterCapacityConfig {
    /** vCPU and memory per instance type (the types node groups may use). */
    instanceCapacity: Record<string, { vcpu: number; memoryGiB: number }>;
    /** What each node keeps for the kubelet, system daemons, Cilium and the like. */
    systemReservePerNode: { cpu: string; memory: string };
    /** How far the sum of tenant requests may exceed allocatable capacity (1 = not at all). */
    overcommit: { cpu: number; memory: number };
    /** Taint keys that only keep pods off a node until it is ready (removed by their controller), so the node still counts. */
    startupTaints: string[];
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

/** Node group taint effects that keep pods without a toleration off a node (PREFER_NO_SCHEDULE only discourages). */
const REPELLING = ["NO_SCHEDULE", "NO_EXECUTE", "NoSchedule", "NoExecute"];

/**
 * Kubernetes admits quotas that add up to more than the cluster has ("first come, first served"); this
 * keeps the promises the quotas make: Σ what tenant quotas bind (lib/tenant-quotas.ts: `cpu` is
 * `requests.cpu`, the tightest quota per namespace) ≤ (Σ node groups' (smallest type − reserve) × minSize
 * + Σ NodePools' spec.limits) × overcommit, for CPU and memory. Node groups count at minSize because
 * nothing scales them (the autoscaler is Karpenter, which provisions its own nodes up to its limits). Only node groups tenant pods can schedule on count: a taint with
 * effect NoSchedule/NoExecute repels every pod that does not tolerate it (tenant pods carry no
 * tolerations), except startup taints their controller removes once the node is ready — Cilium's
 * `node.cilium.io/agent-not-ready`, which the agent lifts when it runs on the node (cilium/cilium
 * Documentation/installation/taints.rst, commit a9700377). A tenant whose quotas leave CPU or memory unbounded, or
 * tenants with no node capacity that counts, break the promise outright.
 */
export const tenantQuotasFitCluster: StackValidationPolicy = {
    name: "tenant-quotas-fit-cluster",
    description: "The sum of what all tenants' quotas bind for CPU and memory requests fits what tenant pods can schedule on (no repelling taint other than a startup taint): managed node groups at their minimum size (smallest instance type of each group, minus a per-node system reserve; nothing scales them) plus what the autoscaler may provision (Karpenter NodePools' spec.limits), times the overcommit factor in policy config.",
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
            startupTaints: { type: "array", items: { type: "string", minLength: 1 }, default: ["node.cilium.io/agent-not-ready"] },
        },
    },
    validateStack: (args, reportViolation) => {
        const cfg = args.getConfig<ClusterCapacityConfig>();
        const deferred = new Deferred();
        const tenants = [...tenantQuotas(args.resources, deferred).values()];
        if (tenants.length === 0) return deferred.finish();
        const reserveCpu = parseQuantity(cfg.systemReservePerNode.cpu) ?? 0;
        const reserveMemory = parseQuantity(cfg.systemReservePerNode.memory) ?? 0;
        let cpu = 0;
        let memory = 0;
        let capacityKnown = true;
        let counted = 0;
        const excluded: string[] = [];
        /** Taints that keep tenant pods off a node for good: repelling effects, except startup taints their controller lifts. */
        const repellingOf = (taints: unknown) => ((Array.isArray(taints) ? taints : []) as Record<string, string>[]).filter((t) => REPELLING.includes(t.effect) && !cfg.startupTaints.includes(t.key));
        for (const g of args.resources.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup")) {
            const done = deferred.run(() => {
                const label = String(g.props.nodeGroupName ?? g.name);
                const repelling = repellingOf(g.props.taints);
                if (repelling.length > 0) {
                    excluded.push(`${label} (taint ${repelling.map((t) => `${t.key}:${t.effect}`).join(", ")})`);
                    return true;
                }
                const types: string[] = g.props.instanceTypes ?? [];
                const unknown = types.filter((t) => !cfg.instanceCapacity[t]);
                if (unknown.length > 0 || types.length === 0) {
                    reportViolation(`node group ${label} uses ${unknown.join(", ") || "no instance type"}, with no known capacity: add it to instanceCapacity in policy config.`, g.urn);
                    capacityKnown = false;
                    return true;
                }
                // Nothing scales a managed node group (the autoscaler provisions its own nodes): it runs what it
                // was given and EKS keeps at least minSize, so minSize counts, never a maxSize nobody reaches.
                const size = Number(g.props.scalingConfig?.minSize ?? 0);
                cpu += size * (Math.min(...types.map((t) => cfg.instanceCapacity[t].vcpu)) - reserveCpu);
                memory += size * (Math.min(...types.map((t) => cfg.instanceCapacity[t].memoryGiB)) * GiB - reserveMemory);
                if (size > 0) counted++;
                return true;
            });
            if (!done) capacityKnown = false;
        }
        // Karpenter's NodePools (karpenter.sh/v1): what the autoscaler may provision is each pool's
        // spec.limits (it launches no node past them: karpenter-provider-aws docs/concepts/nodepools.md
        // "spec.limits"). A pool counts only if tenant pods can use its nodes: no repelling taint, no startup
        // taint that no known controller lifts, and an EC2NodeClass the plan defines.
        const nodeClasses = new Set(args.resources.filter((r) => r.type === "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass").map((r) => String(r.props.metadata?.name)));
        for (const p of args.resources.filter((r) => r.type === "kubernetes:karpenter.sh/v1:NodePool")) {
            const done = deferred.run(() => {
                const label = `NodePool ${String(p.props.metadata?.name ?? p.name)}`;
                const template = p.props.spec?.template?.spec ?? {};
                const repelling = [...repellingOf(template.taints), ...repellingOf(template.startupTaints)];
                if (repelling.length > 0) {
                    excluded.push(`${label} (taint ${repelling.map((t) => `${t.key}:${t.effect}`).join(", ")})`);
                    return true;
                }
                const classRef = template.nodeClassRef ?? {};
                if (classRef.kind !== "EC2NodeClass" || !nodeClasses.has(String(classRef.name))) {
                    excluded.push(`${label} (its EC2NodeClass ${String(classRef.name)} is not in the stack: it launches nothing)`);
                    return true;
                }
                const limits = p.props.spec?.limits ?? {};
                const [limitCpu, limitMemory] = [parseQuantity(limits.cpu ?? ""), parseQuantity(limits.memory ?? "")];
                if (limitCpu === undefined || limitMemory === undefined) {
                    reportViolation(`${label} has no ${limitCpu === undefined ? "cpu" : "memory"} limit: the autoscaler may provision without bound, so the capacity tenant quotas rely on cannot be counted. Set spec.limits.cpu and spec.limits.memory.`, p.urn);
                    capacityKnown = false;
                    return true;
                }
                cpu += limitCpu;
                memory += limitMemory;
                if (limitCpu > 0) counted++;
                return true;
            });
            if (!done) capacityKnown = false;
        }
        if (!capacityKnown) return deferred.finish();
        if (counted === 0) {
            reportViolation(
                `tenants ${tenants.map((t) => t.tenant).join(", ")} have quotas, but no node group or NodePool their pods can schedule on${excluded.length > 0 ? ` (${excluded.join("; ")})` : ""}: ` +
                    "the quotas promise capacity nobody provides. Add an untainted node group or NodePool, or list a taint its controller removes in startupTaints.",
            );
            return deferred.finish();
        }
        const requested = { cpu: 0, memory: 0 };
        const open = { cpu: false, memory: false }; // some tenant's bound undecided in this preview
        const byTenant = new Map<string, { cpu: number; memory: number }>();
        for (const t of tenants) {
            const own = { cpu: tenantTotal(t, "requests.cpu"), memory: tenantTotal(t, "requests.memory") };
            for (const [field, what] of [["cpu", "requests.cpu"], ["memory", "requests.memory"]] as const) {
                const unbounded = unboundedIn(t, what);
                if (unbounded.length > 0) reportViolation(`tenant ${t.tenant}: namespace ${unbounded.join(", ")} bounds no ${what} (cpu/memory alias included), so its ${field} requests are unlimited and cannot be fitted to the cluster: set hard["${what}"].`, t.urn);
                open[field] ||= undecided(t, what);
            }
            byTenant.set(t.tenant, own);
            requested.cpu += Number.isFinite(own.cpu) ? own.cpu : 0;
            requested.memory += Number.isFinite(own.memory) ? own.memory : 0;
        }
        const largest = (field: "cpu" | "memory") => [...byTenant.entries()].sort((a, b) => b[1][field] - a[1][field]).slice(0, 3).map(([t]) => t).join(", ");
        const cpuLimit = cpu * cfg.overcommit.cpu;
        const memoryLimit = memory * cfg.overcommit.memory;
        if (!open.cpu && requested.cpu > cpuLimit + 1e-9) {
            reportViolation(`tenant quotas request ${requested.cpu.toFixed(2)} CPUs in total, more than the node groups (at minSize) and NodePools (at their limits) offer (${cpuLimit.toFixed(2)} × overcommit ${cfg.overcommit.cpu}); largest: ${largest("cpu")}.`);
        }
        if (!open.memory && requested.memory > memoryLimit + 1) {
            reportViolation(`tenant quotas request ${(requested.memory / GiB).toFixed(1)}Gi of memory in total, more than the node groups (at minSize) and NodePools (at their limits) offer (${(memoryLimit / GiB).toFixed(1)}Gi × overcommit ${cfg.overcommit.memory}); largest: ${largest("memory")}.`);
        }
        deferred.finish();
    },
};
