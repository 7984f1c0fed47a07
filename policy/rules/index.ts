/**
 * Every rule of the pack, as plain policy objects. The pack (policy/index.ts) and synth's policy engine
 * both take this list; nothing here constructs a PolicyPack, so tests and synth can import it safely.
 */
import { Policies } from "@pulumi/policy";
import { awsRequiredTags } from "./aws-required-tags";
import { vpcFlowLogsEnabled } from "./vpc-flow-logs-enabled";

export { awsRequiredTags } from "./aws-required-tags";
export { vpcFlowLogsEnabled } from "./vpc-flow-logs-enabled";

export const PACK_NAME = "pr-cybr-platform";

export const policies: Policies = [awsRequiredTags, vpcFlowLogsEnabled];
