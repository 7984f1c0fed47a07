/**
 * Containers that look unprivileged but can leave their sandbox, read as Pod Security reads them
 * (kubernetes/kubernetes staging/src/k8s.io/pod-security-admission/policy/check_*.go).
 */
// Rule modules, not the index: the index loads @pulumi/aws (seconds per test file) for rules these cases do not run.
import { k8sNoPrivilegedWorkloads } from "../../policy/rules/k8s-workloads";
import { runResource } from "./harness";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const safe = { allowPrivilegeEscalation: false, runAsNonRoot: true };
const container = (securityContext: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ name: "app", image: "ghcr.io/pr-cybr/app:1", securityContext, ...extra });
const deployment = (containers: object[], podSpec: object = {}) => ({ metadata: { name: "web" }, spec: { template: { spec: { containers, ...podSpec } } } });
const check = async (containers: object[], podSpec: object = {}) => (await runResource(k8sNoPrivilegedWorkloads, DEPLOYMENT, deployment(containers, podSpec))).messages;

describe("k8s-no-privileged-workloads: intent", () => {
    it("fails SYS_ADMIN added with allowPrivilegeEscalation unset (unset means allowed)", async () => {
        expect(await check([container({ runAsNonRoot: true, capabilities: { add: ["SYS_ADMIN"] } })])).toEqual([
            "Deployment web: container app does not forbid (unset means allowed) privilege escalation: set securityContext.allowPrivilegeEscalation: false; container app adds capability SYS_ADMIN (only NET_BIND_SERVICE may be added).",
        ]);
    });

    it("reads capabilities as the runtime does: lower case, the CAP_ prefix and ALL are the same escapes", async () => {
        expect(await check([container({ ...safe, capabilities: { add: ["cap_sys_admin", "net_raw", "ALL"] } })])).toEqual([
            "Deployment web: container app adds capabilities SYS_ADMIN, NET_RAW, ALL (only NET_BIND_SERVICE may be added).",
        ]);
        expect(await check([container({ ...safe, capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] } })])).toEqual([]);
    });

    it("fails an init or ephemeral container that escapes while the main container is clean", async () => {
        const out = await runResource(k8sNoPrivilegedWorkloads, DEPLOYMENT, deployment([container(safe)], { initContainers: [container({ allowPrivilegeEscalation: true }, { name: "init" })] }));
        expect(out.messages).toEqual(["Deployment web: container init allows privilege escalation: set securityContext.allowPrivilegeEscalation: false."]);
    });

    it("fails host ports (also as a string) but not hostPort 0, and procMount Unmasked", async () => {
        expect(await check([container(safe, { ports: [{ containerPort: 8080, hostPort: "8080" }, { containerPort: 9090, hostPort: 0 }] })])).toEqual(["Deployment web: container app binds host port 8080."]);
        expect(await check([container({ ...safe, procMount: "Unmasked" })])).toEqual(["Deployment web: container app sets procMount Unmasked (only Default)."]);
        expect(await check([container({ ...safe, procMount: "Default" })])).toEqual([]);
    });

    it("fails host IPC and a ReplicationController, which is a workload too", async () => {
        expect(await check([container(safe)], { hostIPC: true })).toEqual(["Deployment web: uses hostIPC."]);
        const rc = await runResource(k8sNoPrivilegedWorkloads, "kubernetes:core/v1:ReplicationController", { metadata: { name: "rc" }, spec: { template: { spec: { containers: [container({})] } } } });
        expect(rc.messages).toEqual(["ReplicationController rc: container app does not forbid (unset means allowed) privilege escalation: set securityContext.allowPrivilegeEscalation: false."]);
    });
});
