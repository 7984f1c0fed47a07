import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT, RawConfig } from "../../stacks/config";

const HERE = path.resolve(__dirname, "..", "..");
/** The project root, also when this runs compiled from .build/ (write-shared-platform.ts). */
export const ROOT = path.basename(HERE) === ".build" ? path.dirname(HERE) : HERE;

/** The raw config of a stack file, shaped as parseStackConfig takes it ({ region, environment, network, ... }). */
export function rawConfigOf(stack: "dev" | "prod"): RawConfig {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config as Record<string, unknown>;
    const raw: RawConfig = { region: doc["aws:region"] };
    // readStackConfig takes the account from aws:allowedAccountIds (one account per environment).
    const accounts = doc["aws:allowedAccountIds"];
    if (Array.isArray(accounts)) raw.accountId = accounts[0];
    for (const [key, value] of Object.entries(doc)) {
        if (key.startsWith(`${PROJECT}:`)) raw[key.slice(PROJECT.length + 1)] = value;
    }
    return raw;
}

/** A deep copy of a stack's raw config with `edit` applied, for one-problem-at-a-time tests. */
export function withEdit(stack: "dev" | "prod", edit: (raw: any) => void): RawConfig {
    const raw = structuredClone(rawConfigOf(stack));
    edit(raw);
    return raw;
}
