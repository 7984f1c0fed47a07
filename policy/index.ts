/**
 * The CrossGuard pack, for `pulumi preview|up --policy-pack policy --policy-pack-config
 * policy/config/<stack>.json`. This is the only file that constructs the PolicyPack: its constructor
 * starts a gRPC server, so tests and synth import rules/ instead.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./rules";

new PolicyPack(PACK_NAME, { policies, enforcementLevel: "advisory" });
