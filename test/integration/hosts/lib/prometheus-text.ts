// The Prometheus text exposition format, as far as the suites read it: one sample per line,
// `name{label="value",...} value [timestamp]`; comments (# HELP, # TYPE) skipped.
export interface Sample {
    name: string;
    labels: Record<string, string>;
    value: number;
}

export function parseExposition(text: string): Sample[] {
    const samples: Sample[] = [];
    for (const line of text.split("\n")) {
        if (!line || line.startsWith("#")) continue;
        const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
        if (!m) continue;
        const labels: Record<string, string> = {};
        for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2].replace(/\\(.)/g, "$1");
        samples.push({ name: m[1], labels, value: Number(m[3]) });
    }
    return samples;
}

/** The value of the one sample with this name and these labels (a subset), or undefined. */
export function value(samples: Sample[] | undefined, name: string, labels: Record<string, string> = {}): number | undefined {
    const found = (samples ?? []).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    if (found.length > 1) throw new Error(`${name}${JSON.stringify(labels)}: ${found.length} samples`);
    return found[0]?.value;
}
