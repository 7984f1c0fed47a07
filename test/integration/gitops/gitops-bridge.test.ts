// gitops-bridge-<stack>: the in-cluster cluster Secret (components/gitops/cluster-secret.ts) turned into
// an ApplicationSet cluster generator's parameters as Argo CD v3.3.8 does (applicationset/generators/
// cluster.go: name, nameNormalized, server, project, and `metadata.labels` / `metadata.annotations` for
// goTemplate), and a bridge-style template rendered by Go text/template with sprig (engines/notify-render,
// the functions ApplicationSets use): every add-on Pulumi runs with a Pod Identity association resolves to
// exactly that association's namespace, service account and role, so the add-on, moved to Git, keeps its
// identity; a key the bridge does not set renders as missing (the check is not vacuous).
import { spawnSync } from "child_process";
import * as path from "path";
import { IN_CLUSTER_SECRET_NAME } from "../../../components/gitops/cluster-secret";
import { IN_CLUSTER } from "../../../components/shared/kubernetes";
import { engine } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";
import { readPlan } from "../k8s/plan-objects";

const renderer = () => engine("notifications-templates").env!.PR_CYBR_NOTIFY_RENDER;
beforeAll(() => recordEngines(engine("notifications-templates").versions ?? {}));

function render(templates: Record<string, string>, vars: unknown): Record<string, string | { error: string }> {
    const r = spawnSync(renderer(), [], { input: JSON.stringify({ templates, vars }), encoding: "utf8" });
    if (r.status !== 0) throw new Error(`notify-render exited ${r.status}: ${r.stderr}`);
    return JSON.parse(r.stdout);
}

/** The cluster generator's goTemplate parameters for one cluster Secret (cluster.go at v3.3.8). */
function clusterParams(secret: any) {
    return { name: IN_CLUSTER_SECRET_NAME, nameNormalized: IN_CLUSTER_SECRET_NAME, server: IN_CLUSTER, project: "", metadata: { annotations: secret.metadata.annotations, labels: secret.metadata.labels } };
}

for (const stack of ["dev", "prod"] as const) {
    scenario(`gitops-bridge-${stack}`, `${stack}: an ApplicationSet template resolves each add-on's Pod Identity namespace, service account and role from the in-cluster Secret`, () => {
        const plan = readPlan(path.join(process.env.PR_CYBR_SHARED_PLANS!, `${stack}.plan.json`));
        const secret = plan.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.labels?.["argocd.argoproj.io/secret-type"] === "cluster")!.inputs;
        const params = clusterParams(secret);
        // The platform's add-on associations (tenants' workload associations are not add-ons).
        const associations = plan.resources.filter((r) => r.type === "aws:eks/podIdentityAssociation:PodIdentityAssociation" && !/-tenant-/.test(r.name)).map((r) => r.inputs);
        const addons = Object.keys(secret.metadata.labels).filter((l) => l.startsWith("enable_")).map((l) => l.slice("enable_".length));
        expect(addons.length).toBeGreaterThanOrEqual(3);
        const templates: Record<string, string> = {};
        for (const key of addons) {
            templates[key] = `{{ if eq (index .metadata.labels "enable_${key}") "true" }}{{ index .metadata.annotations "${key}_namespace" }}/{{ index .metadata.annotations "${key}_service_account" }} {{ index .metadata.annotations "${key}_iam_role_arn" }}{{ end }}`;
        }
        templates.cluster = "{{ .metadata.annotations.aws_cluster_name }} {{ .metadata.annotations.aws_region }} {{ .metadata.annotations.aws_account_id }} {{ .server }} {{ .nameNormalized }}";
        templates.repo = "{{ .metadata.annotations.addons_repo_url }}@{{ .metadata.annotations.addons_repo_revision }}:{{ .metadata.annotations.addons_repo_basepath }}{{ .metadata.annotations.addons_repo_path }}";
        templates.missing = '{{ index .metadata.annotations "no_such_addon_iam_role_arn" }}';
        const out = render(templates, params);
        const resolved = addons.map((key) => out[key]);
        const expected = addons.map((key) => {
            const ns = secret.metadata.annotations[`${key}_namespace`];
            const a = associations.find((x) => x.namespace === ns && x.serviceAccount === secret.metadata.annotations[`${key}_service_account`]);
            // An EKS add-on carries its association inside the add-on resource (podIdentityAssociations).
            const inAddon = plan.resources.filter((r) => r.type === "aws:eks/addon:Addon").flatMap((r) => r.inputs.podIdentityAssociations ?? []).find((x: any) => x.serviceAccount === secret.metadata.annotations[`${key}_service_account`]);
            // An add-on without AWS identity announces none: a template over it sees Go's "<no value>".
            const grant = a ?? inAddon;
            return grant ? `${ns}/${grant.serviceAccount} ${grant.roleArn}` : `${ns}/<no value> <no value>`;
        });
        expect(resolved).toEqual(expected);
        // Every platform add-on identity reaches Git: each association is announced by some add-on.
        for (const a of associations) expect(resolved).toContain(`${a.namespace}/${a.serviceAccount} ${a.roleArn}`);
        const cluster = plan.resources.find((r) => r.type === "aws:eks/cluster:Cluster")!.inputs;
        expect(out.cluster).toBe(`${cluster.name} ${secret.metadata.annotations.aws_region} ${secret.metadata.annotations.aws_account_id} ${IN_CLUSTER} in-cluster`);
        expect(out.repo).toMatch(new RegExp(`^https://\\S+\\.git@\\S+:envs/${stack}/addons$`));
        expect(out.missing).toBe("<no value>");
    }, undefined, { partOf: "gitops-bridge" });
}
