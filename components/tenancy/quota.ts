import { formatQuantity, requireQuantity } from "../shared/quantity";

/** A tenant's quota as configured (per namespace). */
export interface TenantQuota {
    /** CPU requests, a quantity ("4", "1500m"). */
    readonly cpu: string | number;
    /** Memory requests, a quantity ("8Gi"). */
    readonly memory: string | number;
    readonly pods: number;
    /** Total PVC storage; none means no PVCs at all. */
    readonly storage?: string | number;
    readonly persistentVolumeClaims?: number;
    /**
     * Cloud load balancers allowed, of each kind: this many LoadBalancer Services (NLBs of the AWS Load
     * Balancer Controller with IP targets and `allocateLoadBalancerNodePorts: false`: tenants get no node
     * ports) and this many Ingresses (an ALB each: IngressGroups are refused), pr-cybr-tenant-load-balancers.
     */
    readonly loadBalancers?: number;
}

/** CPU limits may burst to this multiple of requests (CPU is compressible); memory limits may not. */
export const CPU_LIMIT_FACTOR = 2;
const GiB = 2 ** 30;
const MiB = 2 ** 20;

/** Whole cores as "4", fractions as millicores ("1500m"): how people write them. */
export const formatCpu = (cores: number) => formatQuantity(cores, "decimal");
/** Bytes in the API server's canonical spelling ("8Gi", "1536Mi", "1Ti"). */
export const formatMemory = (bytes: number) => formatQuantity(Math.ceil(bytes), "binary");

/**
 * ResourceQuota `hard`: requests and limits for CPU and memory, pods, storage and PVCs (zero unless
 * configured), load balancers (zero unless allowed) and no NodePorts (they bypass the ingress path).
 * A LoadBalancer Service counts its ports as node ports unless `allocateLoadBalancerNodePorts` is false
 * (kubernetes/kubernetes v1.35.4 pkg/quota/v1/evaluator/core/services.go), so node ports stay zero for
 * load balancers too and tenants' load balancers target pod IPs (see loadBalancerPolicySpec).
 */
export function resourceQuotaHard(q: TenantQuota): Record<string, string> {
    const cpu = requireQuantity(q.cpu);
    const memory = requireQuantity(q.memory);
    const storage = q.storage === undefined ? 0 : requireQuantity(q.storage);
    return {
        "requests.cpu": formatCpu(cpu),
        "limits.cpu": formatCpu(cpu * CPU_LIMIT_FACTOR),
        "requests.memory": formatMemory(memory),
        "limits.memory": formatMemory(memory),
        pods: String(q.pods),
        "requests.storage": formatMemory(storage),
        persistentvolumeclaims: String(storage === 0 ? 0 : (q.persistentVolumeClaims ?? 10)),
        "services.loadbalancers": String(q.loadBalancers ?? 0),
        // Every Ingress is an ALB of the controller (the only IngressClass): counted like a load balancer.
        "count/ingresses.networking.k8s.io": String(q.loadBalancers ?? 0),
        "services.nodeports": "0",
    };
}

/** Container defaults and ceilings; every default is clamped under the ceiling so the API accepts it. */
export const CONTAINER_DEFAULTS = { requestCpu: 0.1, requestMemory: 128 * MiB, limitCpu: 0.5, limitMemory: 512 * MiB, maxCpu: 4, maxMemory: 8 * GiB };

export interface LimitRangeItem {
    type: "Container" | "PersistentVolumeClaim";
    default?: Record<string, string>;
    defaultRequest?: Record<string, string>;
    max?: Record<string, string>;
}

/** LimitRange items: per-container default request/limit and maximum, and a PVC size cap. */
export function limitRangeLimits(q: TenantQuota): LimitRangeItem[] {
    const d = CONTAINER_DEFAULTS;
    const maxCpu = Math.min(d.maxCpu, requireQuantity(q.cpu) * CPU_LIMIT_FACTOR);
    const maxMemory = Math.min(d.maxMemory, requireQuantity(q.memory));
    const limitCpu = Math.min(d.limitCpu, maxCpu);
    const limitMemory = Math.min(d.limitMemory, maxMemory);
    const items: LimitRangeItem[] = [
        {
            type: "Container",
            default: { cpu: formatCpu(limitCpu), memory: formatMemory(limitMemory) },
            defaultRequest: { cpu: formatCpu(Math.min(d.requestCpu, limitCpu)), memory: formatMemory(Math.min(d.requestMemory, limitMemory)) },
            max: { cpu: formatCpu(maxCpu), memory: formatMemory(maxMemory) },
        },
    ];
    if (q.storage !== undefined) items.push({ type: "PersistentVolumeClaim", max: { storage: formatMemory(requireQuantity(q.storage)) } });
    return items;
}
