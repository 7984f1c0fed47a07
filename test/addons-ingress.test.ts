// The AWS Load Balancer Controller add-on (components/addons/aws-load-balancer-controller.ts): its IAM
// policy is the controller's published one, its values are keys the chart has, its webhooks cannot
// block what a fresh `up` creates before it is ready, and the plans hold it with its Pod Identity.
import { createHash } from "crypto";
import * as YAML from "yaml";
import {
    AWS_LOAD_BALANCER_CONTROLLER_CHART,
    awsLoadBalancerControllerSpec,
    awsLoadBalancerControllerValues,
    NLB_LOAD_BALANCER_CLASS,
    validateAwsLoadBalancerControllerArgs,
} from "../components/addons";
import { AWS_LOAD_BALANCER_CONTROLLER_POLICY_V3_5_0 } from "../components/addons/policies/aws-load-balancer-controller-v3.5.0";
import { loadBalancerPolicySpec, TENANT_LOAD_BALANCER_CLASS } from "../components/tenancy/guardrails";
import { parseStackConfig } from "../stacks/config";
import { withEdit } from "./helpers/config";
import { chartFixture, unknownValuesKeys } from "./helpers/schema";
import { exactlyOne, PlanRes as Res, planOf } from "./helpers/plan-file";


describe("the AWS Load Balancer Controller", () => {
    it("uses the controller's published v3.5.0 IAM policy, statement for statement", () => {
        const vendored = chartFixture("aws-load-balancer-controller-v3.5.0.iam_policy.json");
        // The upstream file at tag v3.5.0 (docs/install/iam_policy.json), unmodified.
        expect(createHash("sha256").update(vendored).digest("hex")).toBe("16f232c9d9f79366fe949c4550ad517a202380058a9e48d45a4e215044a20a6a");
        expect(AWS_LOAD_BALANCER_CONTROLLER_POLICY_V3_5_0).toEqual(JSON.parse(vendored));
    });

    it("sets only keys the chart's values.yaml declares (the chart ships no values schema)", () => {
        const defaults = YAML.parse(chartFixture("aws-load-balancer-controller-3.5.0.values.yaml"));
        const values = awsLoadBalancerControllerValues({ clusterName: "c", region: "us-east-1", vpcId: "vpc-1", replicas: 2, tags: { a: "b" } });
        expect(unknownValuesKeys(defaults, values)).toEqual([]);
        expect(unknownValuesKeys(defaults, { ...values, enableServiceMutatorWebhok: false, ingressClassParams: { create: true, spek: {} } })).toEqual(["ingressClassParams.spek", "enableServiceMutatorWebhok"]);
        // The chart's own image is the pinned app version.
        expect(defaults.image.tag).toBe(AWS_LOAD_BALANCER_CONTROLLER_CHART.appVersion);
    });

    it("turns off the cluster-wide fail-closed Service mutator and targets pod IPs", () => {
        const values = awsLoadBalancerControllerValues({ clusterName: "c", region: "us-east-1", vpcId: "vpc-1", replicas: 2, tags: {} });
        const defaults = YAML.parse(chartFixture("aws-load-balancer-controller-3.5.0.values.yaml"));
        // What the chart would do otherwise: a Fail webhook on every Service CREATE, no namespace selector.
        expect([defaults.enableServiceMutatorWebhook, defaults.serviceMutatorWebhookConfig.failurePolicy, defaults.serviceMutatorWebhookConfig.namespaceSelectors]).toEqual([true, "Fail", null]);
        expect(values).toMatchObject({ enableServiceMutatorWebhook: false, defaultTargetType: "ip", ingressClassParams: { create: true, spec: { targetType: "ip" } }, podMutatorWebhookConfig: { failurePolicy: "Ignore" } });
        expect(values).toMatchObject({ clusterName: "c", region: "us-east-1", vpcId: "vpc-1" });
    });

    it("declares Pod Identity for its service account and waits for the pod network and nodes, not CoreDNS (its pods retry until DNS answers)", () => {
        const spec = awsLoadBalancerControllerSpec("3.5.0");
        expect(spec.podIdentity).toEqual([{ namespace: "kube-system", serviceAccount: "aws-load-balancer-controller" }]);
        expect(spec.needs).toEqual(["pod-network", "nodes"]);
    });

    it("refuses a chart of unknown compatibility or IAM policy, and a cluster it is not published for", () => {
        const ok = { clusterName: "c", clusterArn: "a", kubernetesVersion: "1.35", vpcId: "v", region: "us-east-1" };
        expect(() => validateAwsLoadBalancerControllerArgs(ok)).not.toThrow();
        expect(() => validateAwsLoadBalancerControllerArgs({ ...ok, chartVersion: "3.4.0" })).toThrow(/chartVersion: "3.4.0" is not a chart version whose compatibility and IAM policy are known/);
        expect(() => validateAwsLoadBalancerControllerArgs({ ...ok, kubernetesVersion: "1.29" })).toThrow(/not published for Kubernetes 1.29/);
        expect(() => validateAwsLoadBalancerControllerArgs({ ...ok, replicas: 0 })).toThrow(/replicas: 0 is not a replica count/);
    });

    it("is what tenants' load balancers must name: the controller's class", () => {
        expect(TENANT_LOAD_BALANCER_CLASS).toBe(NLB_LOAD_BALANCER_CLASS);
        const v = (loadBalancerPolicySpec() as any).validations.map((x: any) => x.expression).join("\n");
        expect(v).toContain(`object.spec.loadBalancerClass == '${NLB_LOAD_BALANCER_CLASS}'`);
    });
});

