// cert-manager and external-dns (components/addons): values the charts' own schemas accept, the
// ClusterIssuer and the DNS settings that keep records DNS-only in the one zone, tokens that never
// reach the plan, and the plans holding both with their pinned versions.
import { ACME_SERVERS, CERT_MANAGER_CHART, certManagerSpec, certManagerValues, clusterIssuerSpec, EXTERNAL_DNS_CHART, externalDnsSpec, externalDnsValues, validateCertManagerArgs, validateExternalDnsArgs } from "../components/addons";
import { isUnder, tenantDomain } from "../components/shared/hostnames";
import { hostnamePolicySpec } from "../components/tenancy";
import { parseStackConfig } from "../stacks/config";
import { withEdit } from "./helpers/config";
import { chartFixture, schemaErrors } from "./helpers/schema";
import { exactlyOne, PlanRes as Res, planOf } from "./helpers/plan-file";

const schema = (file: string) => JSON.parse(chartFixture(file));

describe("cert-manager", () => {
    const s = schema("cert-manager-v1.21.1.values.schema.json");
    it("sets values its chart's schema accepts (additionalProperties: false throughout), and the schema refuses a typo", () => {
        expect(schemaErrors(s, certManagerValues({ replicas: 2 }))).toEqual([]);
        expect(schemaErrors(s, { ...certManagerValues({ replicas: 1 }), crds: { enable: true } })).not.toEqual([]);
        expect(schemaErrors(s, { ...certManagerValues({ replicas: 1 }), installCRD: true })).not.toEqual([]);
    });
    it("installs and keeps the CRDs, HA with disruption budgets when replicated", () => {
        expect(certManagerValues({ replicas: 2 })).toMatchObject({ crds: { enabled: true, keep: true }, replicaCount: 2, podDisruptionBudget: { enabled: true }, webhook: { replicaCount: 2 } });
        expect(certManagerValues({ replicas: 1 }).podDisruptionBudget).toEqual({ enabled: false });
    });
    it("issues by DNS-01 through Cloudflare for the zone only, its token by reference", () => {
        const spec = clusterIssuerSpec({ zoneName: "pr-cybr.example", acmeEmail: "a@b.example", server: ACME_SERVERS.production }) as any;
        expect(spec.acme.server).toBe("https://acme-v02.api.letsencrypt.org/directory");
        expect(spec.acme.solvers).toEqual([{ selector: { dnsZones: ["pr-cybr.example"] }, dns01: { cloudflare: { apiTokenSecretRef: { name: "cloudflare-dns-token", key: "api-token" } } } }]);
    });
    it("has no AWS identity and does not wait for CoreDNS (off a fresh up's critical path); refuses unknown versions and bad args", () => {
        expect(certManagerSpec(CERT_MANAGER_CHART.version)).toMatchObject({ podIdentity: [], needs: ["pod-network", "nodes"] });
        const ok = { kubernetesVersion: "1.35", zoneName: "pr-cybr.example", acmeEmail: "a@b.example", cloudflareTokenSecretId: "x" };
        expect(() => validateCertManagerArgs(ok)).not.toThrow();
        expect(() => validateCertManagerArgs({ ...ok, chartVersion: "v1.20.0" })).toThrow(/chartVersion: "v1.20.0" is not a chart version whose compatibility is known/);
        expect(() => validateCertManagerArgs({ ...ok, kubernetesVersion: "1.32" })).toThrow(/not published for Kubernetes 1.32/);
        expect(() => validateCertManagerArgs({ ...ok, zoneName: "Zone.", acmeEmail: "nobody" })).toThrow(/zoneName: "Zone." is not a DNS name[\s\S]*acmeEmail: "nobody" is not an email address/);
    });
});

