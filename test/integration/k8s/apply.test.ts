// k8s-apply-dev / k8s-apply-prod: every Kubernetes object of each plan, server-side applied in
// dependency order to a real API server with EKS's admission plugins and the vendored CRDs. All must be
// admitted, and what the server stores must hold every field we sent (nothing pruned, nothing rewritten).
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { Kube } from "../lib/kube";
import { engine, ROOT } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";
import { differences, orderedObjects, readPlan, releaseNamespaces } from "./plan-objects";
import { applyPlanObject } from "./tenant-setup";

const kube = Kube.admin();
afterAll(() => kube.close());

beforeAll(() => recordEngines(engine("kube").versions ?? {}));

/** The API server type-checks a ValidatingAdmissionPolicy's CEL asynchronously and reports it in status. */
async function typeCheckWarnings(obj: any): Promise<string[]> {
    const deadline = Date.now() + 30000;
    for (;;) {
        const r = await kube.get(obj);
        const typeChecking = r.json?.status?.typeChecking;
        if (typeChecking) return (typeChecking.expressionWarnings ?? []).map((w: any) => `${w.fieldRef}: ${w.warning}`);
        if (Date.now() > deadline) return ["status.typeChecking never reported"];
        await new Promise((res) => setTimeout(res, 250));
    }
}

it("runs the Kubernetes minor version prod runs (test/integration/engines/kube/go.mod follows Pulumi.prod.yaml)", () => {
    const prod = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8")).config["pr-cybr-platform:cluster"].version;
    const served = /^v(\d+\.\d+)\./.exec(engine("kube").versions?.["kube-apiserver"] ?? "")?.[1];
    expect(served).toBe(prod);
});

for (const stack of ["dev", "prod"] as const) {
    scenario(`k8s-apply-${stack}`, `every ${stack} object is admitted and stored as sent`, async () => {
        const plan = readPlan(path.join(process.env.PR_CYBR_SHARED_PLANS!, `${stack}.plan.json`));
        const problems: string[] = [];
        for (const ns of releaseNamespaces(plan)) {
            const r = await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, { fieldManager: "helm" });
            if (r.status >= 300) problems.push(`namespace ${ns} (Helm release): ${r.status} ${r.json?.message ?? r.text}`);
        }
        const objects = orderedObjects(plan);
        expect(objects.length).toBeGreaterThan(20);
        for (const planObject of objects) {
            const { urn, object } = planObject;
            const label = `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata.name} (${urn.split("::").pop()})`;
            const r = await applyPlanObject(kube, planObject).catch((err: Error) => ({ status: 0, json: { message: err.message }, text: "" }));
            if (r.status >= 300 || r.status === 0) {
                problems.push(`${label}: rejected ${r.status}: ${r.json?.message ?? r.text.slice(0, 400)}`);
                continue;
            }
            // A Secret's stringData is write-only: the server stores it as data.
            const { stringData: _writeOnly, ...comparable } = object;
            for (const d of differences(object.kind === "Secret" ? comparable : object, r.json)) problems.push(`${label}: ${d}`);
            if (object.kind === "ValidatingAdmissionPolicy") {
                for (const w of await typeCheckWarnings(object)) problems.push(`${label}: CEL type check: ${w}`);
            }
        }
        console.log(`k8s-apply-${stack}: ${objects.length} objects applied to kube-apiserver ${engine("kube").versions?.["kube-apiserver"]}, ${problems.length} problems`);
        expect(problems).toEqual([]);
    });
}
