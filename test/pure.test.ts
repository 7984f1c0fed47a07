import { archOfInstanceType } from "../components/shared/instance-types";
import { isDnsLabel } from "../components/shared/names";
import { parseQuantity, requireQuantity } from "../components/shared/quantity";
import { AZ_SLOTS, cidrsOverlap, planSubnets } from "../components/network/subnet-plan";
import { IPv4CidrRange } from "ip-num";

describe("parseQuantity (Kubernetes quantity grammar)", () => {
    it.each([
        ["4", 4],
        ["500m", 0.5],
        ["1500m", 1.5],
        ["8Gi", 8 * 2 ** 30],
        ["512Mi", 512 * 2 ** 20],
        ["1Ti", 2 ** 40],
        ["2k", 2000],
        ["100M", 1e8],
        ["1e3", 1000],
        ["1.5", 1.5],
        [".5", 0.5],
        [2, 2],
    ] as const)("%s -> %d", (input, expected) => {
        expect(parseQuantity(input)).toBeCloseTo(expected, 9);
    });

    it.each(["8GB", "4 cores", "", "Gi", "1.2.3", " 4", "4 ", "1e"])("rejects %j", (input) => {
        expect(parseQuantity(input)).toBeUndefined();
    });

    it("requireQuantity names the bad value", () => {
        expect(() => requireQuantity("8GB")).toThrow('"8GB" is not a Kubernetes quantity such as "500m", "2", "8Gi" or "512Mi"');
    });
});

describe("planSubnets", () => {
    it("lays out a /16 over 3 AZs: private /20, public and intra /21", () => {
        expect(planSubnets("10.40.0.0/16", 3)).toEqual({
            private: ["10.40.0.0/20", "10.40.16.0/20", "10.40.32.0/20"],
            public: ["10.40.128.0/21", "10.40.136.0/21", "10.40.144.0/21"],
            intra: ["10.40.192.0/21", "10.40.200.0/21", "10.40.208.0/21"],
        });
    });

    it("keeps existing subnets when AZs are added (no renumbering, no replacement)", () => {
        const two = planSubnets("10.20.0.0/16", 2);
        const six = planSubnets("10.20.0.0/16", 6);
        for (const tier of ["public", "private", "intra"] as const) expect(six[tier].slice(0, 2)).toEqual(two[tier]);
    });

    it.each(["10.20.0.0/16", "172.16.0.0/18", "192.168.0.0/20"])("every subnet of %s is inside the VPC and none overlap", (cidr) => {
        const plan = planSubnets(cidr, AZ_SLOTS);
        const all = [...plan.public, ...plan.private, ...plan.intra];
        const vpc = IPv4CidrRange.fromCidr(cidr);
        for (const s of all) expect(IPv4CidrRange.fromCidr(s).inside(vpc)).toBe(true);
        for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) expect(cidrsOverlap(all[i], all[j])).toBe(false);
    });

    it("rejects a CIDR it cannot split and an AZ count beyond the slots", () => {
        expect(() => planSubnets("10.20.0.0/24", 2)).toThrow("cidr: prefix /24 is out of range");
        expect(() => planSubnets("10.20.0.0/16", 9)).toThrow("azCount: 9 is out of range (1 to 8)");
    });
});

describe("archOfInstanceType", () => {
    it.each([
        ["m7g.large", "arm64"],
        ["c7gn.2xlarge", "arm64"],
        ["t4g.medium", "arm64"],
        ["r8g.xlarge", "arm64"],
        ["im4gn.large", "arm64"],
        ["is4gen.xlarge", "arm64"],
        ["a1.large", "arm64"],
        ["g5g.xlarge", "arm64"],
        ["m7i.large", "amd64"],
        ["m7i-flex.large", "amd64"],
        ["t3a.medium", "amd64"],
        ["g5.xlarge", "amd64"],
        ["c6in.large", "amd64"],
    ] as const)("%s is %s", (type, arch) => {
        expect(archOfInstanceType(type)).toBe(arch);
    });
});

describe("isDnsLabel", () => {
    it.each(["org-a", "a", "n0d3-sju-01", "x".repeat(63)])("accepts %s", (v) => expect(isDnsLabel(v)).toBe(true));
    it.each(["Org_A", "-a", "a-", "", "x".repeat(64), "a.b"])("rejects %j", (v) => expect(isDnsLabel(v)).toBe(false));
});
