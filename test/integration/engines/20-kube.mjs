// A real Kubernetes control plane on loopback: etcd, kube-apiserver and kube-controller-manager built
// from the Go module proxy (./kube, cached under ~/.cache/pr-cybr/ keyed by version and sources), with
// the admission plugins EKS enables, the Node+RBAC authorizers, impersonation for the admin, and the
// CRDs vendored under test/integration/crds installed and Established.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { daemon, freePort, isAlive, run, waitFor } from "../lib/engine-context.mjs";
import { installCrds, kubeRequest } from "../lib/kube-http.mjs";
import { issueCertificates } from "../lib/kube-pki.mjs";

export const name = "kube";
export const order = 20;

const MODULE_DIR = new URL("./kube/", import.meta.url).pathname;

/**
 * EKS platform versions: "the following admission controllers are enabled for all platform versions"
 * (https://docs.aws.amazon.com/eks/latest/userguide/platform-versions.html), plus
 * ValidatingAdmissionPolicy, which is on by default since Kubernetes 1.30 and which EKS does not turn off.
 */
export const EKS_ADMISSION_PLUGINS = [
    "NodeRestriction", "ExtendedResourceToleration", "NamespaceLifecycle", "LimitRanger", "ServiceAccount",
    "TaintNodesByCondition", "PodSecurity", "Priority", "DefaultTolerationSeconds", "DefaultStorageClass",
    "StorageObjectInUseProtection", "PersistentVolumeClaimResize", "RuntimeClass", "CertificateApproval",
    "CertificateSigning", "CertificateSubjectRestriction", "DefaultIngressClass", "MutatingAdmissionWebhook",
    "ValidatingAdmissionWebhook", "ValidatingAdmissionPolicy", "ResourceQuota",
];

/** EKS's default service CIDR when none is given (aws eks create-cluster --kubernetes-network-config). */
const SERVICE_CIDR = "10.100.0.0/16";

function kubernetesVersion() {
    const mod = readFileSync(join(MODULE_DIR, "go.mod"), "utf8");
    const k8s = /^\s*(?:require )?k8s\.io\/kubernetes (v\S+)/m.exec(mod);
    const sum = readFileSync(join(MODULE_DIR, "go.sum"), "utf8");
    const etcd = /go\.etcd\.io\/etcd\/server\/v3 (v[^\s/]+) h1:/.exec(sum);
    return { kubernetes: k8s[1], etcd: etcd?.[1] ?? "unknown" };
}

function sourcesHash() {
    const h = createHash("sha256");
    const walk = (dir) => {
        for (const entry of readdirSync(dir).sort()) {
            const full = join(dir, entry);
            if (statSync(full).isDirectory()) walk(full);
            else h.update(relative(MODULE_DIR, full)).update(readFileSync(full));
        }
    };
    walk(MODULE_DIR);
    return h.digest("hex").slice(0, 12);
}

/** Builds (once per version and source hash) and returns the directory holding the three binaries. */
function binaries(ctx) {
    const { kubernetes } = kubernetesVersion();
    const dir = join(ctx.cache, `kube-${kubernetes}-${sourcesHash()}`);
    const names = ["etcd", "kube-apiserver", "kube-controller-manager"];
    if (names.every((n) => existsSync(join(dir, n)))) return dir;
    ctx.log(`building kube-apiserver, kube-controller-manager and etcd ${kubernetes} into ${dir} (a few minutes, once)`);
    mkdirSync(dir, { recursive: true });
    run("go", ["build", "-trimpath", "-o", `${dir}/`, "./cmd/..."], { cwd: MODULE_DIR, env: { ...process.env, GOFLAGS: "-mod=readonly -buildvcs=false", CGO_ENABLED: "0" }, stdio: ["ignore", "inherit", "inherit"] });
    return dir;
}

function kubeconfig(server, pki, user) {
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: integration",
        "  cluster:",
        `    server: ${server}`,
        `    certificate-authority: ${pki.caCert}`,
        "users:",
        `- name: ${user.name}`,
        "  user:",
        `    client-certificate: ${user.cert}`,
        `    client-key: ${user.key}`,
        "contexts:",
        "- name: integration",
        "  context:",
        "    cluster: integration",
        `    user: ${user.name}`,
        "current-context: integration",
        "",
    ].join("\n");
}

