// The GitOps bridge's in-cluster Secret (components/gitops/cluster-secret.ts): the label and annotation
// names the bridge documents (gitops-bridge-dev/gitops-bridge argocd/iac at cac900a2; EKS Blueprints
// add-ons' gitops_metadata, aws-ia/terraform-aws-eks-blueprints-addons outputs.tf at d78fb74a) and what the plans hold.
import * as fs from "fs";
import { bridgeKey, bridgeMetadata, validateInClusterSecretArgs } from "../components/gitops";
import { sharedPlan } from "./helpers/cli";

const base = { environment: "dev", clusterName: "c", region: "us-east-1", accountId: "111111111111", vpcId: "vpc-1", addonsRepo: { url: "https://g/x.git", revision: "main", path: "envs/dev/addons" } };

describe("bridge metadata", () => {
    it("uses the bridge's names: enable_<addon> labels, <addon>_{iam_role_arn,namespace,service_account} and aws_* annotations", () => {
        const m = bridgeMetadata({ ...base, addons: [{ name: "external-secrets", namespace: "external-secrets", serviceAccount: "external-secrets", roleArn: "arn:r" }, { name: "velero", namespace: "velero", serviceAccount: "velero-server", roleArn: "arn:v", facts: { backup_s3_bucket_name: "b" } }] });
        expect(m.labels).toEqual({ "argocd.argoproj.io/secret-type": "cluster", environment: "dev", enable_external_secrets: "true", enable_velero: "true" });
        expect(m.annotations).toEqual({
            aws_cluster_name: "c", aws_region: "us-east-1", aws_account_id: "111111111111", aws_vpc_id: "vpc-1",
            addons_repo_url: "https://g/x.git", addons_repo_basepath: "", addons_repo_path: "envs/dev/addons", addons_repo_revision: "main",
            external_secrets_namespace: "external-secrets", external_secrets_service_account: "external-secrets", external_secrets_iam_role_arn: "arn:r",
            velero_namespace: "velero", velero_service_account: "velero-server", velero_iam_role_arn: "arn:v", velero_backup_s3_bucket_name: "b",
        });
        expect(bridgeKey("aws-load-balancer-controller")).toBe("aws_load_balancer_controller");
    });
    it("refuses an add-on twice, and a role without its service account", () => {
        expect(() => validateInClusterSecretArgs({ ...base, addons: [{ name: "velero", namespace: "v" }, { name: "velero", namespace: "w" }] })).toThrow(/addons\[1\].name: "velero" is listed twice/);
        expect(() => validateInClusterSecretArgs({ ...base, addons: [{ name: "velero", namespace: "v", roleArn: "arn:v" }] })).toThrow(/a role without a service account/);
    });
});

describe.each(["dev", "prod"] as const)("the %s plan's in-cluster Secret", (stack) => {
    const plan = JSON.parse(fs.readFileSync(sharedPlan(stack), "utf8"));
    const secret = plan.resources.find((r: any) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata.name === "in-cluster");
    it("is Argo CD's cluster Secret in its namespace, announcing every add-on of the plan's outputs", () => {
        expect(secret.inputs.metadata).toMatchObject({ namespace: "argocd", labels: { "argocd.argoproj.io/secret-type": "cluster" } });
        for (const addon of Object.keys(plan.outputs.addons)) expect(secret.inputs.metadata.labels[`enable_${bridgeKey(addon)}`]).toBe("true");
        expect(secret.inputs.metadata.annotations.velero_backup_s3_bucket_name).toMatch(new RegExp(`^pr-cybr-${stack}-velero-\\d{12}$`));
    });
});
