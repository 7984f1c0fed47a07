// External Secrets Operator (components/addons/external-secrets.ts) and tenants' use of it: the chart
// values against the chart's own schema, the pinned version's compatibility, the trust of the tenants'
// reader roles, and what the dev and prod plans hold.
import {
    EXTERNAL_SECRETS_CHART,
    externalSecretsSpec,
    externalSecretsValues,
    tenantSecretsReaderTrustPolicy,
    tenantSecretStore,
    validateExternalSecretsArgs,
} from "../components/addons";
import { externalSecretPolicySpec, secretStorePolicySpec, tenantExternalSecretsRules } from "../components/tenancy";
import { parseStackConfig } from "../stacks/config";
import { withEdit } from "./helpers/config";
import { promiseOf } from "./helpers/outputs";
import { chartSchemaErrors, chartValuesSchema, unknownKeys } from "./helpers/schema";
import { planOf } from "./helpers/plan-file";


describe("External Secrets chart values", () => {
    const schema = chartValuesSchema("external-secrets-2.8.0.values.schema.json");
    it("pass the chart's values schema and name only keys it knows", () => {
        expect(chartSchemaErrors(schema, externalSecretsValues())).toEqual([]);
        expect(unknownKeys(schema, externalSecretsValues())).toEqual([]);
    });
    it("the schema check catches a misspelt key and a wrong type (it is not vacuous)", () => {
        expect(unknownKeys(schema, { ...externalSecretsValues(), rbac: { aggregateToEdits: false } })).toEqual(["rbac.aggregateToEdits"]);
        expect(chartSchemaErrors(schema, { ...externalSecretsValues(), processClusterStore: "no" }).length).toBeGreaterThan(0);
    });
    it("turns off every cluster-scoped kind in pairs (CRD and controller) and aggregation into tenants' roles", () => {
        const v = externalSecretsValues() as any;
        expect(v.crds).toMatchObject({ createClusterSecretStore: false, createClusterExternalSecret: false, createClusterGenerator: false, createClusterPushSecret: false, createPushSecret: false });
        expect([v.processClusterStore, v.processClusterExternalSecret, v.processClusterGenerator, v.processClusterPushSecret, v.processPushSecret]).toEqual([false, false, false, false, false]);
        expect(v.rbac).toMatchObject({ aggregateToAdmin: false, aggregateToEdit: false, aggregateToView: false, serviceAccountTokenCreate: false });
    });
});

describe("ExternalSecrets args and spec", () => {
    const ok = { clusterName: "c", clusterArn: "arn", kubernetesVersion: "1.35", environment: "dev", secretsKeyArn: "k" };
    it("accepts the pinned chart on 1.35 and refuses an unknown version or a cluster it is not tested on", () => {
        expect(() => validateExternalSecretsArgs("x", ok)).not.toThrow();
        expect(() => validateExternalSecretsArgs("x", { ...ok, chartVersion: "0.9.0" })).toThrow(/chartVersion: "0.9.0" is not a version whose compatibility is known/);
        expect(() => validateExternalSecretsArgs("x", { ...ok, kubernetesVersion: "1.33" })).toThrow(/external-secrets 2.8.0 is not published for Kubernetes 1.33/);
    });
    it("declares the controller's Pod Identity and waits for no cluster DNS", () => {
        const spec = externalSecretsSpec(EXTERNAL_SECRETS_CHART.version);
        expect(spec.podIdentity).toEqual([{ namespace: "external-secrets", serviceAccount: "external-secrets" }]);
        expect(spec.needs).toEqual(["pod-network", "nodes"]);
    });
    it("renders the store with the tenant's role and ESO's own session tags", () => {
        expect(tenantSecretStore({ namespace: "org-a", tenant: "org-a", roleArn: "arn:r", region: "us-east-1" }).spec).toEqual({
            provider: { aws: { service: "SecretsManager", region: "us-east-1", role: "arn:r", sessionTagsPolicy: "Simple" } },
        });
    });
    it("trusts only the controller role, its Pod Identity session tags and ESO's tags for the tenant's namespaces", async () => {
        const doc = JSON.parse(await promiseOf(tenantSecretsReaderTrustPolicy({ controllerRoleArn: "arn:ctl", clusterArn: "arn:cluster", namespaces: ["org-a", "org-a-data"] })));
        expect(doc.Statement).toHaveLength(1);
        expect(doc.Statement[0].Principal).toEqual({ AWS: "arn:ctl" });
        expect(doc.Statement[0].Condition.StringEquals).toMatchObject({ "aws:RequestTag/esoNamespace": ["org-a", "org-a-data"], "aws:RequestTag/esoStoreKind": "SecretStore", "aws:PrincipalTag/eks-cluster-arn": "arn:cluster" });
    });
    it("gives tenants ExternalSecrets and a read of stores, never a write of stores", () => {
        const rules = tenantExternalSecretsRules();
        expect(rules.find((r) => r.resources.includes("secretstores"))!.verbs).toEqual(["get", "list", "watch"]);
        expect(rules.flatMap((r) => r.resources)).not.toContain("pushsecrets");
        expect(JSON.stringify(secretStorePolicySpec())).toContain("generators.external-secrets.io");
        expect(externalSecretPolicySpec().validations).toHaveLength(3);
    });
});

