import { ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, kindOf, podSpecOf, WORKLOAD_KINDS } from "./lib/k8s";
import { Deferred } from "./lib/unknowns";

/** The pod spec of a workload the program creates, or undefined for anything else. */
function workload(args: ResourceValidationArgs): { kind: string; spec: Record<string, any>; label: string } | undefined {
    const kind = kindOf(args.type);
    if (!kind || !WORKLOAD_KINDS.includes(kind)) return undefined;
    const spec = podSpecOf(kind, args.props);
    return spec ? { kind, spec, label: `${kind} ${args.props.metadata?.name ?? args.name}` } : undefined;
}

/** Capabilities a container may add: Pod Security "restricted" allows only NET_BIND_SERVICE. */
const ALLOWED_ADDED_CAPABILITIES = ["NET_BIND_SERVICE"];

/** A capability as the runtime reads it: containerd and CRI-O upper-case it and add the CAP_ prefix, so "sys_admin" is CAP_SYS_ADMIN. */
const capability = (c: unknown) => String(c).toUpperCase().replace(/^CAP_/, "");

/** Why one container can leave its sandbox, in Pod Security's terms. */
function containerEscapes(c: Record<string, any>): string[] {
    const out: string[] = [];
    const sc = c.securityContext ?? {};
    if (sc.privileged === true) out.push(`container ${c.name} is privileged`);
    // allowPrivilegeEscalation defaults to true (no_new_privs unset): "AllowPrivilegeEscalation is true
    // always when the container is: 1) run as Privileged 2) has CAP_SYS_ADMIN" (k8s.io/api core/v1
    // types.go SecurityContext); Pod Security "restricted" requires it false (check_allowPrivilegeEscalation.go).
    if (sc.allowPrivilegeEscalation !== false) out.push(`container ${c.name} ${sc.allowPrivilegeEscalation === true ? "allows" : "does not forbid (unset means allowed)"} privilege escalation: set securityContext.allowPrivilegeEscalation: false`);
    const added = ((sc.capabilities?.add ?? []) as unknown[]).map(capability).filter((cap) => !ALLOWED_ADDED_CAPABILITIES.includes(cap));
    if (added.length > 0) out.push(`container ${c.name} adds capabilit${added.length > 1 ? "ies" : "y"} ${added.join(", ")} (only NET_BIND_SERVICE may be added)`);
    // Baseline: "Unmasked" procMount exposes the host's /proc paths the runtime masks (check_procMount.go).
    if (sc.procMount !== undefined && sc.procMount !== "Default") out.push(`container ${c.name} sets procMount ${sc.procMount} (only Default)`);
    const hostPorts = ((c.ports ?? []) as Record<string, unknown>[]).filter((p) => p.hostPort !== undefined && Number(p.hostPort) !== 0).map((p) => p.hostPort);
    if (hostPorts.length > 0) out.push(`container ${c.name} binds host port ${hostPorts.join(", ")}`);
    return out;
}

/**
 * Privileged containers, privilege escalation, added capabilities, host ports, host namespaces,
 * unmasked /proc and hostPath volumes break out of the pod onto a node every tenant shares. Checked as
 * the Pod Security Standards check them (kubernetes/kubernetes staging/src/k8s.io/pod-security-admission/policy/check_*.go, commit 422c8fc5 for check_allowPrivilegeEscalation.go and check_capabilities_restricted.go;
 * https://kubernetes.io/docs/concepts/security/pod-security-standards/): baseline's host namespaces,
 * privileged, capabilities, hostPath, host ports and procMount, and restricted's privilege escalation
 * and capabilities.
 */
export const k8sNoPrivilegedWorkloads: ResourceValidationPolicy = {
    name: "k8s-no-privileged-workloads",
    description:
        "Workloads the program creates run no privileged container, set allowPrivilegeEscalation: false on every container (unset means allowed), add no capability but NET_BIND_SERVICE, bind no host port, keep procMount Default, and use no host network, PID or IPC namespace and no hostPath volume.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const deferred = new Deferred();
        const w = workload(args);
        if (!w) return;
        const problems: string[] = [];
        for (const c of containersOf(w.spec)) deferred.run(() => problems.push(...containerEscapes(c)));
        for (const ns of ["hostNetwork", "hostPID", "hostIPC"]) deferred.run(() => w.spec[ns] === true && problems.push(`uses ${ns}`));
        for (const v of w.spec.volumes ?? []) deferred.run(() => v.hostPath && problems.push(`mounts hostPath ${v.hostPath.path} (volume ${v.name})`));
        if (problems.length > 0) reportViolation(`${w.label}: ${problems.join("; ")}.`);
        deferred.finish();
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

/**
 * Whether an image comes from a registry prefix: a prefix ending in "/" is a path, one that does not
 * ends at a path boundary, so "quay.io/cilium" admits quay.io/cilium/agent but not quay.io/cilium-evil/x.
 */
function fromRegistry(image: string, prefix: string): boolean {
    if (prefix.endsWith("/")) return image.startsWith(prefix);
    return image === prefix || image.startsWith(`${prefix}/`) || image.startsWith(`${prefix}:`) || image.startsWith(`${prefix}@`);
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
            if (!registries.some((r) => fromRegistry(image, r))) reportViolation(`${w.label}: container ${c.name} image "${image}" is not from an allowed registry (${registries.join(", ")}).`);
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
            else if (uid !== undefined && Number(uid) === 0) reportViolation(`${w.label}: container ${c.name} runs as UID 0.`);
        }
    },
};