describe("load balancer controller config", () => {
    it("is on in dev and prod at the pinned chart, its platform ALB internal", () => {
        for (const stack of ["dev", "prod"] as const) {
            const { config } = parseStackConfig(withEdit(stack, () => undefined));
            expect(config!.addons.loadBalancerController).toEqual({ enabled: true, version: "3.5.0", platformScheme: "internal" });
        }
    });
    it("names the config path of an unknown chart version", () => {
        const r = parseStackConfig(withEdit("dev", (raw) => (raw.addons = { loadBalancerController: { version: "3.4.0" } })));
        expect(r.problems).toEqual([expect.objectContaining({ path: "addons.loadBalancerController.version", message: expect.stringContaining("is not a chart version whose compatibility and IAM policy are known") })]);
    });
});

describe.each(["dev", "prod"] as const)("the %s plan's load balancer controller", (stack) => {
    const plan = planOf(stack);
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    const one = (type: string, pred?: (r: Res) => boolean) => exactlyOne(plan, type, pred);
    const release = one("kubernetes:helm.sh/v3:Release", (r) => r.inputs.chart === "aws-load-balancer-controller");

    it("holds the pinned chart from eks-charts, after its Pod Identity association and policy", () => {
        expect([release.inputs.version, release.inputs.repositoryOpts.repo, release.inputs.namespace]).toEqual(["3.5.0", "https://aws.github.io/eks-charts", "kube-system"]);
        const assoc = one("aws:eks/podIdentityAssociation:PodIdentityAssociation", (r) => r.inputs.serviceAccount === "aws-load-balancer-controller");
        expect(assoc.inputs.namespace).toBe("kube-system");
        expect(assoc.inputs.roleArn).toMatch(new RegExp(`:role/pr-cybr-${stack}-lbc-role-`));
        const policy = one("aws:iam/rolePolicy:RolePolicy", (r) => r.name === `pr-cybr-${stack}-lbc-policy`);
        expect(JSON.parse(policy.inputs.policy)).toEqual(AWS_LOAD_BALANCER_CONTROLLER_POLICY_V3_5_0);
        expect(release.dependsOn).toEqual(expect.arrayContaining([assoc.urn, policy.urn]));
        expect(release.inputs.values.vpcId).toMatch(/^vpc-/);
        expect(plan.outputs.addons["aws-load-balancer-controller"]).toBe("3.5.0");
    });

    it("waits for Cilium and the node groups, not CoreDNS (a fresh up's critical path)", () => {
        const deps = release.dependsOn.map((u) => byUrn.get(u)!);
        expect(deps.some((d) => d.name.endsWith("-cilium-release"))).toBe(true);
        expect(deps.some((d) => d.type === "aws:eks/nodeGroup:NodeGroup")).toBe(true);
        expect(deps.some((d) => d.type === "aws:eks/addon:Addon" && d.inputs.addonName === "coredns")).toBe(false);
    });
});