describe("external-dns", () => {
    const s = schema("external-dns-1.21.1.values.schema.json");
    const values = externalDnsValues({ zoneName: "pr-cybr.example", zoneId: "f".repeat(32), ownerId: "pr-cybr-prod" });
    it("sets values its chart's schema accepts, and the schema refuses a bad policy", () => {
        expect(schemaErrors(s, values)).toEqual([]);
        expect(schemaErrors(s, { ...values, policy: "delete-all" })).not.toEqual([]);
    });
    it("writes DNS-only records in the one zone, owns only what it creates, and reads its token from a Secret", () => {
        expect(values).toMatchObject({ provider: { name: "cloudflare" }, domainFilters: ["pr-cybr.example"], policy: "sync", registry: "txt", txtOwnerId: "pr-cybr-prod", sources: ["service", "ingress"] });
        expect(values.extraArgs).toEqual([`--zone-id-filter=${"f".repeat(32)}`]);
        expect(JSON.stringify(values)).not.toContain("cloudflare-proxied");
        expect(values.env).toEqual([{ name: "CF_API_TOKEN", valueFrom: { secretKeyRef: { name: "cloudflare-dns-token", key: "api-token" } } }]);
    });
    it("has no AWS identity; refuses unknown versions and a bad zone id", () => {
        expect(externalDnsSpec(EXTERNAL_DNS_CHART.version).podIdentity).toEqual([]);
        const ok = { kubernetesVersion: "1.35", zoneName: "pr-cybr.example", zoneId: "f".repeat(32), ownerId: "c", cloudflareTokenSecretId: "x" };
        expect(() => validateExternalDnsArgs(ok)).not.toThrow();
        expect(() => validateExternalDnsArgs({ ...ok, chartVersion: "1.20.0", zoneId: "abc" })).toThrow(/chartVersion: "1.20.0"[\s\S]*zoneId: "abc" is not a Cloudflare zone id/);
    });
});

describe("tenant hostnames", () => {
    it("gives each tenant one label under apps.<zone>, so no tenant's domain is a suffix of another's", () => {
        expect(tenantDomain("org-a", "pr-cybr.example")).toBe("org-a.apps.pr-cybr.example");
        expect(isUnder("web.org-a.apps.pr-cybr.example", tenantDomain("org-a", "pr-cybr.example"))).toBe(true);
        expect(isUnder("evil-org-a.apps.pr-cybr.example", tenantDomain("org-a", "pr-cybr.example"))).toBe(false);
    });
    it("builds the policy's domain from the namespace's tenant label and the zone", () => {
        const spec = hostnamePolicySpec("pr-cybr.example") as any;
        expect(spec.variables[0]).toEqual({ name: "domain", expression: "namespaceObject.metadata.labels['pr-cybr.io/tenant'] + '.apps.pr-cybr.example'" });
        expect(spec.failurePolicy).toBe("Fail");
    });
});

describe("TLS and DNS config", () => {
    it("is on in dev and prod with the pinned charts, Let's Encrypt production", () => {
        for (const stack of ["dev", "prod"] as const) {
            const { config } = parseStackConfig(withEdit(stack, () => undefined));
            expect(config!.addons.certManager).toEqual({ enabled: true, version: "v1.21.1", acmeServer: "production" });
            expect(config!.addons.externalDns).toEqual({ enabled: true, version: "1.21.1" });
        }
    });
    it("names the config path of a UI hostname outside the zone, and of a missing zone", () => {
        const outside = parseStackConfig(withEdit("dev", (raw) => ((raw.gitops as any).hostname = "argocd.elsewhere.example")));
        expect(outside.problems).toEqual([expect.objectContaining({ path: "gitops.hostname", message: expect.stringContaining("is not in the zone dev.pr-cybr.example") })]);
        const noZone = parseStackConfig(withEdit("dev", (raw) => { delete (raw.cloudflare as any).zoneName; (raw.edge as any).nodes = []; }));
        expect(noZone.problems).toEqual(expect.arrayContaining([expect.objectContaining({ path: "cloudflare.zoneName", message: expect.stringContaining("is missing (addons.certManager") })]));
    });
});

