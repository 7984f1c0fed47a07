/**
 * The offline engine's test rules as a CrossGuard pack. It carries the platform pack's name (and its
 * package.json the platform pack's version), because the offline engine names that pack in its
 * "can't run" diagnostics; a rename shows up as a drift in policy-differential.
 */
import { PolicyPack } from "@pulumi/policy";
import { ENGINE_TEST_RULES } from "../../../policy/engine-rules";

new PolicyPack("pr-cybr-platform", { policies: ENGINE_TEST_RULES, enforcementLevel: "advisory" });