export async function up(ctx) {
    const bin = binaries(ctx);
    const versions = kubernetesVersion();
    const base = join(ctx.dir, "kube");
    rmSync(base, { recursive: true, force: true }); // a fresh control plane each time it is (re)started
    mkdirSync(base, { recursive: true });
    const pki = issueCertificates(join(base, "pki"));
    const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];

    const etcd = daemon(ctx, "etcd", join(bin, "etcd"), [join(base, "etcd-data"), `http://127.0.0.1:${etcdClient}`, `http://127.0.0.1:${etcdPeer}`]);
    await waitFor("etcd", async () => (await fetch(`http://127.0.0.1:${etcdClient}/health`)).ok, { logFile: etcd.logFile, timeoutMs: 60000 });

    const server = `https://127.0.0.1:${apiPort}`;
    const apiserver = daemon(ctx, "kube-apiserver", join(bin, "kube-apiserver"), [
        `--etcd-servers=http://127.0.0.1:${etcdClient}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--secure-port=${apiPort}`,
        `--tls-cert-file=${pki.servingCert}`,
        `--tls-private-key-file=${pki.servingKey}`,
        `--client-ca-file=${pki.caCert}`,
        `--service-account-key-file=${pki.saPub}`,
        `--service-account-signing-key-file=${pki.saKey}`,
        "--service-account-issuer=https://kubernetes.default.svc",
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        "--authorization-mode=Node,RBAC",
        `--enable-admission-plugins=${EKS_ADMISSION_PLUGINS.join(",")}`,
        "--allow-privileged=true",
        "--profiling=false",
        "--v=1",
    ]);
    const admin = { name: "admin", cert: pki.adminCert, key: pki.adminKey };
    const adminKubeconfig = join(base, "admin.kubeconfig");
    writeFileSync(adminKubeconfig, kubeconfig(server, pki, admin));
    const conn = { server, ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey };
    await waitFor("kube-apiserver", async () => (await kubeRequest(conn, "GET", "/readyz")).status === 200, { logFile: apiserver.logFile, timeoutMs: 180000 });

    const kcmKubeconfig = join(base, "controller-manager.kubeconfig");
    writeFileSync(kcmKubeconfig, kubeconfig(server, pki, { name: "kcm", cert: pki.kcmCert, key: pki.kcmKey }));
    const kcm = daemon(ctx, "kube-controller-manager", join(bin, "kube-controller-manager"), [
        `--kubeconfig=${kcmKubeconfig}`,
        `--authentication-kubeconfig=${kcmKubeconfig}`,
        `--authorization-kubeconfig=${kcmKubeconfig}`,
        "--bind-address=127.0.0.1",
        `--secure-port=${await freePort()}`,
        "--leader-elect=false",
        `--service-account-private-key-file=${pki.saKey}`,
        `--root-ca-file=${pki.caCert}`,
        "--use-service-account-credentials=true",
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        "--v=1",
    ]);
    // The aggregation controller fills the built-in `admin` role: a sign that the controllers run.
    await waitFor("kube-controller-manager (ClusterRole aggregation)", async () => {
        const r = await kubeRequest(conn, "GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/admin");
        return r.status === 200 && (r.json.rules ?? []).length > 0;
    }, { logFile: kcm.logFile, timeoutMs: 120000 });

    // The CiliumNetworkPolicy CRD is the public copy the schema tests use (test/fixtures/schemas, from
    // ../shared/data); the rest are vendored with their provenance under test/integration/crds.
    const crds = await installCrds(conn, [join(ctx.root, "test", "integration", "crds"), join(ctx.root, "test", "fixtures", "schemas", "cilium-ciliumnetworkpolicies.crd.yaml")]);
    ctx.log(`kube: ${crds} CRDs established`);
    return {
        env: { KUBECONFIG: adminKubeconfig },
        versions: { "kube-apiserver": versions.kubernetes, "kube-controller-manager": versions.kubernetes, etcd: versions.etcd },
        pids: [kcm.pid, apiserver.pid, etcd.pid],
        server,
        pki,
        crds,
        admissionPlugins: EKS_ADMISSION_PLUGINS,
    };
}

export async function healthy(_ctx, recorded) {
    if (!(recorded.pids ?? []).every(isAlive)) return false;
    try {
        const r = await kubeRequest({ server: recorded.server, ca: recorded.pki.caCert, cert: recorded.pki.adminCert, key: recorded.pki.adminKey }, "GET", "/readyz");
        return r.status === 200;
    } catch {
        return false;
    }
}

export async function down() {
    // The process groups are stopped by env.mjs (stopRecorded); etcd's data goes with .integration/kube.
}
