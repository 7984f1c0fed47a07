import * as fs from "fs";
import * as path from "path";

/**
 * The source tree's copy of a directory of this program's own files. `pulumi up` runs the program from
 * its sources (Pulumi.yaml `main: stacks/index.ts`), synth runs it compiled from `.build/`, where those
 * files are copied: a path a resource keeps as an input (a build context) must name the source tree's,
 * or the offline plan would show a path a real run never registers.
 */
export function sourceTreeDir(dir: string): string {
    const parts = dir.split(path.sep);
    const i = parts.lastIndexOf(".build");
    if (i < 0) return dir;
    const source = [...parts.slice(0, i), ...parts.slice(i + 1)].join(path.sep);
    return fs.existsSync(source) ? source : dir;
}
