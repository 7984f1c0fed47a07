import { createHash } from "crypto";
import { SECRET_MARK } from "./secret-mark";

/** Values longer than this (as JSON) are shortened to a head and a hash. */
export const MAX_VALUE_CHARS = 60;
const HEAD_CHARS = 32;

/**
 * One value of a diff as a reviewer reads it: JSON for scalars (so `"4"` and `4` differ), `(none)` when
 * absent, `[secret]` bare (plans hold only the mask, never the value), and a long text as its head, its
 * length and a short SHA-256 — enough to see that it changed and to match it against a file.
 */
export function renderValue(value: unknown): string {
    if (value === undefined) return "(none)";
    if (value === SECRET_MARK) return SECRET_MARK;
    const json = JSON.stringify(value);
    if (json.length <= MAX_VALUE_CHARS) return json;
    const hash = createHash("sha256").update(json).digest("hex").slice(0, 12);
    return `${json.slice(0, HEAD_CHARS)}… (${json.length} chars, sha256:${hash})`;
}
