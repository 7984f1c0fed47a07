/**
 * Every IAM role the platform creates carries the account's deploy boundary (bootstrap,
 * components/backend/boundary.ts): the deploy role may create only roles bounded like itself, so a
 * role it creates can never hold more than it does.
 */
import * as pulumi from "@pulumi/pulumi";
import { boundaryName } from "../components/backend/boundary";
import { PlatformConfig } from "./config";

const ROLE = "aws:iam/role:Role";

/** The boundary's ARN, in the deploy role's partition and account (the environment's own). */
export function deployBoundaryArn(cfg: PlatformConfig): string {
    const [, partition, , , account] = cfg.cluster.deployRoleArn.split(":");
    return `arn:${partition}:iam::${account}:policy/${boundaryName(cfg.environment)}`;
}

/**
 * Sets `permissionsBoundary` on every role registered after this call. A stack transformation rather
 * than an arg of each component: the rule is the account's, not any component's, and a new component
 * cannot forget it. The SDK-side `registerStackTransformation`, because engine-side transforms need
 * an engine (the mock runtime synth runs on reports `supportsTransforms = false`).
 */
export function boundEveryRole(cfg: PlatformConfig): void {
    const boundary = deployBoundaryArn(cfg);
    pulumi.runtime.registerStackTransformation((args) =>
        args.type === ROLE && args.props.permissionsBoundary === undefined ? { props: { ...args.props, permissionsBoundary: boundary }, opts: args.opts } : undefined,
    );
}
