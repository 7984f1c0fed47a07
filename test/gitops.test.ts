import * as fs from "fs";
import * as path from "path";
import { appNameOf, argocdValues, NOTIFICATION_TRIGGERS, repoCredsData, tenantApplicationSetSpec, validateArgoCdArgs } from "../components/gitops";
import { MockHarness, SecretValue } from "./mocks";
import { platformUnderMocks, stackConfig } from "./helpers/platform";

type Obj = Record<string, any>;
const sso = { issuerUrl: "https://sso.example.com/realms/p", clientId: "argocd", adminGroups: ["platform-team"] };

describe("argocdValues", () => {
    it("runs every component twice with redis-ha and anti-affinity when HA, once without", () => {
        const ha = argocdValues({ hostname: "argocd.example.com", ha: true, defaultRole: "readonly", sso, slack: true }) as Obj;
        for (const c of ["controller", "server", "repoServer", "applicationSet"]) expect(ha[c].replicas).toBe(2);
        expect(ha["redis-ha"]).toEqual({ enabled: true });
        expect(ha.global.affinity).toEqual({ podAntiAffinity: "hard" });
        const single = argocdValues({ hostname: "argocd.example.com", ha: false, defaultRole: "readonly", slack: false }) as Obj;
        for (const c of ["controller", "server", "repoServer", "applicationSet"]) expect(single[c].replicas).toBe(1);
        expect(single["redis-ha"]).toEqual({ enabled: false });
    });

    it("uses SSO with the client secret referenced from a Secret, maps SSO groups to roles, read-only only on request", () => {
        const v = argocdValues({ hostname: "argocd.example.com", ha: false, defaultRole: "readonly", sso, slack: true }) as Obj;
        expect(v.configs.cm["admin.enabled"]).toBe(false);
        expect(v.configs.cm["oidc.config"]).toContain("clientSecret: $argocd-oidc:clientSecret");
        expect(v.configs.cm["application.sync.impersonation.enabled"]).toBe(true);
        expect(v.configs.rbac).toEqual({ "policy.default": "role:readonly", "policy.csv": "g, platform-team, role:admin", scopes: "[groups]" });
        expect((argocdValues({ hostname: "a.example.com", ha: false, defaultRole: "none", slack: false }) as Obj).configs.rbac["policy.default"]).toBe("");
    });

    it("notifies Slack on sync failure, degraded health and deployment, with the webhook URL read from a Secret", () => {
        const v = argocdValues({ hostname: "argocd.example.com", ha: false, defaultRole: "readonly", slack: true }) as Obj;
        expect(v.notifications.notifiers["service.webhook.slack"]).toContain("url: $slack-webhook-url");
        expect(v.notifications.secret).toEqual({ create: false });
        expect(Object.keys(v.notifications.triggers)).toEqual(["trigger.on-sync-failed", "trigger.on-health-degraded", "trigger.on-deployed"]);
        expect(v.notifications.subscriptions).toEqual([{ recipients: ["slack"], triggers: Object.keys(NOTIFICATION_TRIGGERS) }]);
    });
});

describe("repoCredsData", () => {
    it("gives Argo CD the keys it reads for https and ssh, and names the secret (never its value) when the value is malformed", () => {
        expect(repoCredsData({ url: "https://g.example/org/", secretId: "s" }, '{"username":"u","password":"p"}')).toEqual({ type: "git", url: "https://g.example/org/", username: "u", password: "p" });
        const key = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
        expect(repoCredsData({ url: "git@g.example:org/", secretId: "s" }, key)).toEqual({ type: "git", url: "git@g.example:org/", sshPrivateKey: key });
        expect(() => repoCredsData({ url: "https://g.example/org/", secretId: "pr/git" }, "ghp_token")).toThrow(
            'gitops.repoCredentials: secret pr/git is not JSON with string "username" and "password" (store {"username": "<user>", "password": "<token>"} for https://g.example/org/)',
        );
        expect(() => repoCredsData({ url: "ssh://g.example/org/", secretId: "pr/key" }, "ghp_token")).toThrow("gitops.repoCredentials: secret pr/key is not a PEM private key (store the deploy key for ssh://g.example/org/)");
    });
});

