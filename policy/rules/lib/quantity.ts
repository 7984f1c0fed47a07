/**
 * Kubernetes resource quantities ("500m", "4", "8Gi", "1e3") parsed the way the API server does, so
 * the config schema and the policy pack agree with the cluster on what a quota means.
 *
 * Grammar (k8s.io/apimachinery/pkg/api/resource): a signed decimal number, then one suffix: a binary
 * SI suffix (Ki..Ei), a decimal SI suffix (n, u, m, "", k, M, G, T, P, E) or a decimal exponent (e3).
 */
const BINARY_SI: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL_SI: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|[numkMGTPE]?)$/;

/** What a quantity looks like, for error messages. */
export const QUANTITY_HELP = 'a Kubernetes quantity such as "500m", "2", "8Gi" or "512Mi"';

/** Parses a quantity into base units (cores for cpu, bytes for memory); undefined when malformed. */
export function parseQuantity(value: string | number): number | undefined {
    if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
    const match = QUANTITY.exec(value.trim());
    if (!match || value.trim() !== value) return undefined;
    const [, digits, suffix] = match;
    const base = Number(digits);
    if (suffix in BINARY_SI) return base * BINARY_SI[suffix];
    if (suffix in DECIMAL_SI) return base * DECIMAL_SI[suffix];
    return base * 10 ** Number(suffix.slice(1));
}

/** Like parseQuantity, but throws with the offending value when malformed. */
export function requireQuantity(value: string | number): number {
    const parsed = parseQuantity(value);
    if (parsed === undefined) throw new Error(`"${value}" is not ${QUANTITY_HELP}`);
    return parsed;
}

const BINARY_SUFFIXES = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
const DECIMAL_SUFFIXES: [number, string][] = [[18, "E"], [15, "P"], [12, "T"], [9, "G"], [6, "M"], [3, "k"], [0, ""], [-3, "m"]];

/**
 * A quantity in the canonical form the API server stores (apimachinery resource.Quantity
 * CanonicalizeBytes): bytes with the largest binary suffix that keeps the number whole ("1Ti", not
 * "1024Gi"; below 1024 plain decimal), counts and cores with the largest power-of-1000 suffix that does
 * ("1500m", "2", "1k"). Sending any other spelling makes the stored object differ from the program's,
 * which shows as a change on every preview. Checked against a real API server in
 * test/integration/k8s/quantities.test.ts.
 */
export function formatQuantity(value: number, format: "binary" | "decimal"): string {
    if (!Number.isFinite(value)) throw new Error(`cannot format ${value} as a quantity`);
    if (format === "binary" && Number.isInteger(value) && Math.abs(value) >= 1024) {
        let n = value;
        let i = 0;
        while (i < BINARY_SUFFIXES.length - 1 && n % 1024 === 0) {
            n /= 1024;
            i++;
        }
        return `${n}${BINARY_SUFFIXES[i]}`;
    }
    if (value === 0) return "0";
    // Resource fields keep millis at most: the API server rounds finer values up ("100n" -> "1m").
    let milli = Math.ceil(Math.round(value * 1e3 * 1e6) / 1e6);
    let exp = -3;
    while (exp < 18 && milli % 1000 === 0) {
        milli /= 1000;
        exp += 3;
    }
    const [, suffix] = DECIMAL_SUFFIXES.find(([e]) => e === exp)!;
    return `${milli}${suffix}`;
}
