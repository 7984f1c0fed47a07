// A claim: one row of "this principal may / may not do this" that a document of ours promises, with
// where the promise is written. `decide` returns the evaluator's decision for that row.
import { AccessRequest, decide, Decision } from "./evaluator";

export type Expectation = "Allowed" | "Denied";

export interface Claim {
    /** What is claimed, in words ("edge node n0d3-sju-01 reads its own bundle"). */
    claim: string;
    /** Where our docs promise it (file and section), or the external requirement it encodes. */
    source: string;
    expect: Expectation;
    decide: () => Promise<{ decision: Decision; note?: string }>;
}

/** A claim that one request is allowed or denied. */
export function request(claim: string, source: string, expect: Expectation, req: () => AccessRequest | Promise<AccessRequest>): Claim {
    return { claim, source, expect, decide: async () => ({ decision: await decide(await req()) }) };
}

export interface ClaimResult {
    claim: Claim;
    decision?: Decision;
    note?: string;
    error?: string;
    holds: boolean;
}

export async function evaluateClaims(claims: Claim[]): Promise<ClaimResult[]> {
    const results: ClaimResult[] = [];
    for (const claim of claims) {
        try {
            const { decision, note } = await claim.decide();
            const holds = claim.expect === "Allowed" ? decision === "Allowed" : decision !== "Allowed";
            results.push({ claim, decision, note, holds });
        } catch (err) {
            results.push({ claim, error: (err as Error).message, holds: false });
        }
    }
    return results;
}

/** One line per claim: verdict, expectation, decision, the claim and its source. */
export function renderTable(results: ClaimResult[]): string {
    return results
        .map((r) => `${r.holds ? "ok  " : "FAIL"} expect ${r.claim.expect.padEnd(7)} got ${(r.decision ?? "error").padEnd(16)} ${r.claim.claim}${r.note ? ` [${r.note}]` : ""}${r.error ? ` [${r.error}]` : ""}  (${r.claim.source})`)
        .join("\n");
}
