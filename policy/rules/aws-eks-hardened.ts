import { ResourceValidationPolicy } from "@pulumi/policy";
import { worldOpenFamilies } from "./lib/cidr";
import { Deferred, peek } from "./lib/unknowns";

export interface EksHardeningConfig {
    /** Control-plane log types that must be on. */
    requiredLogTypes: string[];
    /** Whether the API endpoint must be private (prod). */
    requirePrivateEndpoint: boolean;
}

/**
 * Unencrypted secrets sit in etcd as base64; without audit logs nobody can say who did what; a public
 * endpoint is one credential leak away from the internet.
 */
export const awsEksClusterHardened: ResourceValidationPolicy = {
    name: "aws-eks-cluster-hardened",
    description: "EKS clusters encrypt secrets with KMS, send the required control-plane log types, never open the API to 0.0.0.0/0, and keep the endpoint private where policy config requires it (prod).",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            requiredLogTypes: { type: "array", items: { enum: ["api", "audit", "authenticator", "controllerManager", "scheduler"] }, default: ["audit", "authenticator"] },
            requirePrivateEndpoint: { type: "boolean", default: true },
        },
    },
    validateResource: (args, reportViolation) => {
        if (args.type !== "aws:eks/cluster:Cluster") return;
        const cfg = args.getConfig<EksHardeningConfig>();
        const deferred = new Deferred();
        const p = args.props;
        const problems: string[] = [];
        // The key is another resource's ARN, unknown in a preview: that it is set (`in`) is what counts.
        const encrypted = deferred.run(() => {
            const e = p.encryptionConfig;
            return !!e && (e.resources ?? []).includes("secrets") && !!e.provider && "keyArn" in e.provider;
        });
        if (encrypted === false) problems.push("secrets are not envelope-encrypted with a KMS key");
        deferred.run(() => {
            const logs: string[] = p.enabledClusterLogTypes ?? [];
            const missingLogs = cfg.requiredLogTypes.filter((t) => !logs.includes(t));
            if (missingLogs.length > 0) problems.push(`control-plane logs miss ${missingLogs.join(", ")}`);
        });
        deferred.run(() => {
            const publicAccess = p.vpcConfig?.endpointPublicAccess !== false;
            if (publicAccess && cfg.requirePrivateEndpoint) return void problems.push("the API endpoint is public (this environment requires it private)");
            const cidrs: string[] = p.vpcConfig?.publicAccessCidrs ?? ["0.0.0.0/0"];
            if (publicAccess && worldOpenFamilies(cidrs).length > 0) problems.push(`the public API endpoint is open to the whole internet (${cidrs.join(", ")})`);
        });
        if (problems.length > 0) reportViolation(`EKS cluster "${peek(() => p.name) ?? args.name}": ${problems.join("; ")}.`);
        deferred.finish();
    },
};
