/**
 * `pulumi policy publish` packs only policy/ (plus its node_modules), so every relative import of the
 * pack must stay inside policy/: the program may import the pack (components/shared re-exports its
 * quantities and required tags), never the other way round.
 */
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../helpers/config";

const PACK = path.join(ROOT, "policy");

/** Module specifiers of a file's import statements and require calls. */
const specifiers = (text: string) => [...text.matchAll(/^\s*(?:import|export)\b[^;]*?from\s*["']([^"']+)["']/gm), ...text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);

function sources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === "node_modules" ? [] : sources(p);
        return e.name.endsWith(".ts") ? [p] : [];
    });
}

describe("the policy pack stands alone", () => {
    it("imports nothing outside policy/ by relative path", () => {
        const escapes: string[] = [];
        for (const file of sources(PACK)) {
            for (const spec of specifiers(fs.readFileSync(file, "utf8")).filter((s) => s.startsWith("."))) {
                const target = path.resolve(path.dirname(file), spec);
                if (!target.startsWith(PACK + path.sep)) escapes.push(`${path.relative(ROOT, file)} -> ${spec}`);
            }
        }
        expect(escapes).toEqual([]);
    });

    it("imports only packages its own package.json declares", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(PACK, "package.json"), "utf8")) as { dependencies: Record<string, string> };
        const bare = new Set<string>();
        for (const file of sources(PACK)) {
            for (const spec of specifiers(fs.readFileSync(file, "utf8")).filter((s) => !s.startsWith("."))) {
                const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
                if (!["fs", "path", "os", "crypto", "util", "zlib"].includes(name)) bare.add(name);
            }
        }
        expect([...bare].filter((n) => !(n in pkg.dependencies))).toEqual([]);
    });

    it("the program's quantities and required tags are the pack's (one source of truth)", async () => {
        const [program, pack] = await Promise.all([import("../../components/shared/quantity"), import("../../policy/rules/lib/quantity")]);
        expect(program.parseQuantity).toBe(pack.parseQuantity);
        const [tags, packTags] = await Promise.all([import("../../components/shared/tags"), import("../../policy/rules/lib/required-tags")]);
        expect(tags.REQUIRED_TAG_KEYS).toBe(packTags.REQUIRED_TAG_KEYS);
    });
});
