// k8s-velero-runbook: the disaster-recovery runbook's Velero objects (docs/runbooks/disaster-recovery.md,
// every ```yaml block marked `# velero-runbook`), applied as written to the real API server with Velero's
// own CRDs (chart velero-11.4.0, test/integration/crds/velero): each is admitted and stored with every
// field it sends (a field the CRD does not know would be pruned, and the restore would silently ignore
// it). The plan's Schedule is applied first, and the runbook's pause patch is applied to it as written.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { engine, ROOT } from "../lib/env";
import { Kube } from "../lib/kube";
import { recordEngines, scenario } from "../lib/summary";
import { differences, readPlan } from "./plan-objects";

const kube = Kube.admin();
afterAll(() => kube.close());
beforeAll(() => recordEngines(engine("kube").versions ?? {}));

const RUNBOOK = path.join(ROOT, "docs", "runbooks", "disaster-recovery.md");

/** The runbook's marked YAML blocks, de-indented as a reader copies them. */
export function runbookObjects(text: string): { title: string; object: any }[] {
    return [...text.matchAll(/^( *)```yaml\n((?:.*\n)*?)\1```/gm)]
        .map((m) => m[2].split("\n").map((l) => l.slice(m[1].length)).join("\n"))
        .filter((block) => /^# velero-runbook: /.test(block))
        .map((block) => ({ title: /^# velero-runbook: (.*)$/m.exec(block)![1], object: YAML.parse(block) }));
}

scenario("k8s-velero-runbook", "the runbook's Backup and Restores and the plan's Schedule are admitted by Velero's CRDs and stored as written", async () => {
    const problems: string[] = [];
    const ns = await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: "velero" } }, { fieldManager: "helm" });
    expect(ns.status).toBeLessThan(300);
    const plan = readPlan(path.join(process.env.PR_CYBR_SHARED_PLANS!, "prod.plan.json"));
    const schedule = plan.resources.find((r) => r.type === "kubernetes:velero.io/v1:Schedule")!.inputs;
    const objects = [{ title: "the plan's Schedule", object: schedule }, ...runbookObjects(fs.readFileSync(RUNBOOK, "utf8"))];
    expect(objects.map((o) => o.object.kind)).toEqual(["Schedule", "Backup", "Restore", "Restore"]);
    for (const { title, object } of objects) {
        const r = await kube.apply(object, { fieldManager: "kubectl" });
        if (r.status >= 300) problems.push(`${title}: rejected ${r.status} ${r.json?.message ?? r.text.slice(0, 300)}`);
        else for (const d of differences(object, r.json)) problems.push(`${title}: ${d}`);
    }
    // Step 5, as written: a merge patch that pauses the schedule.
    const paused = await kube.request("PATCH", `/apis/velero.io/v1/namespaces/velero/schedules/${schedule.metadata.name}`, { spec: { paused: true } }, "application/merge-patch+json");
    if (paused.status >= 300 || paused.json?.spec?.paused !== true) problems.push(`pause ${schedule.metadata.name}: ${paused.status} ${JSON.stringify(paused.json?.spec)}`);
    // The check is not vacuous: a misspelt field is refused by server-side apply (a create would prune it
    // silently, which the stored-as-sent comparison reports).
    const typo = structuredClone(objects[2].object);
    typo.metadata.name = "probe-typo";
    typo.spec.restorePv = true;
    const t = await kube.apply(typo, { fieldManager: "kubectl" });
    expect([t.status >= 400, t.json?.message]).toEqual([true, expect.stringContaining(".spec.restorePv: field not declared in schema")]);
    const created = await kube.create(typo, true);
    expect(differences(typo, created.json)).toEqual(["spec.restorePv: sent true, stored nothing (pruned)"]);
    expect(problems).toEqual([]);
});
