/** Characters a single-quoted shell value may hold here: enough for names, ARNs, URLs and image refs. */
const SAFE = /^[A-Za-z0-9_./:@,=+-]*$/;

/**
 * Shell-quoted `KEY='value'` lines for a script or an environment file. Refuses a value that could
 * break out of its quotes, naming the setting (`what` says whose settings they are).
 */
export function shellAssignments(entries: readonly (readonly [string, string])[], what: string): string {
    for (const [key, value] of entries) {
        if (!SAFE.test(value)) throw new Error(`${what} setting ${key}="${value}" has characters a shell file cannot carry safely`);
    }
    return entries.map(([k, v]) => `${k}='${v}'`).join("\n") + "\n";
}
