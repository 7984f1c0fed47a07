/**
 * The offline engine's test rules (test/policy/engine.test.ts). They are also served as a policy pack
 * of their own (test/integration/policy/engine-pack), so the real analyzer gets the same cases.
 */
import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

/** What flag-every-vpc saw, for the unit test's assertions on props and provider props. */
export const seen: { props: unknown; provider?: unknown }[] = [];
export const flagEveryVpc: ResourceValidationPolicy = {
    name: "flag-every-vpc",
    description: "test rule: reports each VPC so levels and config can be observed",
    enforcementLevel: "advisory",
    configSchema: { properties: { label: { type: "string", default: "vpc" } } },
    validateResource: (args, report) => {
        if (args.type !== "aws:ec2/vpc:Vpc") return;
        seen.push({ props: args.props, provider: args.provider?.props });
        report(`${args.getConfig<{ label: string }>().label} ${args.name}`);
    },
};
export const countStack: StackValidationPolicy = {
    name: "count-stack",
    description: "test rule: reports how many resources and which parent links it saw",
    enforcementLevel: "remediate",
    validateStack: (args, report) => {
        const subnet = args.resources.find((r) => r.type === "aws:ec2/subnet:Subnet")!;
        report(`subnet parent ${subnet.parent?.name}, vpcId from ${subnet.propertyDependencies.vpcId.map((d) => d.name).join(",")}`, subnet.urn);
    },
};
export const reportsAnywhere: StackValidationPolicy = {
    name: "reports-anywhere",
    description: "test rule: reports without a URN, with one outside the stack, and with a resource's",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        report("no urn");
        report("outside", "urn:pulumi:engine::pr-cybr-platform::aws:ec2/vpc:Vpc::elsewhere");
        report("on the subnet", args.resources.find((r) => r.type === "aws:ec2/subnet:Subnet")!.urn);
    },
};
export const reportsOnOther: ResourceValidationPolicy = {
    name: "reports-on-other",
    description: "test rule: a resource rule naming another URN",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type === "aws:ec2/vpc:Vpc") report("vpc", "urn:pulumi:engine::pr-cybr-platform::aws:ec2/vpc:Vpc::elsewhere");
    },
};
export const readsCidr: ResourceValidationPolicy = {
    name: "reads-cidr",
    description: "test rule: reads the VPC's CIDR block",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
        if (args.type === "aws:ec2/vpc:Vpc" && args.props.cidrBlock !== "10.0.0.0/16") report("unexpected CIDR");
    },
};
export const readsIds: StackValidationPolicy = {
    name: "reads-ids",
    description: "test rule: reads every VPC's id",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
        for (const r of args.resources) if (r.type === "aws:ec2/vpc:Vpc" && !String(r.props.id).startsWith("vpc-")) report("odd id", r.urn);
    },
};

/** isType with a provider class: the SDK's aws.Provider has __pulumiType "aws", its resources type "pulumi:providers:aws". */
export const providerIsType: ResourceValidationPolicy = {
    name: "provider-is-type",
    description: "test rule: reports every resource isType(aws.Provider) matches",
    enforcementLevel: "advisory",
    validateResource: (args, report) => {
        if (args.isType(aws.Provider)) report(`isType(aws.Provider) on ${args.type}`);
    },
};

/** A resource rule on every type, the root stack included. */
export const everyType: ResourceValidationPolicy = {
    name: "every-type",
    description: "test rule: reports each resource it is given, whatever its type",
    enforcementLevel: "advisory",
    validateResource: (args, report) => report(args.type),
};

/** A stack rule reading each resource's provider (region). */
export const stackProviders: StackValidationPolicy = {
    name: "stack-providers",
    description: "test rule: reports the provider region each stack resource has",
    enforcementLevel: "advisory",
    validateStack: (args, report) => {
        for (const r of args.resources) if (r.type.startsWith("aws:")) report(`${r.name} provider ${r.provider?.name ?? "none"} in ${String(r.provider?.props.region ?? "-")}`, r.urn);
    },
};

export const ENGINE_TEST_RULES = [flagEveryVpc, countStack, reportsAnywhere, reportsOnOther, readsCidr, readsIds, providerIsType, everyType, stackProviders];
