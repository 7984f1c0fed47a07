/**
 * The policy test corpus as data: when PR_CYBR_POLICY_CORPUS names a directory, every case the
 * harness runs is also appended there (one JSON line per case, one file per jest worker), so the
 * integration suite can replay the same cases through the real CrossGuard analyzer and the offline
 * engine (test/integration/policy/policy-differential.test.ts). Unset, recording is a no-op.
 */
import * as fs from "fs";
import * as path from "path";

export interface CorpusResource {
    type: string;
    name: string;
    urn: string;
    props: Record<string, unknown>;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
}

export interface CorpusCase {
    test: string;
    kind: "resource" | "stack";
    policy: string;
    config: Record<string, unknown>;
    resources: CorpusResource[];
    /** For resource cases: the resource under test's provider (type, name, urn, props). */
    provider?: { type: string; name: string; urn: string; props: Record<string, unknown> };
}

const dir = process.env.PR_CYBR_POLICY_CORPUS;

export function recordCase(c: Omit<CorpusCase, "test">): void {
    if (!dir) return;
    const test = (globalThis as { expect?: { getState(): { currentTestName?: string; testPath?: string } } }).expect?.getState();
    const entry: CorpusCase = { test: `${path.basename(test?.testPath ?? "?")} > ${test?.currentTestName ?? "?"}`, ...c };
    fs.appendFileSync(path.join(dir, `${process.pid}.jsonl`), JSON.stringify(entry) + "\n");
}

export function readCorpus(from: string): CorpusCase[] {
    return fs
        .readdirSync(from)
        .filter((f) => f.endsWith(".jsonl"))
        .sort()
        .flatMap((f) => fs.readFileSync(path.join(from, f), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as CorpusCase));
}
