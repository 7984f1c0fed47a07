// argocd-notifications: the plan's Slack templates rendered the way the notifications engine renders
// them (Go text/template + sprig, engines/notify-render), on apps whose messages carry what sync
// messages really carry (quotes, backslashes, newlines, markup). Each body must be the JSON payload
// Slack's incoming webhook takes: one object whose `text` is the message, characters intact.
import { spawnSync } from "child_process";
import * as path from "path";
import * as YAML from "yaml";
import { engine } from "../lib/env";
import { recordEngines, scenario } from "../lib/summary";
import { readPlan } from "../k8s/plan-objects";

const renderer = () => engine("notifications-templates").env!.PR_CYBR_NOTIFY_RENDER;

function render(templates: Record<string, string>, vars: unknown): Record<string, string | { error: string }> {
    const r = spawnSync(renderer(), [], { input: JSON.stringify({ templates, vars }), encoding: "utf8" });
    if (r.status !== 0) throw new Error(`notify-render exited ${r.status}: ${r.stderr}`);
    return JSON.parse(r.stdout);
}

/** The webhook bodies of the plan's Argo CD notification templates, by template name. */
function slackBodies(stack: "dev" | "prod"): Record<string, string> {
    const plan = readPlan(path.join(process.env.PR_CYBR_SHARED_PLANS!, `${stack}.plan.json`));
    const release = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "argo-cd")!;
    const templates = release.inputs.values.notifications.templates as Record<string, string>;
    return Object.fromEntries(Object.entries(templates).map(([name, yaml]) => [name, YAML.parse(yaml).webhook.slack.body as string]));
}

const MESSAGE = 'one or more objects failed to apply, reason: admission webhook "validate.example.com" denied: path C:\\tmp\n\tline 2 <b>&amp;</b> `x`';
const app = { metadata: { name: "org-a-apps" }, status: { operationState: { phase: "Failed", message: MESSAGE }, health: { status: "Degraded" }, sync: { revision: "0123abcd" } } };

beforeAll(() => recordEngines(engine("notifications-templates").versions ?? {}));

for (const stack of ["dev", "prod"] as const) {
    scenario(`argocd-notifications-${stack}`, `${stack}: every Slack body renders to a JSON payload whose text carries the app's values unchanged`, () => {
        const bodies = slackBodies(stack);
        expect(Object.keys(bodies).length).toBeGreaterThan(0);
        const rendered = render(bodies, { app });
        for (const [name, out] of Object.entries(rendered)) {
            if (typeof out !== "string") throw new Error(`${name}: ${out.error}`);
            let payload: any;
            try {
                payload = JSON.parse(out);
            } catch (err) {
                throw new Error(`${name}: the rendered body is not JSON (${(err as Error).message}): ${out}`);
            }
            expect([name, Object.keys(payload), payload.text]).toEqual([name, ["text"], expect.stringContaining(app.metadata.name)]);
            if (name === "template.app-sync-failed") expect(payload.text).toContain(MESSAGE);
            if (name === "template.app-deployed") expect(payload.text).toContain(app.status.sync.revision);
        }
        // A failed sync without a message still sends a payload (a missing key is "", not an error).
        const bare = render({ failed: bodies["template.app-sync-failed"] }, { app: { ...app, status: { operationState: { phase: "Error" } } } }).failed as string;
        expect(JSON.parse(bare)).toEqual({ text: ":x: org-a-apps sync failed: " });
    });
}

scenario("argocd-notifications-renderer", "the renderer is the engine's: naive JSON templating of the same message breaks", () => {
    // The check can fail: the body the platform used to send ({"text": "...{{.field}}..."}) is no JSON here.
    const out = render({ naive: '{"text": ":x: {{.app.metadata.name}} sync failed: {{.app.status.operationState.message}}"}' }, { app }).naive as string;
    expect(() => JSON.parse(out)).toThrow();
});
