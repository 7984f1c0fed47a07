import { createHash } from "crypto";
import * as fs from "fs";
import * as YAML from "yaml";

/** Config as the Pulumi CLI would hand it to the program: `ns:key` -> string, plus the secret keys. */
export interface StackFileConfig {
    readonly values: Record<string, string>;
    readonly secretKeys: string[];
    /** Stand-ins for `secure:` values (we cannot decrypt them offline); none may reach the plan. */
    readonly fakeSecrets: string[];
}

export class UsageError extends Error {}

/**
 * Reads Pulumi.yaml project config (values under `value:`) overlaid with the stack file's `config:`.
 * `secure:` values cannot be decrypted without the stack's secrets provider, so each becomes a
 * deterministic stand-in, and its top-level key is marked secret exactly as the CLI does.
 */
export function readStackFiles(projectFile: string, stackFile: string): StackFileConfig {
    const project = parseYamlFile(projectFile) as { config?: Record<string, unknown> } | null;
    const stack = parseYamlFile(stackFile) as { config?: Record<string, unknown> } | null;
    const merged: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(project?.config ?? {})) {
        if (spec && typeof spec === "object" && "value" in spec) merged[key] = (spec as { value: unknown }).value;
    }
    Object.assign(merged, stack?.config ?? {});

    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    const fakeSecrets: string[] = [];
    for (const [key, value] of Object.entries(merged)) {
        let secret = false;
        const plain = replaceSecure(value, key, (stand) => {
            secret = true;
            fakeSecrets.push(stand);
        });
        values[key] = typeof plain === "string" ? plain : JSON.stringify(plain);
        if (secret) secretKeys.push(key);
    }
    return { values, secretKeys, fakeSecrets };
}

function replaceSecure(value: unknown, path: string, onSecret: (stand: string) => void): unknown {
    if (Array.isArray(value)) return value.map((v, i) => replaceSecure(v, `${path}[${i}]`, onSecret));
    if (value && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (Object.keys(obj).length === 1 && typeof obj.secure === "string") {
            const stand = `synth-secret-${createHash("sha256").update(`${path}:${obj.secure}`).digest("hex").slice(0, 24)}`;
            onSecret(stand);
            return stand;
        }
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, replaceSecure(v, `${path}.${k}`, onSecret)]));
    }
    return value;
}

function parseYamlFile(file: string): unknown {
    if (!fs.existsSync(file)) throw new UsageError(`${file}: no such file`);
    const doc = YAML.parseDocument(fs.readFileSync(file, "utf8"));
    if (doc.errors.length > 0) throw new UsageError(`${file}: invalid YAML: ${doc.errors[0].message}`);
    return doc.toJS();
}
