import { ResourceValidationPolicy } from "@pulumi/policy";

const isTrue = (v: unknown) => v === true || v === "true";

/** IMDSv1 answers any SSRF with the instance role's credentials; IMDSv2 needs a PUT with a token. */
export const awsImdsv2Required: ResourceValidationPolicy = {
    name: "aws-imdsv2-required",
    description: "EC2 instances and launch templates require IMDSv2 (metadataOptions.httpTokens = required), so a server-side request forgery cannot read instance credentials.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== "aws:ec2/instance:Instance" && args.type !== "aws:ec2/launchTemplate:LaunchTemplate") return;
        const tokens = args.props.metadataOptions?.httpTokens;
        if (tokens !== "required") reportViolation(`${args.type} "${args.name}" sets metadataOptions.httpTokens to ${tokens === undefined ? "nothing (IMDSv1 stays on)" : `"${tokens}"`}; set "required".`);
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