describe("tenant ApplicationSet", () => {
    it("generates one app per tenant repository, in the tenant's project and namespace", () => {
        const spec = tenantApplicationSetSpec({ environment: "prod", repos: [{ tenant: "org-a", app: "org-a-apps", repoURL: "https://g/x/org-a-apps.git", namespace: "org-a" }] }) as Obj;
        expect(spec.generators[0].list.elements).toHaveLength(1);
        expect(spec.template.spec).toMatchObject({ project: "{{.tenant}}", destination: { namespace: "{{.namespace}}" }, source: { path: "envs/prod" } });
        expect(appNameOf("git@github.com:pr-cybr/Org_A.Apps.git")).toBe("org-a-apps");
    });

    it("rejects two repositories that would generate one app name", () => {
        expect(() =>
            validateArgoCdArgs({
                environment: "dev",
                hostname: "argocd.example.com",
                repoUrl: "https://g/p.git",
                path: "envs/dev",
                tenantRepos: [
                    { tenant: "org-a", app: "apps", repoURL: "https://a/apps.git", namespace: "org-a" },
                    { tenant: "org-a", app: "apps", repoURL: "https://b/apps.git", namespace: "org-a" },
                ],
            }),
        ).toThrow('tenantRepos[1]: app name "org-a-apps" is generated twice (two repositories with one name in one tenant: rename one)');
    });
});

