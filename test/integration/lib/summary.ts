// .integration/summary.json (DESIGN §11): every suite appends the engines it used and its scenarios,
// `{ engines: { name: version }, scenarios: [{ id, passed, seconds }] }`. Jest runs suites in parallel
// worker processes, so each append holds an exclusive lock file.
import * as fs from "fs";
import * as path from "path";
import { INTEGRATION_DIR } from "./env";

const SUMMARY = path.join(INTEGRATION_DIR, "summary.json");
const LOCK = `${SUMMARY}.lock`;

interface Summary {
    engines: Record<string, string>;
    scenarios: { id: string; passed: boolean; seconds: number; partOf?: string }[];
}

function withLock<T>(fn: () => T): T {
    fs.mkdirSync(INTEGRATION_DIR, { recursive: true });
    const deadline = Date.now() + 30000;
    for (;;) {
        try {
            fs.closeSync(fs.openSync(LOCK, "wx"));
            break;
        } catch (err: any) {
            if (err.code !== "EEXIST" || Date.now() > deadline) throw err;
            Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
        }
    }
    try {
        return fn();
    } finally {
        fs.rmSync(LOCK, { force: true });
    }
}

function update(edit: (s: Summary) => void): void {
    withLock(() => {
        const current: Summary = fs.existsSync(SUMMARY) ? JSON.parse(fs.readFileSync(SUMMARY, "utf8")) : { engines: {}, scenarios: [] };
        edit(current);
        fs.writeFileSync(SUMMARY, JSON.stringify(current, null, 2) + "\n");
    });
}

/** Records the engines (name → version) a suite ran against. */
export function recordEngines(engines: Record<string, string>): void {
    update((s) => Object.assign(s.engines, engines));
}

/**
 * Records one scenario's outcome; a rerun of the same id replaces the earlier entry. A part of a
 * larger scenario (`partOf`, the id an issue names) also updates that one: passed while every part
 * has passed, its seconds the parts' sum.
 */
export function recordScenario(id: string, passed: boolean, seconds: number, partOf?: string): void {
    update((s) => {
        s.scenarios = s.scenarios.filter((x) => x.id !== id);
        s.scenarios.push({ id, passed, seconds: Math.round(seconds * 100) / 100, ...(partOf ? { partOf } : {}) });
        if (partOf) {
            const parts = s.scenarios.filter((x) => x.partOf === partOf);
            s.scenarios = s.scenarios.filter((x) => x.id !== partOf);
            s.scenarios.push({ id: partOf, passed: parts.every((x) => x.passed), seconds: Math.round(parts.reduce((n, x) => n + x.seconds, 0) * 100) / 100 });
        }
    });
}

/**
 * A jest test that is also a named scenario of summary.json: passed when `fn` resolves, failed (and
 * rethrown) when it throws.
 */
export function scenario(id: string, title: string, fn: () => Promise<void> | void, timeoutMs?: number, opts: { partOf?: string } = {}): void {
    it(`[${id}] ${title}`, async () => {
        const started = process.hrtime.bigint();
        const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
        try {
            await fn();
        } catch (err) {
            recordScenario(id, false, seconds(), opts.partOf);
            throw err;
        }
        recordScenario(id, true, seconds(), opts.partOf);
    }, timeoutMs);
}
