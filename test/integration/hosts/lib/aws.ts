// The AWS CLI (pinned, engine "moto") against moto, from the suites' side.
import { spawnSync } from "child_process";
import * as fs from "fs";
import { engine } from "../../lib/env";

export function awsEnv(): Record<string, string> {
    return engine("moto").env as Record<string, string>;
}

/** Runs `aws <args> --output json`; returns the parsed answer ("" when there is none). Throws with stderr on failure. */
export function aws(args: string[], opts: { allowFailure?: boolean } = {}): any {
    const env = awsEnv();
    const r = spawnSync(env.PR_CYBR_AWS_CLI, [...args, "--output", "json"], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", ...env } });
    if (r.status !== 0) {
        if (opts.allowFailure) return undefined;
        throw new Error(`aws ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    }
    return r.stdout.trim() ? JSON.parse(r.stdout) : "";
}

/** Clears every moto backend (each scenario starts from an empty account: no managed node either). */
export async function resetMoto(): Promise<void> {
    const res = await fetch(`${awsEnv().AWS_ENDPOINT_URL}/moto-api/reset`, { method: "POST" });
    if (!res.ok) throw new Error(`moto reset: ${res.status}`);
    const ssm = awsEnv().PR_CYBR_SSM_DIR;
    fs.rmSync(ssm, { recursive: true, force: true });
    fs.mkdirSync(ssm, { recursive: true });
}

export interface RecordedRequest {
    method: string;
    url: string;
    headers: Record<string, string>;
}

/** The requests moto received while `fn` ran (moto's recorder, /moto-api/recorder/*). */
export async function recordRequests(fn: () => Promise<void>): Promise<RecordedRequest[]> {
    const api = `${awsEnv().AWS_ENDPOINT_URL}/moto-api/recorder`;
    await fetch(`${api}/reset-recording`, { method: "POST" });
    await fetch(`${api}/start-recording`, { method: "POST" });
    try {
        await fn();
    } finally {
        await fetch(`${api}/stop-recording`, { method: "POST" });
    }
    const text = await (await fetch(`${api}/download-recording`)).text();
    return text
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l));
}
