/**
 * Issue 15 #21: a lost device's copy of its site's tunnel token. The program owns each site tunnel's
 * secret; raising `edge.tunnelRotations.<site>` makes a new one for the same tunnel (an in-place update:
 * tunnel_secret has no RequiresReplace, terraform-provider-cloudflare v5
 * internal/services/zero_trust_tunnel_cloudflared/schema.go), so the token lookup returns a new token and
 * Cloudflare refuses new connections with the old one (developers.cloudflare.com/tunnel/advanced/
 * tunnel-tokens, "Rotate a compromised token"). Stated against the plan and the diff's provider rules.
 */
import * as fs from "fs";
import * as path from "path";
import type { Plan } from "../tools/lib/plan";
import { diffPlans } from "../tools/lib/diff";
import { parseStackConfig } from "../stacks/config";
import { derivedStackFile, runTool, sharedPlan, tempDir } from "./helpers/cli";
import { withEdit } from "./helpers/config";

const readPlan = (file: string): Plan => JSON.parse(fs.readFileSync(file, "utf8"));
const TUNNEL = "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared";
const SECRET = "random:index/randomBytes:RandomBytes";

describe("site tunnel secret rotation", () => {
    const base = readPlan(sharedPlan("prod"));

    it("gives every site tunnel a secret of its own, from 32 random bytes keyed to the site's rotation number", () => {
        const tunnels = base.resources.filter((r) => r.type === TUNNEL);
        expect(tunnels.length).toBe(3);
        for (const t of tunnels) {
            expect(t.inputs.tunnelSecret).toBe("[secret]");
            const secret = base.resources.find((r) => r.type === SECRET && t.dependsOn.includes(r.urn));
            expect(secret?.inputs).toEqual({ keepers: { rotation: "0" }, length: 32 });
            expect(secret?.name).toBe(`${t.name}-secret`);
        }
    });

    it("rotates one site's secret in place when its number is raised: a new secret, the same tunnel, DNS and config untouched, other sites unchanged", () => {
        const dir = tempDir("tunnel-rotation");
        const file = derivedStackFile(dir, "prod", (c) => {
            c["pr-cybr-platform:edge"].tunnelRotations = { "san-juan": 1 };
        });
        const run = runTool("synth", ["--stack", "prod", "--config", file, "--out", dir]);
        expect(run.stderr).toBe("");
        expect(run.status).toBe(0);
        const head = readPlan(path.join(dir, "prod.plan.json"));
        const d = diffPlans(base, head);
        expect(d.adds).toEqual([]);
        expect(d.deletes).toEqual([]);
        const replaced = d.changes.filter((c) => c.action === "replace").map((c) => c.name);
        expect(replaced).toEqual(["pr-cybr-prod-edge-site-san-juan-tunnel-secret"]);
        // The tunnel takes the new secret as an update (no replace rule covers tunnelSecret), so its id, the
        // CNAME to <id>.cfargotunnel.com and the ingress config stay; nothing of the other sites changes.
        expect(d.changes.filter((c) => /tunnel(-config)?$|-dns$/.test(c.name) && c.action === "replace")).toEqual([]);
        expect(d.changes.filter((c) => /mayaguez|ponce/.test(c.name))).toEqual([]);
        const tunnel = head.resources.find((r) => r.type === TUNNEL && r.name === "pr-cybr-prod-edge-site-san-juan-tunnel")!;
        expect(tunnel.dependsOn).toContain(head.resources.find((r) => r.name === "pr-cybr-prod-edge-site-san-juan-tunnel-secret")!.urn);
    });

    it("is what the runbook's lost-device steps do: its config key, resource names and stack output are the program's", () => {
        const runbook = fs.readFileSync(path.join(__dirname, "..", "docs", "runbooks", "edge.md"), "utf8");
        const steps = runbook.slice(runbook.indexOf("if the device is lost"), runbook.indexOf("## Edge CA rotation"));
        expect(steps).toContain("edge.tunnelRotations");
        expect(parseStackConfig(withEdit("prod", (raw) => (raw.edge.tunnelRotations = { "san-juan": 1 }))).problems ?? []).toEqual([]);
        const names = [...steps.matchAll(/`(pr-cybr-<env>-edge-site-<site>-[a-z-]+)`/g)].map((m) => m[1].replace("<env>", "prod").replace("<site>", "san-juan"));
        expect(names.sort()).toEqual(["pr-cybr-prod-edge-site-san-juan-tunnel", "pr-cybr-prod-edge-site-san-juan-tunnel-secret"]);
        for (const n of names) expect(base.resources.map((r) => r.name)).toContain(n);
        // The tunnel id the DELETE of its connections needs, from the stack output the runbook reads.
        expect(steps).toContain(`pulumi stack output edgeSites --json | jq -r '."<site>".tunnelId'`);
        expect(Object.keys((base.outputs as any).edgeSites["san-juan"])).toEqual(["hostname", "tunnelId"]);
    });

    it.each([
        [{ sanjuan: 1 }, "edge.tunnelRotations.sanjuan: names no site of edge.nodes[]"],
        [{ "san-juan": -1 }, "edge.tunnelRotations.san-juan: -1 is out of range"],
        [{ "san-juan": "1" }, "edge.tunnelRotations.san-juan"],
    ])("rejects %j, naming the key and what is allowed", (rotations, message) => {
        const problems = parseStackConfig(withEdit("prod", (raw) => (raw.edge.tunnelRotations = rotations))).problems ?? [];
        expect(problems.map((p) => `${p.path}: ${p.message}`).join("\n")).toContain(message);
    });
});