describe.each(["dev", "prod"] as const)("the %s plan's TLS and DNS", (stack) => {
    const plan = planOf(stack);
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const one = (type: string, pred?: (r: Res) => boolean) => exactlyOne(plan, type, pred);
    it("holds cert-manager and external-dns at their pinned versions, each Cloudflare token only as a secret", () => {
        const cm = one("kubernetes:helm.sh/v3:Release", (r) => r.inputs.chart === "cert-manager");
        const dns = one("kubernetes:helm.sh/v3:Release", (r) => r.inputs.chart === "external-dns");
        expect([cm.inputs.version, cm.inputs.repositoryOpts.repo, dns.inputs.version, dns.inputs.repositoryOpts.repo]).toEqual(["v1.21.1", "https://charts.jetstack.io", "1.21.1", "https://kubernetes-sigs.github.io/external-dns"]);
        expect(plan.outputs.addons).toMatchObject({ "cert-manager": "v1.21.1", "external-dns": "1.21.1" });
        for (const ns of ["cert-manager", "external-dns"]) {
            const secret = one("kubernetes:core/v1:Secret", (r) => r.inputs.metadata.namespace === ns && r.inputs.metadata.name === "cloudflare-dns-token");
            expect(secret.inputs.stringData).toBe("[secret]");
        }
        expect(JSON.stringify(plan)).not.toMatch(/sm-[A-Za-z0-9]{40}/);
    });
    it("creates the ClusterIssuer after the release, and Argo CD's certificate for its hostname after the issuer", () => {
        const issuer = one("kubernetes:cert-manager.io/v1:ClusterIssuer", () => true);
        expect(issuer.dependsOn.map((u) => byUrn.get(u)!.inputs.chart).filter(Boolean)).toEqual(["cert-manager"]);
        const cert = one("kubernetes:cert-manager.io/v1:Certificate", (r) => r.inputs.metadata.name === "argocd-server-tls");
        const argo = one("kubernetes:helm.sh/v3:Release", (r) => r.inputs.chart === "argo-cd");
        expect(cert.inputs.spec.dnsNames).toEqual([argo.inputs.values.global.domain]);
        expect(cert.dependsOn).toContain(issuer.urn);
        // Argo CD itself does not wait for cert-manager: it starts on its self-signed certificate.
        expect(argo.dependsOn.some((u) => /cert-manager/.test(u))).toBe(false);
    });
    it("serves Argo CD on an NLB of the controller with TLS passthrough, named by external-dns, not insecure, and the release never waits for it", () => {
        const argo = one("kubernetes:helm.sh/v3:Release", (r) => r.inputs.chart === "argo-cd");
        const v = argo.inputs.values;
        expect(v.configs.params["server.insecure"]).toBe(false);
        // The chart's Service stays ClusterIP: Helm's --wait would wait for a load balancer's address.
        expect(v.server.service).toBeUndefined();
        const svc = one("kubernetes:core/v1:Service", (r) => r.inputs.metadata.name === "argocd-server-nlb");
        expect(svc.inputs.spec).toEqual({ type: "LoadBalancer", loadBalancerClass: "service.k8s.aws/nlb", selector: { "app.kubernetes.io/name": "argocd-server", "app.kubernetes.io/instance": "argocd" }, ports: [{ name: "https", port: 443, targetPort: 8080, protocol: "TCP" }] });
        expect(svc.inputs.metadata.annotations).toEqual({
            "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
            "external-dns.alpha.kubernetes.io/hostname": v.global.domain,
            "pulumi.com/skipAwait": "true",
        });
        const lbc = one("kubernetes:helm.sh/v3:Release", (r) => r.inputs.chart === "aws-load-balancer-controller");
        expect(svc.dependsOn).toContain(lbc.urn);
        expect(argo.dependsOn).not.toContain(lbc.urn);
    });
});
