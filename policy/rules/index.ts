/**
 * Every rule of the pack, as plain policy objects. The pack (policy/index.ts) and synth's policy engine
 * both take this list; nothing here constructs a PolicyPack, so tests and synth can import it safely.
 */
import { Policies } from "@pulumi/policy";
import { awsEbsEncrypted, awsImdsv2Required } from "./aws-compute";
import { awsEksClusterHardened } from "./aws-eks-hardened";
import { awsKmsKeyRotation, awsSecretsRotationPeriod } from "./aws-kms-secrets";
import { awsRequiredTags } from "./aws-required-tags";
import { awsS3BucketHardened } from "./aws-s3-hardened";
import { awsSecurityGroupNoPublicAdminPorts } from "./aws-security-groups";
import { k8sAllowedRegistries, k8sNoPrivilegedWorkloads, k8sResourcesRequired, k8sRunAsNonRoot } from "./k8s-workloads";
import { noPlaintextSecrets } from "./no-plaintext-secrets";
import { tenantAppProjectScoped } from "./tenant-appproject-scoped";
import { tenantNamespaceGuardrails } from "./tenant-namespace-guardrails";
import { tenantNoLoadBalancer } from "./tenant-no-loadbalancer";
import { tenantQuotasFitCluster } from "./tenant-quotas-fit-cluster";
import { tenantQuotaWithinBudget } from "./tenant-quota-within-budget";
import { tlsCertMaxValidity } from "./tls-cert-max-validity";
import { vpcFlowLogsEnabled } from "./vpc-flow-logs-enabled";

export * from "./aws-compute";
export * from "./aws-eks-hardened";
export * from "./aws-kms-secrets";
export * from "./aws-required-tags";
export * from "./aws-s3-hardened";
export * from "./aws-security-groups";
export * from "./k8s-workloads";
export * from "./no-plaintext-secrets";
export * from "./tenant-appproject-scoped";
export * from "./tenant-namespace-guardrails";
export * from "./tenant-no-loadbalancer";
export * from "./tenant-quotas-fit-cluster";
export * from "./tenant-quota-within-budget";
export * from "./tls-cert-max-validity";
export * from "./vpc-flow-logs-enabled";

export const PACK_NAME = "pr-cybr-platform";

/** Tenancy first (what this pack exists for), then workloads, then AWS and platform guardrails. */
export const policies: Policies = [
    tenantNamespaceGuardrails,
    tenantQuotaWithinBudget,
    tenantQuotasFitCluster,
    tenantAppProjectScoped,
    tenantNoLoadBalancer,
    k8sNoPrivilegedWorkloads,
    k8sResourcesRequired,
    k8sAllowedRegistries,
    k8sRunAsNonRoot,
    awsImdsv2Required,
    awsEbsEncrypted,
    awsS3BucketHardened,
    awsSecurityGroupNoPublicAdminPorts,
    awsEksClusterHardened,
    awsKmsKeyRotation,
    awsSecretsRotationPeriod,
    awsRequiredTags,
    vpcFlowLogsEnabled,
    noPlaintextSecrets,
    tlsCertMaxValidity,
];
