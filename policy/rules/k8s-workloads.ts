import { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, kindOf, podSpecOf, WORKLOAD_KINDS } from "./lib/k8s";

/** The pod spec of a workload the program creates, or undefined for anything else. */
function workload(args: ResourceValidationArgs): { kind: string; spec: Record<string, any>; label: string } | undefined {
    const kind = kindOf(args.type);
    if (!kind || !WORKLOAD_KINDS.includes(kind)) return undefined;
    const spec = podSpecOf(kind, args.props);
    return spec ? { kind, spec, label: `${kind} ${args.props.metadata?.name ?? args.name}` } : undefined;
}

/** Privileged containers and host namespaces or paths break out of the pod: the node is shared by every tenant. */
export const k8sNoPrivilegedWorkloads: ResourceValidationPolicy = {
    name: "k8s-no-privileged-workloads",
    description: "Workloads the program creates run no privileged or privilege-escalating container and use no host network, PID or IPC namespace and no hostPath volume.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const w = workload(args);
        if (!w) return;
        const problems: string[] = [];
        for (const c of containersOf(w.spec)) {
            if (c.securityContext?.privileged === true) problems.push(`container ${c.name} is privileged`);
            if (c.securityContext?.allowPrivilegeEscalation === true) problems.push(`container ${c.name} allows privilege escalation`);
        }
        for (const ns of ["hostNetwork", "hostPID", "hostIPC"]) if (w.spec[ns] === true) problems.push(`uses ${ns}`);
        for (const v of w.spec.volumes ?? []) if (v.hostPath) problems.push(`mounts hostPath ${v.hostPath.path} (volume ${v.name})`);
        if (problems.length > 0) reportViolation(`${w.label}: ${problems.join("; ")}.`);
    },
};

/** Without requests the scheduler and the quota cannot account for a pod; without a memory limit one leak evicts its neighbours. */
export const k8sResourcesRequired: ResourceValidationPolicy = {
    name: "k8s-resources-required",
    description: "Every container of a workload the program creates sets cpu and memory requests and a memory limit.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const w = workload(args);
        if (!w) return;
        for (const c of containersOf(w.spec)) {
            const missing = [
                ...(c.resources?.requests?.cpu === undefined ? ["requests.cpu"] : []),
                ...(c.resources?.requests?.memory === undefined ? ["requests.memory"] : []),
                ...(c.resources?.limits?.memory === undefined ? ["limits.memory"] : []),
            ];
            if (missing.length > 0) reportViolation(`${w.label}: container ${c.name} sets no ${missing.join(", ")}.`);
        }
    },
};

export interface AllowedRegistriesConfig {
    /** Image prefixes allowed (registry host and optional path), e.g. "quay.io/cilium/". */
    registries: string[];
}

/** Images from anywhere are supply-chain risk; only registries the platform mirrors or trusts are allowed. */
export const k8sAllowedRegistries: ResourceValidationPolicy = {
    name: "k8s-allowed-registries",
    description: "Every container image of a workload the program creates comes from a registry prefix listed in policy config.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            registries: {
                type: "array",
                items: { type: "string", minLength: 3 },
                minItems: 1,
                default: ["public.ecr.aws/", "quay.io/cilium/", "quay.io/argoproj/", "quay.io/prometheus/", "registry.k8s.io/", "ghcr.io/pr-cybr/"],
            },
        },
    },
    validateResource: (args, reportViolation) => {
        const w = workload(args);
        if (!w) return;
        const { registries } = args.getConfig<AllowedRegistriesConfig>();
        for (const c of containersOf(w.spec)) {
            const image = String(c.image ?? "");
            if (!registries.some((r) => image.startsWith(r))) reportViolation(`${w.label}: container ${c.name} image "${image}" is not from an allowed registry (${registries.join(", ")}).`);
        }
    },
};

/** A container running as root turns any escape into root on the node. */
export const k8sRunAsNonRoot: ResourceValidationPolicy = {
    name: "k8s-run-as-non-root",
    description: "Workloads the program creates set runAsNonRoot (on the pod or on every container) and no container runs as UID 0.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const w = workload(args);
        if (!w) return;
        const podNonRoot = w.spec.securityContext?.runAsNonRoot === true;
        for (const c of containersOf(w.spec)) {
            const nonRoot = c.securityContext?.runAsNonRoot ?? podNonRoot;
            const uid = c.securityContext?.runAsUser ?? w.spec.securityContext?.runAsUser;
            if (nonRoot !== true) reportViolation(`${w.label}: container ${c.name} does not set runAsNonRoot: true.`);
            else if (uid === 0) reportViolation(`${w.label}: container ${c.name} runs as UID 0.`);
        }
    },
};
