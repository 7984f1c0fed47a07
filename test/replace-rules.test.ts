import * as fs from "fs";
import { uncoveredTypes, unknownInputs } from "../tools/replace-rules";
import { isCovered, RULES, rulesFor } from "../tools/lib/replace-rules";
import { sharedPlan } from "./helpers/cli";
import { ROOT } from "./helpers/config";

describe("tools/data/replace-rules.json", () => {
    it("covers every resource type dev and prod use (add the type from its provider's schema when this fails)", () => {
        expect(uncoveredTypes([sharedPlan("dev"), sharedPlan("prod")])).toEqual([]);
    });

    it("names only inputs the installed SDKs have (a provider bump that renames one fails here)", () => {
        expect(unknownInputs(ROOT)).toEqual([]);
    });

    it("records where each rule was read: a source file for every type, a repository and commit for every provider", () => {
        const providers = new Set(Object.keys(RULES.types).map((t) => t.slice(0, t.indexOf(":"))));
        for (const p of providers) expect([p, RULES.provenance[p]?.commit]).toEqual([p, expect.stringMatching(/^[0-9a-f]{40}$|^per file/)]);
        for (const [type, entry] of Object.entries(RULES.types)) {
            expect([type, typeof entry.source]).toEqual([type, "string"]);
            if (type.startsWith("aws:")) expect([type, entry.commit === null || /^[0-9a-f]{40}$/.test(entry.commit ?? "")]).toEqual([type, true]);
        }
        expect(fs.readFileSync(`${ROOT}/tools/data/SOURCES.md`, "utf8")).toContain("## Verified against upstream");
    });

    it("falls back to the Kubernetes default for kinds it does not list, and to nothing for unknown providers", () => {
        expect(rulesFor("kubernetes:cilium.io/v2:CiliumNetworkPolicy")?.rules.map((r) => r.text)).toEqual(["metadata.name", "metadata.namespace"]);
        expect(isCovered("acme:index/widget:Widget")).toBe(false);
        expect(isCovered("pulumi:providers:aws")).toBe(true);
    });
});
