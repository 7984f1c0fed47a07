// Grafana's sign-in as the plans configure it (grafana.ini `[auth.generic_oauth]` of the kube-prometheus-stack
// Application), judged by the JMESPath library Grafana itself evaluates attribute paths with (engine
// "grafana-jmespath": github.com/jmespath-community/go-jmespath v1.1.1, read the way grafana/grafana
// pkg/util/json.go reads them). Grafana's generic OAuth takes the groups from `groups_attribute_path`, lets
// in only members of `allowed_groups`, and with `role_attribute_strict` refuses a user whose
// `role_attribute_path` yields no role (pkg/login/social/connectors/generic_oauth.go): so a role of ""
// or an evaluation error is a refusal. The dashboards show every tenant's metrics: only the platform's
// admin groups may sign in.
import { spawnSync } from "child_process";
import * as path from "path";
import { readPlan } from "../k8s/plan-objects";
import { engine } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";

interface Answer {
    value: unknown;
    error?: string;
}

function evaluate(queries: { expression: string; data: unknown; as?: "slice" }[]): Answer[] {
    const r = spawnSync(engine("grafana-jmespath").env!.PR_CYBR_GRAFANA_JMESPATH, [], { input: queries.map((q) => JSON.stringify(q)).join("\n") + "\n", encoding: "utf8" });
    if (r.status !== 0) throw new Error(`grafana-jmespath: ${r.stderr}`);
    return r.stdout.trim().split("\n").map((l) => JSON.parse(l));
}

function grafanaIni(stack: string): any {
    const plan = readPlan(path.join(process.env.PR_CYBR_SHARED_PLANS!, `${stack}.plan.json`));
    const app = plan.resources.find((r) => r.type === "kubernetes:argoproj.io/v1alpha1:Application" && r.inputs.spec?.source?.chart === "kube-prometheus-stack");
    return app!.inputs.spec.source.helm.valuesObject.grafana;
}

beforeAll(() => recordEngines(engine("grafana-jmespath").versions ?? {}));

scenario("grafana-sso-roles", "only the platform's admin groups sign in to Grafana, as Admin; tenants' groups, look-alike names and malformed group claims get no role", async () => {
    const problems: string[] = [];
    for (const stack of ["dev", "prod"]) {
        const values = grafanaIni(stack);
        const oauth = values["grafana.ini"]?.["auth.generic_oauth"];
        if (!oauth) {
            problems.push(`${stack}: no [auth.generic_oauth] in grafana.ini`);
            continue;
        }
        const admins = String(oauth.allowed_groups).split(",");
        const cases: [string, unknown, string][] = [
            ...admins.map((g): [string, unknown, string] => [`a member of ${g}`, { sub: "u1", groups: ["org-a-admins", g] }, "Admin"]),
            ["a tenant's admin", { sub: "u2", groups: ["org-a-admins", "org-a-developers"] }, ""],
            ["a group whose name starts with the admins'", { sub: "u3", groups: admins.map((g) => `${g}-x`) }, ""],
            ["a groups claim that is one string holding the name (no substring match)", { sub: "u4", groups: admins.join(" ") }, ""],
            ["no groups claim", { sub: "u5" }, ""],
            ["an empty groups claim", { sub: "u6", groups: [] }, ""],
        ];
        const roles = evaluate(cases.map(([, data]) => ({ expression: oauth.role_attribute_path, data })));
        cases.forEach(([who, , want], i) => {
            const got = roles[i].error ? "" : roles[i].value;
            if (got !== want) problems.push(`${stack}: ${who}: role ${JSON.stringify(roles[i])}, want ${JSON.stringify(want)}`);
        });
        // The groups Grafana checks allowed_groups against.
        const [groups] = evaluate([{ expression: oauth.groups_attribute_path, data: { groups: [admins[0], "org-a-admins"] }, as: "slice" }]);
        if (JSON.stringify(groups.value) !== JSON.stringify([admins[0], "org-a-admins"])) problems.push(`${stack}: groups_attribute_path read ${JSON.stringify(groups)}`);
        if (oauth.role_attribute_strict !== true) problems.push(`${stack}: role_attribute_strict is not true: a user without a role would sign in as Viewer`);
        if (!oauth.use_pkce) problems.push(`${stack}: PKCE is off`);
        if ("client_secret" in oauth) problems.push(`${stack}: the client secret is in grafana.ini (Helm values)`);
        if (values.envValueFrom?.GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET?.secretKeyRef === undefined) problems.push(`${stack}: GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET does not come from a Secret`);
    }
    // The harness itself: a group name with a quote is one literal, not an expression.
    const [quoted] = evaluate([{ expression: "(contains(groups[*], 'o\\'brien')) && 'Admin'", data: { groups: ["o'brien"] } }]);
    if (quoted.value !== "Admin") problems.push(`a quoted group name: ${JSON.stringify(quoted)}`);
    expect(problems).toEqual([]);
});