describe.each(["dev", "prod"] as const)("Argo CD in %s", (stack) => {
    let harness: MockHarness;
    const config = stackConfig(stack);
    beforeAll(async () => ({ harness } = await platformUnderMocks(stack, config)));

    const release = () => harness.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "argo-cd")!;

    it(`installs the pinned chart ${stack === "prod" ? "in HA" : "with single replicas"}, not waiting for CoreDNS (its pods wait at run time)`, () => {
        const values = release().inputs.values as Obj;
        expect(values.server.replicas).toBe(stack === "prod" ? 2 : 1);
        expect(values["redis-ha"].enabled).toBe(stack === "prod");
        expect(release().inputs.version).toBe(config.gitops.chartVersion);
        const namespace = harness.get("kubernetes:core/v1:Namespace", `pr-cybr-${stack}-argocd-ns`);
        expect(namespace.dependsOn).not.toContain(harness.ofType("aws:eks/addon:Addon").find((a) => a.inputs.addonName === "coredns")!.urn);
    });

    it("keeps every secret out of Helm values: they reach Secrets, which are masked in the plan", () => {
        const values = JSON.stringify(release().inputs.values);
        for (const secret of harness.generatedSecrets) expect(values).not.toContain(secret);
        for (const r of harness.ofType("kubernetes:core/v1:Secret")) expect(r.inputs.stringData?.constructor.name).toBe("SecretValue");
        const fetched = harness.invokes.filter((i) => i.token === "aws:secretsmanager/getSecretVersion:getSecretVersion").map((i) => i.inputs.secretId);
        expect(fetched).toEqual(expect.arrayContaining([config.gitops.sso!.clientSecretId, config.gitops.notifications!.slackWebhookSecretId]));
    });

    it("creates the root app-of-apps in the platform project, the tenant ApplicationSet and monitoring", () => {
        const crs = harness.recorder.list().filter((r) => r.type.startsWith("kubernetes:argoproj.io/"));
        const root = crs.find((r) => (r.inputs.metadata as Obj).name === "platform-root")!;
        expect(root.inputs.spec).toMatchObject({ project: "platform", source: { repoURL: config.gitops.repoUrl, path: config.gitops.path } });
        const appSet = crs.find((r) => (r.inputs.metadata as Obj).name === "tenant-apps")!;
        const elements = (appSet.inputs.spec as Obj).generators[0].list.elements;
        expect(elements).toHaveLength(config.tenants.reduce((n, t) => n + t.repos.length, 0));
        const monitoring = crs.find((r) => (r.inputs.metadata as Obj).name === "kube-prometheus-stack")!;
        expect((monitoring.inputs.spec as Obj).source.helm.valuesObject.prometheus.prometheusSpec).toMatchObject({ serviceMonitorSelectorNilUsesHelmValues: false, ruleSelectorNilUsesHelmValues: false });
        for (const cr of crs) expect(cr.dependsOn).toContain(release().urn);
    });

    it("generates each tenant repository's app into the namespace the repository names", () => {
        const appSet = harness.recorder.list().find((r) => r.inputs.kind === "ApplicationSet")!.inputs.spec as Obj;
        const elements = appSet.generators[0].list.elements as Obj[];
        for (const t of config.tenants) {
            for (const r of t.repos) expect(elements.filter((e) => e.tenant === t.name && e.repoURL === r.url).map((e) => e.namespace)).toEqual([r.namespace ?? t.name]);
        }
        if (stack === "prod") expect(elements.find((e) => e.repoURL.endsWith("/org-a-data.git"))).toMatchObject({ namespace: "org-a-data", app: "data-org-a-data" });
    });

    it("fetches private tenant repositories with a credential template whose secret comes from Secrets Manager", () => {
        // Argo CD v3.3.8 declarative-setup.md "Repository Credentials": a Secret in Argo CD's namespace
        // labelled argocd.argoproj.io/secret-type: repo-creds, with type, url (a prefix of the repository
        // URL, longest wins) and username/password (https) or sshPrivateKey (ssh).
        const templates = harness
            .ofType("kubernetes:core/v1:Secret")
            .filter((r) => (r.inputs.metadata as Obj).namespace === "argocd" && (r.inputs.metadata as Obj).labels?.["argocd.argoproj.io/secret-type"] === "repo-creds")
            .map((r) => (r.inputs.stringData as SecretValue).value as Obj);
        const repos = config.tenants.flatMap((t) => t.repos.map((r) => r.url));
        expect(repos.length).toBeGreaterThan(0);
        for (const url of repos) {
            const best = templates.filter((t) => url.startsWith(t.url)).sort((a, b) => b.url.length - a.url.length)[0];
            expect([url, best && Object.keys(best).sort(), best?.type]).toEqual([url, ["password", "type", "url", "username"], "git"]);
        }
        const fetched = harness.invokes.filter((i) => i.token === "aws:secretsmanager/getSecretVersion:getSecretVersion").map((i) => i.inputs.secretId);
        expect(fetched).toEqual(expect.arrayContaining(config.gitops.repoCredentials.map((c) => c.secretId)));
    });

    it("monitors nothing EKS hides or Cilium replaces: the controller manager, scheduler, etcd and kube-proxy are off", () => {
        // kube-prometheus-stack 81.6.2 values.yaml enables all four; each one's ServiceMonitor and alert
        // rules render only with `<component>.enabled` (templates/prometheus/rules-1.14). On EKS none has a
        // reachable endpoint and kube-proxy does not run, so their "...Down" alerts would fire forever.
        const crs = harness.recorder.list().filter((r) => r.type.startsWith("kubernetes:argoproj.io/"));
        const values = (crs.find((r) => (r.inputs.metadata as Obj).name === "kube-prometheus-stack")!.inputs.spec as Obj).source.helm.valuesObject;
        for (const component of ["kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy"]) expect([component, values[component]?.enabled]).toEqual([component, false]);
    });

    it("grants a signed-in user no access of its own; each tenant's project roles grant its apps and logs", () => {
        // Argo CD v3.3.8 docs/operator-manual/rbac.md: every authenticated user gets at least
        // policy.default, and no deny rule takes it away; role:readonly (assets/builtin-policy.csv) is
        // `applications, get, */*` and `logs, get, */*`, i.e. every tenant's apps and pod logs.
        const rbac = (release().inputs.values as Obj).configs.rbac;
        expect(rbac["policy.default"]).toBe("");
        expect(rbac["policy.csv"]).not.toMatch(/role:readonly|, \*\/\*,/);
        // What project roles may grant (pkg/apis/application/v1alpha1/types.go validatePolicy): a
        // project-scoped resource on `<project>/...` objects. Since 3.0 logs need their own `logs, get`.
        const projects = harness.recorder.list().filter((r) => r.inputs.kind === "AppProject" && r.inputs.metadata && (r.inputs.metadata as Obj).name !== "platform");
        expect(projects).toHaveLength(config.tenants.length);
        for (const p of projects) {
            const name = (p.inputs.metadata as Obj).name as string;
            for (const role of (p.inputs.spec as Obj).roles as Obj[]) {
                const rules = (role.policies as string[]).map((line) => line.split(",").map((f) => f.trim()));
                for (const [kind, subject, resource, , object, effect] of rules) {
                    expect([kind, subject, ["applications", "applicationsets", "logs", "exec", "repositories", "clusters"].includes(resource), object.startsWith(`${name}/`), effect]).toEqual(["p", `proj:${name}:${role.name}`, true, true, "allow"]);
                }
                const grants = rules.map(([, , resource, action]) => `${resource}:${action}`);
                expect([role.name, grants]).toEqual([role.name, expect.arrayContaining([expect.stringMatching(/^applications:(get|\*)$/), "logs:get"])]);
            }
        }
    });

    it("gives every app's destination a service account to sync as, as Argo CD requires with impersonation on", () => {
        // argoproj/argo-cd v3.3.8 controller/sync.go deriveServiceAccountToImpersonate: the first
        // destinationServiceAccounts entry whose server and namespace globs match, else the sync fails.
        const crs = harness.recorder.list().filter((r) => r.type.startsWith("kubernetes:argoproj.io/"));
        const project = (name: string) => crs.find((r) => r.inputs.kind === "AppProject" && (r.inputs.metadata as Obj).name === name)!.inputs.spec as Obj;
        const glob = (pattern: string, value: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`).test(value);
        const impersonated = (projectName: string, dest: Obj) => project(projectName).destinationServiceAccounts?.find((d: Obj) => glob(d.server, dest.server) && glob(d.namespace, dest.namespace))?.defaultServiceAccount;
        const apps = crs.filter((r) => r.inputs.kind === "Application").map((r) => r.inputs.spec as Obj);
        const appSet = crs.find((r) => r.inputs.kind === "ApplicationSet")!.inputs.spec as Obj;
        const generated = appSet.generators[0].list.elements.map((e: Obj) => ({ project: e.tenant, destination: { server: appSet.template.spec.destination.server, namespace: e.namespace } }));
        expect(apps.length + generated.length).toBeGreaterThan(2);
        for (const app of [...apps, ...generated]) expect([app.project, app.destination.namespace, impersonated(app.project, app.destination)]).toEqual([app.project, app.destination.namespace, expect.stringMatching(/^[a-z0-9-]+:[a-z0-9-]+$/)]);
        expect(impersonated("platform", { server: "https://kubernetes.default.svc", namespace: "monitoring" })).toBe("argocd:argocd-application-controller");
    });
});

describe("tenant removal", () => {
    it("is only deletes of that tenant's resources", async () => {
        const { runTool, tempDir, derivedStackFile, sharedPlan } = await import("./helpers/cli");
        const dir = tempDir("tenant-removal");
        const file = derivedStackFile(dir, "dev", (c) => {
            c["pr-cybr-platform:tenants"] = c["pr-cybr-platform:tenants"].filter((t: Obj) => t.name !== "org-c");
        });
        expect(runTool("synth", ["--stack", "dev", "--config", file, "--out", path.join(dir, "head")]).status).toBe(0);
        const run = runTool("diff", [sharedPlan("dev"), path.join(dir, "head", "dev.plan.json")]);
        const lines = run.stdout.split("\n");
        const deletes = lines.filter((l) => l.startsWith("- "));
        expect(deletes.length).toBeGreaterThan(10);
        for (const l of deletes) expect(l).toMatch(/org-c/);
        expect(lines.filter((l) => l.startsWith("+ "))).toEqual([]);
        // Only the generated tenant apps change; no other tenant's resources are touched.
        expect(lines.filter((l) => l.startsWith("~ "))).toEqual([]);
        expect(fs.existsSync(path.join(dir, "head", "dev.plan.json"))).toBe(true);
    });
});

describe.each(["dev", "prod"] as const)("monitoring in %s (kube-prometheus-stack)", (stack) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const plan = JSON.parse(require("fs").readFileSync(require("./helpers/cli").sharedPlan(stack), "utf8"));
    const app = plan.resources.find((r: any) => r.type === "kubernetes:argoproj.io/v1alpha1:Application" && r.inputs.spec?.source?.chart === "kube-prometheus-stack");
    const values = app.inputs.spec.source.helm.valuesObject;

    it("keeps Prometheus and Alertmanager on gp3 volumes and the EKS-unreachable control-plane scrapes off", () => {
        expect(values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec).toEqual({ storageClassName: "gp3", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: stack === "prod" ? "100Gi" : "20Gi" } } });
        expect(values.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName).toBe("gp3");
        expect([values.kubeControllerManager, values.kubeScheduler, values.kubeEtcd, values.kubeProxy]).toEqual([{ enabled: false }, { enabled: false }, { enabled: false }, { enabled: false }]);
    });

    it("routes alerts to Slack through a file from a Secret that comes from Secrets Manager, never a URL in values", () => {
        const am = values.alertmanager;
        expect(am.alertmanagerSpec.secrets).toEqual(["alertmanager-slack"]);
        expect(am.config.route.receiver).toBe("slack");
        expect(am.config.receivers.find((r: any) => r.name === "slack").slack_configs[0].api_url_file).toBe("/etc/alertmanager/secrets/alertmanager-slack/webhook-url");
        expect(JSON.stringify(values)).not.toMatch(/hooks\.slack\.com/);
        const secret = plan.resources.find((r: any) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata?.name === "alertmanager-slack");
        expect(secret.inputs.metadata.namespace).toBe("monitoring");
        expect(secret.inputs.stringData).toBe("[secret]");
        expect(app.dependsOn).toContain(secret.urn);
    });

    it("scrapes cert-manager's controller, keeping each certificate gauge's own namespace", () => {
        // The Service the cert-manager v1.21.1 chart renders with prometheus.enabled (its default):
        // deploy/charts/cert-manager/templates/service.yaml at 24e33194 (labels, port http-metrics 9402).
        // Its own ServiceMonitor is off by default; nothing else scrapes the certificate gauges the alerts use.
        const release = plan.resources.find((r: any) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "cert-manager");
        const serviceLabels = { app: "cert-manager", "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/component": "controller" };
        const monitor = values.prometheus.additionalServiceMonitors.find((m: any) => m.name === "cert-manager");
        expect(monitor.namespaceSelector).toEqual({ matchNames: [release.inputs.namespace] });
        expect(Object.entries(monitor.selector.matchLabels).filter(([k, v]) => (serviceLabels as Record<string, unknown>)[k] !== v)).toEqual([]);
        expect(monitor.endpoints).toEqual([expect.objectContaining({ port: "http-metrics", honorLabels: true })]);
    });

    it("turns off the chart's KubeNodePressure, which NodeUnderPressure replaces, so a node pages once", () => {
        // kube-prometheus-stack 81.6.2 templates/prometheus/rules-1.14/kubernetes-system-kubelet.yaml renders
        // KubeNodePressure unless defaultRules.disabled.KubeNodePressure (the key exists in its values.yaml).
        expect(values.defaultRules.disabled).toEqual({ KubeNodePressure: true });
        const rules = values.additionalPrometheusRulesMap["pr-cybr-platform"].groups.flatMap((g: any) => g.rules);
        expect(rules.map((r: any) => r.alert)).toContain("NodeUnderPressure");
    });

    it("hands the platform's alert rules to the chart", () => {
        const groups = values.additionalPrometheusRulesMap["pr-cybr-platform"].groups.map((g: any) => g.name);
        expect(groups).toEqual(["pr-cybr-certificates", "pr-cybr-eks-control-plane", "pr-cybr-eks-nodes", "pr-cybr-swarm", "pr-cybr-edge"]);
    });

    it("scrapes each Swarm manager's collector on its own address, found by the swarm's tag (not through a load balancer)", () => {
        const jobs = values.prometheus.prometheusSpec.additionalScrapeConfigs;
        expect(jobs.map((j: any) => j.job_name)).toEqual(["swarm-managers"]);
        const sd = jobs[0].ec2_sd_configs[0];
        expect(sd).toEqual({ region: expect.any(String), port: 9464, refresh_interval: "60s", filters: [{ name: "tag:pr-cybr.io:swarm", values: [`pr-cybr-${stack}-swarm`] }, { name: "instance-state-name", values: ["running"] }] });
        // The same tag the managers' launch template puts on the instances.
        const lt = plan.resources.find((r: any) => r.type === "aws:ec2/launchTemplate:LaunchTemplate" && r.name.includes("swarm-lt"));
        expect(lt.inputs.tagSpecifications.find((t: any) => t.resourceType === "instance").tags["pr-cybr.io:swarm"]).toBe(`pr-cybr-${stack}-swarm`);
        // Port 9464 on the managers is open to the cluster's security group only.
        const rules = plan.resources.filter((r: any) => r.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" && r.inputs.fromPort === 9464);
        expect(rules).toHaveLength(1);
        expect(rules[0].inputs.cidrIpv4).toBeUndefined();
        expect(rules[0].inputs.referencedSecurityGroupId).toBeDefined();
    });
});
