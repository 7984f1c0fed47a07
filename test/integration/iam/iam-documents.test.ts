// Scenario iam-documents: every IAM policy document in the dev, prod and bootstrap plans parses as a
// valid policy of its type and names only actions and condition keys that exist in AWS's data.
import { collectDocuments, CollectedDocuments } from "./lib/documents";
import { documentProblems } from "./lib/iam-data-check";
import { Plan, sharedPlan, synthesizeBootstrapPlan } from "./lib/plans";
import { engineVersions } from "./lib/versions";
import { recordEngines, scenario } from "../lib/summary";

let plans: Plan[];

beforeAll(async () => {
    plans = [sharedPlan("dev"), sharedPlan("prod"), synthesizeBootstrapPlan("dev"), synthesizeBootstrapPlan("prod")];
    recordEngines(await engineVersions());
});

describe("IAM documents against AWS's action and condition-key data", () => {
    scenario("iam-documents", "every policy document in the dev, prod and bootstrap plans is valid and names real actions and keys", async () => {
        const collected: CollectedDocuments[] = plans.map(collectDocuments);
        const documents = collected.flatMap((c) => c.documents);
        const failures = collected.flatMap((c) => c.unreadable.map((u) => `${u.stack} ${u.resource.type} ${u.resource.name} ${u.field}: ${u.reason}`));
        for (const d of documents) {
            for (const problem of await documentProblems(d.kind, d.document)) failures.push(`${d.stack} ${d.resource.type} ${d.resource.name} ${d.field} (${d.kind} policy): ${problem}`);
        }
        const byKind = documents.reduce<Record<string, number>>((acc, d) => ({ ...acc, [d.kind]: (acc[d.kind] ?? 0) + 1 }), {});
        const managed = [...new Set(collected.flatMap((c) => c.awsManagedAttachments.map((a) => a.policyArn.split("/").pop())))].sort();
        console.log(
            `iam-documents: checked ${documents.length} policy documents (${Object.entries(byKind).map(([k, n]) => `${n} ${k}`).join(", ")}) in ${plans.map((p) => p.stack).join(", ")}; ` +
                `AWS-managed policies attached by ARN (documents are AWS's): ${managed.join(", ")}`,
        );
        expect(documents.length).toBeGreaterThan(0);
        expect(failures).toEqual([]);
    });
});
