/**
 * Property paths as the diff, the replace rules and Pulumi's resource options write them:
 * `a.b[0].c`, `tags["Name"]`, and the wildcards `[*]` (Pulumi's ignoreChanges / replaceOnChanges) and
 * `[]` (any list element, in replace-rules.json).
 */

/** One step of a path: an object key, a list index, or the wildcard that matches any index or key. */
export type Segment = string | number | typeof ANY;

export const ANY: unique symbol = Symbol("any element");

/** Parses a path; a malformed one throws, naming it (paths come from the program or the data file). */
export function parsePath(path: string): Segment[] {
    const out: Segment[] = [];
    let i = 0;
    const fail = (why: string) => {
        throw new Error(`property path "${path}": ${why} at character ${i + 1}`);
    };
    while (i < path.length) {
        const c = path[i];
        if (c === ".") {
            if (i === 0 || i === path.length - 1) fail("a dot must separate two names");
            i++;
        } else if (c === "[") {
            const close = path.indexOf("]", i);
            if (close < 0) fail("unclosed [");
            const inner = path.slice(i + 1, close);
            if (inner === "" || inner === "*") out.push(ANY);
            else if (/^\d+$/.test(inner)) out.push(Number(inner));
            else if (/^".*"$/.test(inner)) out.push(JSON.parse(inner) as string);
            else fail(`"[${inner}]" is not an index, [*], [] or a quoted key`);
            i = close + 1;
        } else {
            let end = i;
            while (end < path.length && path[end] !== "." && path[end] !== "[") end++;
            out.push(path.slice(i, end));
            i = end;
        }
    }
    return out;
}

/** The path as the diff prints it: `a.b[0]`, with keys that are not plain names quoted. */
export function formatPath(segments: readonly Segment[]): string {
    let out = "";
    for (const s of segments) {
        if (s === ANY) out += "[*]";
        else if (typeof s === "number") out += `[${s}]`;
        else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out ? `.${s}` : s;
        else out += `[${JSON.stringify(s)}]`;
    }
    return out || "(value)";
}

const same = (a: Segment, b: Segment) => a === ANY || b === ANY || a === b;

/** Whether `prefix` is `path` itself or one of its ancestors (wildcards match any step). */
export function isPrefix(prefix: readonly Segment[], path: readonly Segment[]): boolean {
    if (prefix.length > path.length) return false;
    return prefix.every((s, i) => same(s, path[i]));
}

/** The value at a path (wildcards resolved by `concrete`, a path the pattern matched), or undefined. */
export function valueAt(root: unknown, pattern: readonly Segment[], concrete: readonly Segment[]): unknown {
    let cur: unknown = root;
    for (let i = 0; i < pattern.length; i++) {
        const step = pattern[i] === ANY ? concrete[i] : pattern[i];
        if (cur === null || typeof cur !== "object" || step === ANY || step === undefined) return undefined;
        cur = (cur as Record<string | number, unknown>)[step as string | number];
    }
    return cur;
}
