// Velero (components/addons/velero.ts): chart values against the chart's own schema, the pinned
// versions, the config with its per-environment defaults, and what the dev and prod plans hold.
import { VELERO_AWS_PLUGIN_IMAGE, VELERO_CHART, veleroSchedule, veleroSpec, veleroValues, validateVeleroArgs } from "../components/addons";
import { parseStackConfig } from "../stacks/config";
import { withEdit } from "./helpers/config";
import { planOf } from "./helpers/plan-file";
import { chartSchemaErrors, chartValuesSchema, unknownKeys, withChartDefaults } from "./helpers/schema";


describe("Velero chart values", () => {
    const schema = chartValuesSchema("velero-11.4.0.values.schema.json");
    const values = veleroValues({ bucket: "b", region: "us-east-1" });
    it("pass the chart's values schema and name only keys it knows", () => {
        expect(chartSchemaErrors(schema, withChartDefaults("velero-11.4.0.values.yaml", values))).toEqual([]);
        expect(unknownKeys(schema, values)).toEqual([]);
    });
    it("the check is not vacuous", () => {
        expect(unknownKeys(schema, { ...values, credential: { useSecret: false } })).toEqual(["credential"]);
        expect(chartSchemaErrors(schema, withChartDefaults("velero-11.4.0.values.yaml", { ...values, snapshotsEnabled: "yes" }))).toEqual(["/snapshotsEnabled: must be boolean"]);
    });
    it("uses the plugin of the pinned Velero, no credentials Secret, and the bucket's default encryption", () => {
        expect((values.initContainers as any[])[0].image).toBe(VELERO_AWS_PLUGIN_IMAGE);
        expect(values.credentials).toEqual({ useSecret: false });
        expect((values.configuration as any).backupStorageLocation[0].config).toEqual({ region: "us-east-1" });
    });
});

describe("Velero args", () => {
    const ok = { clusterName: "c", clusterArn: "a", kubernetesVersion: "1.35", bucketName: "b", kmsKeyArn: "k" };
    it("accepts the defaults and refuses a bad cron, retention or version", () => {
        expect(() => validateVeleroArgs(ok)).not.toThrow();
        expect(() => validateVeleroArgs({ ...ok, schedule: "daily at 3" })).toThrow(/schedule: "daily at 3" is not a cron expression/);
        expect(() => validateVeleroArgs({ ...ok, retentionDays: 0 })).toThrow(/retentionDays: 0 is out of range/);
        expect(() => validateVeleroArgs({ ...ok, chartVersion: "12.1.0" })).toThrow(/chartVersion: "12.1.0" is not a version whose compatibility is known/);
        expect(() => validateVeleroArgs({ ...ok, kubernetesVersion: "1.29" })).toThrow(/velero 11.4.0 is not published for Kubernetes 1.29/);
    });
    it("keeps backups after their schedule is deleted and expresses retention as Velero's ttl", () => {
        const s = veleroSchedule({ name: "x", cron: "0 3 * * *", retentionDays: 7 });
        expect(s.spec.useOwnerReferencesInBackup).toBe(false);
        expect(s.spec.template.ttl).toBe("168h0m0s");
    });
    it("declares the server's Pod Identity", () => expect(veleroSpec(VELERO_CHART.version).podIdentity).toEqual([{ namespace: "velero", serviceAccount: "velero-server" }]));
});

describe("Velero config", () => {
    it("is on in both environments, kept 7 days in dev and 30 in prod", () => {
        expect(parseStackConfig(withEdit("dev", () => undefined)).config!.addons.velero).toEqual({ enabled: true, chartVersion: VELERO_CHART.version, schedule: "0 3 * * *", retentionDays: 7 });
        expect(parseStackConfig(withEdit("prod", () => undefined)).config!.addons.velero.retentionDays).toBe(30);
    });
    it("names the config path of a bad schedule", () => {
        const r = parseStackConfig(withEdit("dev", (raw) => (raw.addons = { velero: { schedule: "every day" } })));
        expect(r.problems).toEqual([expect.objectContaining({ path: "addons.velero.schedule", message: expect.stringContaining("is not a cron expression") })]);
    });
});

describe.each(["dev", "prod"] as const)("the %s plan's Velero", (stack) => {
    const plan = planOf(stack);
    const release = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "velero")!;
    it("holds the release at its pinned version with the server's Pod Identity association", () => {
        expect(release.inputs.version).toBe(VELERO_CHART.version);
        expect(plan.outputs.addons.velero).toBe(VELERO_CHART.version);
        const assoc = plan.resources.find((r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation" && r.inputs.namespace === "velero")!;
        expect([assoc.inputs.serviceAccount, release.dependsOn.includes(assoc.urn)]).toEqual(["velero-server", true]);
    });
    it("backs up to a versioned bucket encrypted with the environment key, its public access blocked", () => {
        const bucket = plan.resources.find((r) => r.name === `pr-cybr-${stack}-velero-backups-bucket`)!;
        expect(bucket.inputs.bucket).toMatch(new RegExp(`^pr-cybr-${stack}-velero-\\d{12}$`));
        const of = (type: string) => plan.resources.find((r) => r.type === type && r.inputs.bucket === bucket.inputs.bucket)!;
        expect(of("aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration.status).toBe("Enabled");
        expect(of("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId).toMatch(/:key\//);
        expect(of("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
        expect(bucket.protect).toBe(stack === "prod");
    });
    it("schedules the daily backup after the release (its CRDs)", () => {
        const schedule = plan.resources.find((r) => r.type === "kubernetes:velero.io/v1:Schedule")!;
        expect(schedule.dependsOn).toContain(release.urn);
        expect(schedule.inputs.spec.template.ttl).toBe(stack === "prod" ? "720h0m0s" : "168h0m0s");
    });
});