describe("External Secrets config", () => {
    it("is on in dev and prod with the pinned chart", () => {
        for (const stack of ["dev", "prod"] as const) expect(parseStackConfig(withEdit(stack, () => undefined)).config!.addons.externalSecrets).toEqual({ enabled: true, chartVersion: EXTERNAL_SECRETS_CHART.version });
    });
    it("names the config path of a chart version of unknown compatibility", () => {
        const r = parseStackConfig(withEdit("dev", (raw) => (raw.addons = { externalSecrets: { chartVersion: "0.10.0" } })));
        expect(r.problems).toEqual([expect.objectContaining({ path: "addons.externalSecrets.chartVersion", message: expect.stringContaining("is not a version whose compatibility is known") })]);
    });
});

describe.each(["dev", "prod"] as const)("the %s plan's External Secrets", (stack) => {
    const plan = planOf(stack);
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const release = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "external-secrets")!;
    it("holds the release at its pinned version, and the controller's Pod Identity association", () => {
        expect(release.inputs.version).toBe(EXTERNAL_SECRETS_CHART.version);
        expect(plan.outputs.addons["external-secrets"]).toBe(EXTERNAL_SECRETS_CHART.version);
        const assoc = plan.resources.find((r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation" && r.inputs.namespace === "external-secrets")!;
        expect(assoc.inputs.serviceAccount).toBe("external-secrets");
        expect(assoc.inputs.roleArn).toMatch(new RegExp(`:role/pr-cybr-${stack}-external-secrets-controller-role-`));
        expect(release.dependsOn).toContain(assoc.urn);
    });
    it("has one store per tenant namespace, after its namespace and the release, on its own tenant's reader role", () => {
        const namespaces = plan.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata.labels?.["pr-cybr.io/tenant"]);
        const stores = plan.resources.filter((r) => r.type === "kubernetes:external-secrets.io/v1:SecretStore");
        expect(stores.map((s) => s.inputs.metadata.namespace).sort()).toEqual(namespaces.map((n) => n.inputs.metadata.name).sort());
        for (const s of stores) {
            const tenant = s.inputs.metadata.labels["pr-cybr.io/tenant"];
            expect(s.inputs.spec.provider.aws.role).toMatch(new RegExp(`:role/pr-cybr-${stack}-external-secrets-${tenant}-reader-role-`));
            const deps = s.dependsOn.map((u) => byUrn.get(u)!);
            expect(deps.some((d) => d.urn === release.urn)).toBe(true);
            expect(deps.some((d) => d.type === "kubernetes:core/v1:Namespace" && d.inputs.metadata.name === s.inputs.metadata.namespace)).toBe(true);
        }
    });
});
