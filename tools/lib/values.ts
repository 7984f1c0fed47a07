import { SecretValue } from "../../test/mocks/recorder";

/** Plain values with secrets unwrapped: what policies see (the engine hands them decrypted). */
export function unwrapSecrets(value: unknown): unknown {
    if (value instanceof SecretValue) return unwrapSecrets(value.value);
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
    return value;
}

import { SECRET_MARK } from "./secret-mark";

export { SECRET_MARK };

/**
 * The value as written to a plan: secrets replaced by "[secret]", assets by their description, object
 * keys sorted, undefined dropped. The result is JSON-safe and deterministic.
 */
export function toPlanValue(value: unknown): unknown {
    if (value instanceof SecretValue) return SECRET_MARK;
    if (value === undefined || value === null) return value ?? null;
    if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : toPlanValue(v)));
    if (isPlainObject(value)) {
        const out: Record<string, unknown> = {};
        for (const key of Object.keys(value).sort()) {
            const v = value[key];
            if (v !== undefined) out[key] = toPlanValue(v);
        }
        return out;
    }
    if (typeof value === "object") return describeObject(value as Record<string, unknown>);
    return value;
}

function describeObject(value: Record<string, unknown>): unknown {
    // Assets and archives (user data files, Lambda code): show what they point at, not their bytes.
    for (const kind of ["path", "text", "uri"] as const) {
        if (typeof value[kind] === "string" || value[kind] instanceof Promise) return { asset: kind };
    }
    return String(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return !!value && typeof value === "object" && (value.constructor === Object || Object.getPrototypeOf(value) === null);
}
