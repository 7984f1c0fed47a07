import { ResourceValidationPolicy } from "@pulumi/policy";
import { Deferred } from "./lib/unknowns";

const isTrue = (v: unknown) => v === true || v === "true";

/**
 * IMDSv1 answers any SSRF with the instance role's credentials; IMDSv2 needs a PUT with a token. The
 * token's response carries the hop limit as its IP TTL: at 1 it never leaves the host, so a container or
 * pod in its own network namespace (one routed hop away) gets no token. Unset, the AMI decides (AL2023
 * AMIs registered for IMDSv2 default to 2), so it must be set.
 */
export const awsImdsv2Required: ResourceValidationPolicy = {
    name: "aws-imdsv2-required",
    description: "EC2 instances and launch templates require IMDSv2 (metadataOptions.httpTokens = required) with a hop limit of 1, so neither a server-side request forgery nor a container can read the instance role's credentials.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== "aws:ec2/instance:Instance" && args.type !== "aws:ec2/launchTemplate:LaunchTemplate") return;
        const tokens = args.props.metadataOptions?.httpTokens;
        if (tokens !== "required") reportViolation(`${args.type} "${args.name}" sets metadataOptions.httpTokens to ${tokens === undefined ? "nothing (IMDSv1 stays on)" : `"${tokens}"`}; set "required".`);
        const hops = args.props.metadataOptions?.httpPutResponseHopLimit;
        if (hops !== 1 && hops !== "1") {
            reportViolation(
                `${args.type} "${args.name}" sets metadataOptions.httpPutResponseHopLimit to ${hops === undefined ? "nothing (the AMI's default, 2 on AL2023)" : JSON.stringify(hops)}; set 1: ` +
                    "with more, every container or pod one hop away can take the instance role's credentials (host-network processes need only 1).",
            );
        }
    },
};

/**
 * An unencrypted volume leaks data through snapshots, AMIs and discarded disks. A launch template or
 * instance that maps no device of its own gets the AMI's block device mappings, encrypted only if the
 * AMI's snapshots or the account's EBS default say so — neither of which the program states — so it
 * must map its volumes with `encrypted: true`.
 */
export const awsEbsEncrypted: ResourceValidationPolicy = {
    name: "aws-ebs-encrypted",
    description: "EBS volumes, instance root and data volumes and launch-template block devices are encrypted, and launch templates map their volumes (with none mapped, the AMI's unencrypted defaults apply).",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const deferred = new Deferred();
        const p = args.props;
        const unencrypted: string[] = [];
        if (args.type === "aws:ebs/volume:Volume") deferred.run(() => !isTrue(p.encrypted) && unencrypted.push("the volume"));
        if (args.type === "aws:ec2/instance:Instance") {
            deferred.run(() => !isTrue(p.rootBlockDevice?.encrypted) && unencrypted.push("the root volume"));
            for (const d of deferred.run(() => p.ebsBlockDevices ?? []) ?? []) deferred.run(() => !isTrue(d.encrypted) && unencrypted.push(`volume ${d.deviceName}`));
        }
        if (args.type === "aws:ec2/launchTemplate:LaunchTemplate") {
            const devices = (deferred.run(() => p.blockDeviceMappings ?? []) ?? undefined) as Record<string, any>[] | undefined;
            if (devices?.length === 0) {
                reportViolation(`${args.type} "${args.name}" maps no block device, so instances get the AMI's mappings (unencrypted unless the AMI or the account default says otherwise): map the root device with ebs.encrypted: true.`);
            }
            for (const d of devices ?? []) deferred.run(() => d.ebs && !isTrue(d.ebs.encrypted) && unencrypted.push(`block device ${d.deviceName}`));
        }
        if (unencrypted.length > 0) reportViolation(`${args.type} "${args.name}": ${unencrypted.join(", ")} ${unencrypted.length > 1 ? "are" : "is"} not encrypted.`);
        deferred.finish();
    },
};
