// Areas never import each other (issue 19, "end the sideways imports"): what two areas share lives in
// components/shared/, and shared/ imports no area. stacks/ composes areas; components never import stacks/.
import * as fs from "fs";
import * as path from "path";

const COMPONENTS = path.join(__dirname, "..", "components");

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? sourceFiles(p) : /\.ts$/.test(e.name) ? [p] : [];
    });
}

/** Every relative import of a file, resolved to a path under the repository. */
function importsOf(file: string): string[] {
    const text = fs.readFileSync(file, "utf8");
    return [...text.matchAll(/(?:import|export)[^;]*?from\s+"(\.[^"]+)"/g)].map((m) => path.resolve(path.dirname(file), m[1]));
}

const areaOf = (p: string): string | undefined => {
    const rel = path.relative(COMPONENTS, p);
    return rel.startsWith("..") ? undefined : rel.split(path.sep)[0];
};

test("no component area imports another area, and shared/ imports none", () => {
    const problems: string[] = [];
    for (const file of sourceFiles(COMPONENTS)) {
        const from = areaOf(file)!;
        for (const target of importsOf(file)) {
            const to = areaOf(target);
            const rel = path.relative(path.join(COMPONENTS, ".."), file);
            if (to === undefined) {
                // Outside components/: only the policy pack's pure libraries (shared with the pack) may be used.
                if (!path.relative(path.join(COMPONENTS, "..", "policy", "rules", "lib"), target).startsWith("..")) continue;
                problems.push(`${rel} imports ${path.relative(path.join(COMPONENTS, ".."), target)} (components never import stacks/ or tools/)`);
            } else if (to !== from && to !== "shared") {
                problems.push(`${rel} imports components/${to} (move what both areas need to components/shared/)`);
            }
        }
    }
    expect(problems).toEqual([]);
});
