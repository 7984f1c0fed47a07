/**
 * The Node versions the project declares, the ones its workflows run and the ones its dependencies
 * accept must agree: otherwise `npm ci` prints EBADENGINE and, worse, a dependency may use features
 * our Node lacks. Read from the committed lock files, so the check needs no registry.
 */
import * as fs from "fs";
import * as path from "path";
import * as semver from "semver";
import * as YAML from "yaml";
import { ROOT } from "./helpers/config";

type LockPackages = Record<string, { version?: string; engines?: { node?: string } | string[] }>;
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8"));
const declared: string = readJson("package.json").engines.node;

/** Every locked package whose `engines.node` does not accept every Node the project declares. */
function narrowerEngines(lockFile: string): string[] {
    const packages: LockPackages = readJson(lockFile).packages;
    return Object.entries(packages).flatMap(([where, pkg]) => {
        const node = !Array.isArray(pkg.engines) ? pkg.engines?.node : undefined;
        if (!where || !node || semver.subset(declared, node)) return [];
        return [`${where}@${pkg.version}: engines.node "${node}" does not cover "${declared}"`];
    });
}

/** Each `node-version` a workflow's setup-node step asks for, with its file. */
function workflowNodeVersions(): { file: string; version: string }[] {
    const dir = path.join(ROOT, ".github", "workflows");
    return fs.readdirSync(dir).flatMap((file) => {
        const jobs = YAML.parse(fs.readFileSync(path.join(dir, file), "utf8")).jobs ?? {};
        return Object.values<any>(jobs).flatMap((job) =>
            (job.steps ?? []).filter((s: any) => String(s.uses ?? "").startsWith("actions/setup-node@")).map((s: any) => ({ file, version: String(s.with?.["node-version"]) })),
        );
    });
}

describe("Node engines", () => {
    it("are declared as a valid range that the lock file records too", () => {
        expect(semver.validRange(declared)).not.toBeNull();
        expect(readJson("package-lock.json").packages[""].engines.node).toBe(declared);
    });

    it("of every locked dependency (program and policy pack) accept every Node the project declares", () => {
        expect([...narrowerEngines("package-lock.json"), ...narrowerEngines("policy/package-lock.json")]).toEqual([]);
    });

    it("include the Node every workflow runs", () => {
        const versions = workflowNodeVersions();
        expect(versions.length).toBeGreaterThan(0);
        // setup-node resolves `20` to the newest 20.x: the range must admit that line's current releases.
        const outside = versions.filter((v) => !semver.intersects(`${v.version}.x`, declared) && !semver.satisfies(v.version, declared));
        expect(outside).toEqual([]);
    });

    it("include the Node running these tests (the machines and CI run the same line)", () => {
        expect(semver.satisfies(process.version, declared)).toBe(true);
    });

    it("catch a dependency narrower than the declared range (self-check of the comparison)", () => {
        expect(semver.subset(declared, ">=22")).toBe(false);
        expect(semver.subset(declared, ">=14")).toBe(true);
    });
});
