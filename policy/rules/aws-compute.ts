import { ResourceValidationPolicy } from "@pulumi/policy";

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

/** An unencrypted volume leaks data through snapshots, AMIs and discarded disks. */
export const awsEbsEncrypted: ResourceValidationPolicy = {
    name: "aws-ebs-encrypted",
    description: "EBS volumes, instance root and data volumes and launch-template block devices are encrypted.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const p = args.props;
        const unencrypted: string[] = [];
        if (args.type === "aws:ebs/volume:Volume" && !isTrue(p.encrypted)) unencrypted.push("the volume");
        if (args.type === "aws:ec2/instance:Instance") {
            if (!isTrue(p.rootBlockDevice?.encrypted)) unencrypted.push("the root volume");
            for (const d of p.ebsBlockDevices ?? []) if (!isTrue(d.encrypted)) unencrypted.push(`volume ${d.deviceName}`);
        }
        if (args.type === "aws:ec2/launchTemplate:LaunchTemplate") {
            for (const d of p.blockDeviceMappings ?? []) if (d.ebs && !isTrue(d.ebs.encrypted)) unencrypted.push(`block device ${d.deviceName}`);
        }
        if (unencrypted.length > 0) reportViolation(`${args.type} "${args.name}": ${unencrypted.join(", ")} ${unencrypted.length > 1 ? "are" : "is"} not encrypted.`);
    },
};
