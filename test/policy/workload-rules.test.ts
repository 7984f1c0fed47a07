import { k8sAllowedRegistries, k8sNoPrivilegedWorkloads, k8sResourcesRequired, k8sRunAsNonRoot } from "../../policy/rules";
import { runResource } from "./harness";

const good = {
    name: "web",
    image: "ghcr.io/pr-cybr/web:1.2.3",
    securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false },
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
};
const deployment = (containers: object[], podSpec: object = {}) => ({ metadata: { name: "web", namespace: "org-a" }, spec: { template: { spec: { containers, ...podSpec } } } });
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

describe("workload rules", () => {
    it("pass a well-formed Deployment, CronJob and Pod", async () => {
        for (const policy of [k8sNoPrivilegedWorkloads, k8sResourcesRequired, k8sAllowedRegistries, k8sRunAsNonRoot]) {
            expect((await runResource(policy, DEPLOYMENT, deployment([good]))).messages).toEqual([]);
            expect((await runResource(policy, "kubernetes:batch/v1:CronJob", { metadata: { name: "job" }, spec: { jobTemplate: { spec: { template: { spec: { containers: [good] } } } } } })).messages).toEqual([]);
            expect((await runResource(policy, "kubernetes:core/v1:Pod", { metadata: { name: "p" }, spec: { containers: [good] } })).messages).toEqual([]);
        }
    });

    it("ignore what is not a workload", async () => {
        for (const policy of [k8sNoPrivilegedWorkloads, k8sResourcesRequired, k8sAllowedRegistries, k8sRunAsNonRoot]) {
            expect((await runResource(policy, "kubernetes:core/v1:ConfigMap", { data: { a: "b" } })).messages).toEqual([]);
            expect((await runResource(policy, "aws:ec2/instance:Instance", {})).messages).toEqual([]);
        }
    });

    it("k8s-no-privileged-workloads names each escape", async () => {
        const out = await runResource(
            k8sNoPrivilegedWorkloads,
            DEPLOYMENT,
            deployment([{ ...good, securityContext: { privileged: true } }], { hostNetwork: true, hostPID: true, volumes: [{ name: "root", hostPath: { path: "/" } }] }),
        );
        expect(out.messages).toEqual([
            "Deployment web: container web is privileged; container web does not forbid (unset means allowed) privilege escalation: set securityContext.allowPrivilegeEscalation: false; uses hostNetwork; uses hostPID; mounts hostPath / (volume root).",
        ]);
    });

    it("k8s-resources-required names the missing fields per container, init containers included", async () => {
        const out = await runResource(k8sResourcesRequired, DEPLOYMENT, deployment([{ ...good, resources: { requests: { cpu: "1" } } }], { initContainers: [{ name: "init", image: good.image }] }));
        expect(out.messages).toEqual(["Deployment web: container web sets no requests.memory, limits.memory.", "Deployment web: container init sets no requests.cpu, requests.memory, limits.memory."]);
    });

    it("k8s-allowed-registries takes its registries from config", async () => {
        const hub = deployment([{ ...good, image: "nginx:latest" }]);
        expect((await runResource(k8sAllowedRegistries, DEPLOYMENT, hub)).messages[0]).toMatch(/^Deployment web: container web image "nginx:latest" is not from an allowed registry \(public\.ecr\.aws\//);
        expect((await runResource(k8sAllowedRegistries, DEPLOYMENT, hub, { config: { registries: ["nginx"] } })).messages).toEqual([]);
    });

    it("k8s-run-as-non-root accepts the pod-level setting and rejects UID 0", async () => {
        const podLevel = deployment([{ ...good, securityContext: {} }], { securityContext: { runAsNonRoot: true } });
        expect((await runResource(k8sRunAsNonRoot, DEPLOYMENT, podLevel)).messages).toEqual([]);
        const root = deployment([{ ...good, securityContext: { runAsNonRoot: true, runAsUser: 0 } }, { ...good, name: "side", securityContext: {} }]);
        expect((await runResource(k8sRunAsNonRoot, DEPLOYMENT, root)).messages).toEqual(["Deployment web: container web runs as UID 0.", "Deployment web: container side does not set runAsNonRoot: true."]);
    });
});
