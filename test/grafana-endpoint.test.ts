// Grafana at https://<gitops.grafanaHostname> (components/gitops/grafana-endpoint.ts): an ACM certificate
// validated through a Cloudflare CNAME, on the TLS listener of the load balancer controller's NLB in
// front of Grafana's HTTP port, Grafana told its public URL, in the dev and prod plans; the config that
// turns it on and what it refuses.
import { GRAFANA_TLS_POLICY, grafanaServerIni, validateGrafanaEndpointArgs, validationRecord } from "../components/gitops";
import { parseStackConfig } from "../stacks/config";
import { withEdit } from "./helpers/config";
import { platformUnderMocks } from "./helpers/platform";
import { exactlyOne, PlanRes as Res, planOf } from "./helpers/plan-file";

const HOSTS = { dev: "grafana.dev.pr-cybr.example", prod: "grafana.pr-cybr.example" };

describe("Grafana's endpoint, pure parts", () => {
    it("writes ACM's validation CNAME without the trailing dots ACM returns (Cloudflare stores neither)", () => {
        // The shape DescribeCertificate returns (ACM API reference, ResourceRecord; its example name).
        const option = { resourceRecordName: "_a79865eb4cd1a6ab990a45779b4e0b96.grafana.pr-cybr.example.", resourceRecordType: "CNAME", resourceRecordValue: "_424c7224e9b0146f9a8808af955727d0.hkmpvcwbzw.acm-validations.aws." };
        expect(validationRecord(option)).toEqual({ name: "_a79865eb4cd1a6ab990a45779b4e0b96.grafana.pr-cybr.example", type: "CNAME", content: "_424c7224e9b0146f9a8808af955727d0.hkmpvcwbzw.acm-validations.aws" });
    });
    it("tells Grafana its https root URL on its hostname, cookies over TLS only", () => {
        expect(grafanaServerIni("grafana.pr-cybr.example")).toEqual({ server: { domain: "grafana.pr-cybr.example", root_url: "https://grafana.pr-cybr.example/" }, security: { cookie_secure: true } });
    });
    it("refuses a hostname ACM would refuse (trailing dot, uppercase) and a bad zone id", () => {
        const ok = { hostname: "grafana.pr-cybr.example", zoneId: "f".repeat(32), scheme: "internal" as const, namespace: undefined as any, loadBalancerReady: [] };
        expect(() => validateGrafanaEndpointArgs(ok)).not.toThrow();
        expect(() => validateGrafanaEndpointArgs({ ...ok, hostname: "grafana.pr-cybr.example." })).toThrow(/hostname: "grafana.pr-cybr.example." is not a lowercase hostname/);
        expect(() => validateGrafanaEndpointArgs({ ...ok, hostname: "Grafana.pr-cybr.example", zoneId: "zone" })).toThrow(/hostname: "Grafana[\s\S]*zoneId: "zone" is not a Cloudflare zone id/);
    });
});

describe("Grafana config", () => {
    it("is served in dev and prod by default", () => {
        for (const stack of ["dev", "prod"] as const) expect(parseStackConfig(withEdit(stack, () => undefined)).config!.gitops.serveGrafana).toBe(true);
    });
    it("names gitops.serveGrafana when the load balancer controller or external-dns is off, and says how to fix it", () => {
        const noLbc = parseStackConfig(withEdit("dev", (raw) => ((raw.addons as any).loadBalancerController = { enabled: false })));
        expect(noLbc.problems).toEqual(expect.arrayContaining([{ path: "gitops.serveGrafana", message: expect.stringMatching(/needs addons.loadBalancerController.enabled .*set gitops.serveGrafana: false/) }]));
        const noDns = parseStackConfig(withEdit("prod", (raw) => ((raw.addons as any).externalDns = { enabled: false })));
        expect(noDns.problems).toEqual(expect.arrayContaining([{ path: "gitops.serveGrafana", message: expect.stringContaining("needs addons.externalDns.enabled (it publishes grafana.pr-cybr.example)") }]));
        const notBool = parseStackConfig(withEdit("dev", (raw) => ((raw.gitops as any).serveGrafana = "yes")));
        expect(notBool.problems).toEqual([expect.objectContaining({ path: "gitops.serveGrafana", message: expect.stringContaining("is not true or false") })]);
    });
    it("with serveGrafana false the plan holds no certificate, record or load balancer, and the chart keeps its grafana.ini", async () => {
        const config = parseStackConfig(
            withEdit("dev", (raw) => {
                (raw.gitops as any).serveGrafana = false;
                delete (raw.gitops as any).grafanaSso;
            }),
        ).config!;
        const { harness } = await platformUnderMocks("dev", config);
        expect(harness.ofType("aws:acm/certificate:Certificate")).toEqual([]);
        expect(harness.ofType("kubernetes:core/v1:Service").filter((r) => (r.inputs as any).metadata.name === "grafana-nlb")).toEqual([]);
        const app = harness.ofType("kubernetes:argoproj.io/v1alpha1:Application").find((r) => (r.inputs as any).metadata.name === "kube-prometheus-stack")!;
        expect((app.inputs as any).spec.source.helm.valuesObject.grafana["grafana.ini"]).toBeUndefined();
    });
});

describe.each(["dev", "prod"] as const)("the %s plan's Grafana endpoint", (stack) => {
    const plan = planOf(stack);
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const one = (type: string, pred?: (r: Res) => boolean) => exactlyOne(plan, type, pred);
    const host = HOSTS[stack];
    const cert = one("aws:acm/certificate:Certificate");
    const record = one("cloudflare:index/dnsRecord:DnsRecord", (r) => r.name.endsWith("-grafana-validation-record"));
    const validation = one("aws:acm/certificateValidation:CertificateValidation");
    const svc = one("kubernetes:core/v1:Service", (r) => r.inputs.metadata.name === "grafana-nlb");

    it("requests a DNS-validated ACM certificate for the hostname alone", () => {
        expect(cert.inputs).toEqual({ domainName: host, validationMethod: "DNS", keyAlgorithm: "RSA_2048", tags: { Name: host, component: "gitops" } });
    });
    it("validates it with a DNS-only CNAME in the environment's zone, and waits for issuance after the record", () => {
        const zoneId = stack === "dev" ? "0123456789abcdef0123456789abcdef" : "fedcba9876543210fedcba9876543210";
        expect(record.inputs).toMatchObject({ zoneId, type: "CNAME", proxied: false, ttl: 300 });
        expect(record.inputs.name).toMatch(new RegExp(`^_[0-9a-f]{32}\\.${host.replace(/\./g, "\\.")}$`));
        expect(record.inputs.content).toMatch(/^_[0-9a-f]{32}\.[0-9a-z]+\.acm-validations\.aws$/);
        expect(record.dependsOn).toContain(cert.urn);
        expect(validation.inputs).toEqual({ certificateArn: expect.stringMatching(/^arn:aws:acm:us-east-1:\d{12}:certificate\//), validationRecordFqdns: [record.inputs.name] });
        expect(validation.dependsOn).toEqual(expect.arrayContaining([cert.urn, record.urn]));
    });
    it("serves it on a TLS listener of an NLB of the controller, to Grafana's HTTP port on pod IPs, named by external-dns", () => {
        expect(svc.inputs.metadata).toEqual({
            name: "grafana-nlb",
            namespace: "monitoring",
            annotations: {
                "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
                "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
                "external-dns.alpha.kubernetes.io/hostname": host,
                "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": validation.inputs.certificateArn,
                "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "443",
                "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy": GRAFANA_TLS_POLICY,
                "service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol": "http",
                "service.beta.kubernetes.io/aws-load-balancer-healthcheck-path": "/api/health",
                "pulumi.com/skipAwait": "true",
            },
        });
        expect(svc.inputs.spec).toEqual({
            type: "LoadBalancer",
            loadBalancerClass: "service.k8s.aws/nlb",
            selector: { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "kube-prometheus-stack" },
            ports: [{ name: "https", port: 443, targetPort: "grafana", protocol: "TCP" }],
        });
    });
    it("builds the listener only with an issued certificate and a running controller; nothing else waits for it", () => {
        const lbc = one("kubernetes:helm.sh/v3:Release", (r) => r.inputs.chart === "aws-load-balancer-controller");
        const monitoring = one("kubernetes:core/v1:Namespace", (r) => r.inputs.metadata.name === "monitoring");
        expect(svc.dependsOn).toEqual(expect.arrayContaining([validation.urn, lbc.urn, monitoring.urn]));
        const waiting = plan.resources.filter((r) => r.dependsOn.includes(svc.urn) || r.dependsOn.includes(validation.urn)).map((r) => r.name);
        expect(waiting).toEqual([svc.name]);
        expect(byUrn.get(cert.urn)!.dependsOn).toEqual([]);
    });
    it("tells Grafana (kube-prometheus-stack's values) its public https URL, the name the certificate carries", () => {
        const app = one("kubernetes:argoproj.io/v1alpha1:Application", (r) => r.inputs.metadata.name === "kube-prometheus-stack");
        const grafana = app.inputs.spec.source.helm.valuesObject.grafana;
        expect(grafana["grafana.ini"]).toMatchObject({ server: { domain: host, root_url: `https://${host}/` }, security: { cookie_secure: true } });
        expect(grafana.admin).toEqual({ existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
    });
});

describe("Grafana's SSO config", () => {
    it("derives a Keycloak realm's endpoints and lets only gitops.sso.adminGroups in", async () => {
        const { grafanaSsoOf } = await import("../stacks/addons");
        const config = parseStackConfig(withEdit("prod", () => undefined)).config!;
        expect(grafanaSsoOf(config)).toEqual({
            clientId: "grafana-prod",
            clientSecretId: "pr-cybr/prod/monitoring/grafana-oidc-client-secret",
            authUrl: "https://sso.pr-cybr.example/realms/platform/protocol/openid-connect/auth",
            tokenUrl: "https://sso.pr-cybr.example/realms/platform/protocol/openid-connect/token",
            apiUrl: "https://sso.pr-cybr.example/realms/platform/protocol/openid-connect/userinfo",
            adminGroups: ["platform-team"],
        });
    });
    it("asks for the endpoints of an issuer that is no Keycloak realm, naming each path", () => {
        const other = parseStackConfig(withEdit("dev", (raw) => ((raw.gitops as any).sso.issuerUrl = "https://login.example.com/oauth2/default")));
        expect(other.problems!.map((p) => p.path)).toEqual(["gitops.grafanaSso.apiUrl", "gitops.grafanaSso.authUrl", "gitops.grafanaSso.tokenUrl"]);
        expect(other.problems![0].message).toContain("is not a Keycloak realm");
        const given = parseStackConfig(
            withEdit("dev", (raw) => {
                (raw.gitops as any).sso.issuerUrl = "https://login.example.com/oauth2/default";
                Object.assign((raw.gitops as any).grafanaSso, { authUrl: "https://login.example.com/oauth2/default/v1/authorize", tokenUrl: "https://login.example.com/oauth2/default/v1/token", apiUrl: "https://login.example.com/oauth2/default/v1/userinfo" });
            }),
        );
        expect(given.problems ?? []).toEqual([]);
        expect(given.config).toBeDefined();
    });
    it("needs gitops.sso and a served Grafana, and says how to fix it", () => {
        const noSso = parseStackConfig(withEdit("dev", (raw) => delete (raw.gitops as any).sso));
        expect(noSso.problems).toEqual(expect.arrayContaining([{ path: "gitops.grafanaSso", message: expect.stringContaining("needs gitops.sso") }]));
        const unserved = parseStackConfig(withEdit("dev", (raw) => ((raw.gitops as any).serveGrafana = false)));
        expect(unserved.problems).toEqual([{ path: "gitops.grafanaSso", message: expect.stringContaining("needs gitops.serveGrafana") }]);
    });
    it("puts the client secret in a Secret Grafana reads from its environment, never in the values", () => {
        const plan = planOf("prod");
        const secret = plan.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === "grafana-oidc")!;
        expect(secret.inputs.metadata.namespace).toBe("monitoring");
        expect(JSON.stringify(secret.inputs.stringData)).not.toMatch(/client-secret":"[^[]/);
        const app = plan.resources.find((r) => r.type === "kubernetes:argoproj.io/v1alpha1:Application" && r.inputs.metadata.name === "kube-prometheus-stack")!;
        const grafana = app.inputs.spec.source.helm.valuesObject.grafana;
        expect(grafana.envValueFrom).toEqual({ GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET: { secretKeyRef: { name: "grafana-oidc", key: "client-secret" } } });
        expect(grafana["grafana.ini"]["auth.generic_oauth"]).not.toHaveProperty("client_secret");
        expect(app.dependsOn).toContain(secret.urn);
    });
});
