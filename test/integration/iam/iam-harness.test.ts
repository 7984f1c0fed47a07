// The harness can fail: the evaluator wrapper denies what AWS denies and allows what AWS allows, a
// wrong claim is reported as failed, and the document checks reject what IAM would reject.
import { Claim, evaluateClaims, request } from "./lib/claims";
import { collectDocuments } from "./lib/documents";
import { AccessRequest, decide } from "./lib/evaluator";
import { documentProblems } from "./lib/iam-data-check";
import { Plan } from "./lib/plans";

const ACCOUNT = "123456789012";
const role = `arn:aws:sts::${ACCOUNT}:assumed-role/app/session`;
const readA = { name: "read-a", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/a/*" }] } };
const get = (key: string, extra: Partial<AccessRequest> = {}): AccessRequest => ({ principal: role, action: "s3:GetObject", resource: `arn:aws:s3:::bucket/${key}`, resourceAccount: ACCOUNT, identityPolicies: [readA], ...extra });

describe("IAM harness self-test", () => {
    it("allows what a policy grants and denies everything else", async () => {
        expect(await decide(get("a/x"))).toBe("Allowed");
        expect(await decide(get("b/x"))).toBe("ImplicitlyDenied");
        const boundary = { name: "no-a", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }, { Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::bucket/a/*" }] } };
        expect(await decide(get("a/x", { boundary }))).toBe("ExplicitlyDenied");
        // A key policy that does not enable IAM policies: an identity grant alone is not enough.
        const key = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0b2f7c1e-3d4a-4e5f-9a6b-7c8d9e0f1a2b`;
        const decryptAll = { name: "decrypt", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:Decrypt", Resource: "*" }] } };
        const keyPolicy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/admin` }, Action: "kms:*", Resource: "*" }] };
        expect(await decide({ principal: role, action: "kms:Decrypt", resource: key, resourceAccount: ACCOUNT, identityPolicies: [decryptAll], resourcePolicy: keyPolicy })).toBe("ImplicitlyDenied");
    });

    it("evaluates OIDC claims in a trust policy instead of dropping them", async () => {
        const trust = {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringLike: { "token.actions.githubusercontent.com:sub": "repo:o/r:ref:refs/heads/main" } } }],
        };
        const assume = (sub: string) => decide({ principal: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`, action: "sts:AssumeRoleWithWebIdentity", resource: `arn:aws:iam::${ACCOUNT}:role/r`, resourceAccount: ACCOUNT, resourcePolicy: trust, context: { "token.actions.githubusercontent.com:sub": sub } });
        expect(await assume("repo:o/r:ref:refs/heads/main")).toBe("Allowed");
        expect(await assume("repo:o/r:pull_request")).toBe("ImplicitlyDenied");
    });

    it("evaluates encryption-context keys instead of dropping them", async () => {
        const key = `arn:aws:kms:us-east-1:${ACCOUNT}:key/0b2f7c1e-3d4a-4e5f-9a6b-7c8d9e0f1a2b`;
        const group = (name: string) => `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${name}`;
        const keyPolicy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "logs.us-east-1.amazonaws.com" }, Action: "kms:Decrypt", Resource: "*", Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": group("/a") } } }] };
        const decrypt = (name: string) => decide({ principal: "logs.us-east-1.amazonaws.com", action: "kms:Decrypt", resource: key, resourceAccount: ACCOUNT, resourcePolicy: keyPolicy, context: { "kms:EncryptionContext:aws:logs:arn": group(name) } });
        expect(await decrypt("/a")).toBe("Allowed");
        expect(await decrypt("/b")).toBe("ImplicitlyDenied");
    });

    it("refuses requests it cannot evaluate faithfully", async () => {
        await expect(decide(get("a/x", { action: "s3:GetObjekt" }))).rejects.toThrow(/rejected the request/);
        await expect(decide(get("a/x", { context: { "ec2:CreateAction": "RunInstances" } }))).rejects.toThrow(/would ignore context keys ec2:CreateAction/);
    });

    it("reports a wrong claim as failed", async () => {
        const claims: Claim[] = [
            request("app reads a/x", "self-test", "Allowed", () => get("a/x")),
            request("app reads b/x (deliberately wrong)", "self-test", "Allowed", () => get("b/x")),
            request("app cannot read b/x", "self-test", "Denied", () => get("b/x")),
            request("a malformed request", "self-test", "Denied", () => get("a/x", { action: "s3:GetObjekt" })),
        ];
        expect((await evaluateClaims(claims)).map((r) => r.holds)).toEqual([true, false, true, false]);
    });

    it("rejects documents IAM or AWS's data would reject", async () => {
        const doc = (statement: Record<string, unknown>) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Resource: "*", ...statement }] });
        expect(await documentProblems("identity", doc({ Action: ["s3:ListBucket", "ec2:Describe*"], Condition: { StringEquals: { "aws:RequestedRegion": "us-east-1", "s3:prefix": "a/" } } }))).toEqual([]);
        expect(await documentProblems("identity", doc({ Action: "s3:GetObjekt" }))).toEqual(['Statement[0]: action "s3:GetObjekt" does not exist']);
        expect(await documentProblems("identity", doc({ Action: "s3:Frobnicate*" }))).toEqual(['Statement[0]: action "s3:Frobnicate*" matches no s3 action']);
        expect(await documentProblems("identity", doc({ Action: "s3:GetObject", Condition: { StringEquals: { "ec2:CreateAction": "x" } } }))).toEqual(['Statement[0]: condition key "ec2:CreateAction" is not defined for s3:GetObject']);
        expect(await documentProblems("identity", doc({ Action: "s3:GetObject", Condition: { Bool: { "aws:SecureTransportt": "true" } } }))).toEqual(['Statement[0]: condition key "aws:SecureTransportt" is not a global condition key']);
        expect(await documentProblems("trust", { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole" }] })).not.toEqual([]);
    });

    it("reports a policy document it cannot read instead of skipping it", () => {
        const resource = (type: string, inputs: Record<string, unknown>) => ({ urn: `urn:${type}:x`, type, name: "x", dependsOn: [], inputs });
        const plan: Plan = {
            project: "p",
            stack: "s",
            resources: [resource("aws:kms/key:Key", { policy: "[secret]" }), resource("aws:glacier/vault:Vault", { accessPolicy: JSON.stringify(readA.policy) })],
        };
        const { documents, unreadable } = collectDocuments(plan);
        expect(documents).toEqual([]);
        expect(unreadable.map((u) => `${u.resource.type} ${u.field}: ${u.reason.split(" (")[0]}`)).toEqual([
            "aws:kms/key:Key policy: holds a placeholder",
            "aws:glacier/vault:Vault accessPolicy: holds a policy document in an input this suite does not know the policy type of",
        ]);
    });
});
