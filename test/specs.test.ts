/**
 * The spec-kit documents (specs/001-platform) describe what is built (constitution, principle I), so
 * they are checked against what runs: each requirement's status against the dev and prod plans and the
 * repository, the plan's layout against components/, the checked tasks against their files.
 */
import * as fs from "fs";
import * as path from "path";
import type { Plan } from "../tools/lib/plan";
import { sharedPlan } from "./helpers/cli";
import { ROOT } from "./helpers/config";

const SPEC_DIR = path.join(ROOT, "specs", "001-platform");
const read = (file: string) => fs.readFileSync(path.join(SPEC_DIR, file), "utf8");
const backticked = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

interface Requirement {
    id: string;
    built: boolean;
    evidence: string[];
}

/** `- **FR-NNN**: text — built: `a`, `b`` or `— not yet built: ...`; a line without a status is reported. */
export function parseRequirements(spec: string): { requirements: Requirement[]; problems: string[] } {
    const requirements: Requirement[] = [];
    const problems: string[] = [];
    for (const line of spec.split("\n").filter((l) => /^- \*\*FR-\d+\*\*/.test(l))) {
        const id = /FR-\d+/.exec(line)![0];
        const status = / — (built|not yet built): (.+)$/.exec(line);
        if (!status) {
            problems.push(`${id}: no " — built: ..." or " — not yet built: ..." with its evidence`);
            continue;
        }
        const evidence = backticked(status[2]);
        if (evidence.length === 0) problems.push(`${id}: names no evidence`);
        requirements.push({ id, built: status[1] === "built", evidence });
    }
    return { requirements, problems };
}

/** Whether one piece of evidence is present: a resource type (optionally `::<name part>`) in a plan, or a path. */
function present(evidence: string, plans: Plan[]): boolean {
    if (/^[a-z0-9-]+:[^/\s]*\/?[^\s]*:[A-Za-z]+/.test(evidence) && !evidence.includes(" ")) {
        const [type, namePart] = evidence.split("::");
        return plans.some((p) => p.resources.some((r) => r.type === type && (namePart === undefined || r.name.includes(namePart))));
    }
    return fs.existsSync(path.join(ROOT, evidence));
}

/** Problems between what the spec claims and what the plans and the repository hold. */
export function specDrift(spec: string, plans: Plan[]): string[] {
    const { requirements, problems } = parseRequirements(spec);
    for (const r of requirements) {
        for (const e of r.evidence) {
            const there = present(e, plans);
            if (r.built && !there) problems.push(`${r.id} is marked built but ${e} is not in the plans or the repository`);
            if (!r.built && there) problems.push(`${r.id} is marked not yet built but ${e} is in the plans or the repository: mark it built`);
        }
    }
    return problems;
}

describe("specs/001-platform", () => {
    const plans: Plan[] = [sharedPlan("dev"), sharedPlan("prod")].map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
    const spec = read("spec.md");
    const plan = read("plan.md");
    const tasks = read("tasks.md");
    const areas = fs.readdirSync(path.join(ROOT, "components")).filter((d) => d !== "shared" && fs.statSync(path.join(ROOT, "components", d)).isDirectory());

    it("gives every requirement a status whose evidence the plans and the repository confirm", () => {
        expect(parseRequirements(spec).requirements.length).toBeGreaterThanOrEqual(10);
        expect(specDrift(spec, plans)).toEqual([]);
    });

    it("says 'not yet built' only in a requirement's status, and says which requirements in its Status line", () => {
        const unbuilt = parseRequirements(spec).requirements.filter((r) => !r.built).map((r) => r.id);
        for (const [file, text] of [["spec.md", spec], ["plan.md", plan]]) {
            // Code spans name the markers themselves; prose outside a status may not claim anything unbuilt.
            const prose = (l: string) => l.replace(/`[^`]*`/g, "");
            const loose = text.split("\n").filter((l) => /not (yet )?built|to come|\bNOT YET\b/i.test(prose(l)) && !/^- \*\*FR-\d+\*\*/.test(l) && !unbuilt.some((id) => l.includes(id)));
            expect({ file, loose }).toEqual({ file, loose: [] });
        }
        const status = /^\*\*Status\*\*: (.+)$/m.exec(spec)![1];
        if (unbuilt.length === 0) expect(status).toMatch(/^Implemented$/);
        else for (const id of unbuilt) expect(status).toContain(id);
    });

    it("catches drift both ways (self-check: a built area marked unbuilt, a missing one marked built)", () => {
        const drifted = spec
            .replace(/(\*\*FR-008\*\*: [^\n]*) — built: /, "$1 — not yet built: ")
            .replace(/(\*\*FR-011\*\*: [^\n]*) — not yet built: /, "$1 — built: ");
        const problems = specDrift(drifted, plans);
        expect(problems).toContain("FR-008 is marked not yet built but pr-cybr:edge:EdgeNode is in the plans or the repository: mark it built");
        expect(problems).toContain("FR-011 is marked built but kubernetes:networking.k8s.io/v1:Ingress is not in the plans or the repository");
        expect(specDrift(spec.replace(/ — built: `stacks\/config-schema.ts`/, ""), plans)).toContain('FR-001: no " — built: ..." or " — not yet built: ..." with its evidence');
    });

    it("lays out every component area and every area the plans hold in plan.md's project structure", () => {
        const layout = /## Project Structure\n```\n([\s\S]*?)```/.exec(plan)![1];
        const componentsLine = layout.split("\n").find((l) => l.startsWith("components/"))!;
        const planAreas = new Set(plans.flatMap((p) => p.resources.map((r) => /^pr-cybr:([a-z]+):/.exec(r.type)?.[1]).filter((a): a is string => !!a)));
        for (const area of new Set([...areas, ...planAreas])) expect({ area, listed: componentsLine.includes(area) }).toEqual({ area, listed: true });
    });

    it("checks a task only when its files exist, and has a checked task for every component area", () => {
        const checked = tasks.split("\n").filter((l) => l.startsWith("- [x]"));
        const missing = checked.flatMap((l) => backticked(l).filter((p) => /^[\w.-]+\//.test(p) && !/[\s<>*]/.test(p) && !fs.existsSync(path.join(ROOT, p))).map((p) => `${l.slice(6, 10)}: ${p}`));
        expect(missing).toEqual([]);
        for (const area of areas) expect({ area, task: checked.some((l) => l.includes(`components/${area}/`)) }).toEqual({ area, task: true });
    });
});
