import { createHash } from "crypto";
import { edgeSiteHostname } from "../stacks/edge-config";
import * as aws from "@pulumi/aws";
import * as fs from "fs";
import * as YAML from "yaml";
import { agentContextHash, agentManifestVersion, AGENT_CONTEXT_DIR, EDGE_IDENTITY_TAG, EdgeAccess, edgeCommonName, registryEntry, validateEdgeAccessArgs, validateEdgeAgentImageArgs, validateEdgeCaArgs, validateEdgeNodeArgs, validateEdgeSiteArgs, EdgeNodeArgs } from "../components/edge";
import { PlatformOutputs } from "../stacks/platform";
import { parseTailscaleOAuth } from "../stacks/edge";
import { installMocks, MockHarness } from "./mocks";
import { SecretValue } from "./mocks/recorder";
import { platformUnderMocks, stackConfig } from "./helpers/platform";
import { derivedStackFile, runTool, sharedPlan, tempDir } from "./helpers/cli";
import { promiseOf } from "./helpers/outputs";
import * as pulumi from "@pulumi/pulumi";
import { planOf } from "./helpers/plan-file";

type Obj = Record<string, any>;
const unwrap = (v: unknown): any => (v instanceof SecretValue ? v.value : v);
const resolved = (m: Record<string, pulumi.Output<string>>): Promise<Record<string, string>> => promiseOf(pulumi.all(m));

describe.each(["dev", "prod"] as const)("the %s edge", (stack) => {
    let harness: MockHarness;
    let outputs: PlatformOutputs;
    const config = stackConfig(stack);
    const prefix = `pr-cybr-${stack}`;
    const nodeName = (n: string) => `${prefix}-edge-node-${n}`;
    const ofNode = (n: string) => harness.recorder.list().filter((r) => r.parent === harness.get("pr-cybr:edge:EdgeNode", nodeName(n)).urn);
    const one = (n: string, type: string) => {
        const found = ofNode(n).filter((r) => r.type === type);
        expect(found).toHaveLength(1);
        return found[0];
    };
    beforeAll(async () => ({ harness, outputs } = await platformUnderMocks(stack, config)));

    it("issues each node an ECDSA key and a 90-day client+server certificate from the edge CA, renewed 30 days early", () => {
        const ca = harness.get("tls:index/selfSignedCert:SelfSignedCert", `${prefix}-edge-ca-cert`);
        expect(ca.inputs).toMatchObject({ isCaCertificate: true, subject: { commonName: `${prefix} edge CA` } });
        expect(ca.inputs.earlyRenewalHours).toBeUndefined();
        for (const n of config.edge.nodes) {
            expect(one(n.name, "tls:index/privateKey:PrivateKey").inputs).toMatchObject({ algorithm: "ECDSA", ecdsaCurve: "P256" });
            const cert = one(n.name, "tls:index/locallySignedCert:LocallySignedCert");
            expect(cert.inputs).toMatchObject({ validityPeriodHours: 90 * 24, earlyRenewalHours: 30 * 24, caCertPem: ca.outputs.certPem });
            expect(cert.inputs.allowedUses).toEqual(expect.arrayContaining(["client_auth", "server_auth", "digital_signature"]));
            expect(cert.inputs.caPrivateKeyPem).toBeInstanceOf(SecretValue);
            const csr = one(n.name, "tls:index/certRequest:CertRequest");
            const publicKey = String(one(n.name, "tls:index/privateKey:PrivateKey").outputs.publicKeyPem);
            expect(csr.inputs.subject).toMatchObject({ commonName: edgeCommonName(n.name, publicKey), organizationalUnit: `edge-${stack}` });
            expect((csr.inputs.subject as Obj).commonName).toMatch(new RegExp(`^${n.name}-[0-9a-f]{8}$`));
            expect(String((csr.inputs.subject as Obj).commonName).length).toBeLessThanOrEqual(64);
        }
    });

    it("gives every site one tunnel with its config and a proxied CNAME, shared by the site's nodes", () => {
        const sites = [...new Set(config.edge.nodes.map((n) => n.site))].sort();
        const tunnels = harness.ofType("cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared");
        expect(tunnels.map((t) => t.inputs.name).sort()).toEqual(sites.map((s) => `${prefix}-${s}`));
        for (const site of sites) {
            const tunnel = harness.get("cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared", `${prefix}-edge-site-${site}-tunnel`);
            expect(tunnel.inputs).toMatchObject({ accountId: config.cloudflare.accountId, configSrc: "cloudflare" });
            const cfg = harness.get("cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig", `${prefix}-edge-site-${site}-tunnel-config`).inputs as Obj;
            expect(cfg.tunnelId).toBe(tunnel.id);
            expect(cfg.config.ingresses).toEqual([{ hostname: edgeSiteHostname(config, site), service: "http://localhost:8080" }, { service: "http_status:404" }]);
            const dns = harness.get("cloudflare:index/dnsRecord:DnsRecord", `${prefix}-edge-site-${site}-dns`).inputs;
            expect(dns).toMatchObject({ zoneId: config.cloudflare.zoneId, name: edgeSiteHostname(config, site), type: "CNAME", content: `${tunnel.id}.cfargotunnel.com`, proxied: true, ttl: 1 });
            expect(outputs.edgeSites[site].hostname).toBe(edgeSiteHostname(config, site));
            // Proxied: served with the zone's Universal SSL certificate, which covers one label below the zone.
            expect(dns.name).toBe(`${site}.${config.cloudflare.zoneName}`);
        }
        // The connector token comes from Cloudflare's token lookup, once per tunnel.
        const lookups = harness.invokes.filter((i) => i.token === "cloudflare:index/getZeroTrustTunnelCloudflaredToken:getZeroTrustTunnelCloudflaredToken");
        expect(lookups.map((l) => l.inputs.tunnelId).sort()).toEqual(tunnels.map((t) => t.id).sort());
    });

    it("keeps each node's secrets in one bundle, encrypted with the environment key, readable only by its certificate CN", () => {
        const envKey = harness.get(aws.kms.Key, `${prefix}-secrets-key`);
        for (const n of config.edge.nodes) {
            const secret = harness.ofType(aws.secretsmanager.Secret).find((s) => s.name === `${nodeName(n.name)}-bundle`)!;
            const cn = (one(n.name, "tls:index/certRequest:CertRequest").inputs.subject as Obj).commonName;
            expect(secret.inputs).toMatchObject({ name: `pr-cybr/${stack}/edge/nodes/${n.name}/bundle`, kmsKeyId: envKey.outputs.arn, recoveryWindowInDays: 0 });
            expect((secret.inputs.tags as Obj)[EDGE_IDENTITY_TAG]).toBe(cn);
            const version = harness.get(aws.secretsmanager.SecretVersion, `${nodeName(n.name)}-bundle-value`);
            expect(version.inputs.secretString).toBeInstanceOf(SecretValue);
            const bundle = JSON.parse(unwrap(version.inputs.secretString));
            expect(Object.keys(bundle).sort()).toEqual(["caCertPem", "certificatePem", "collectorCaPem", "installScript", "installScriptSha256", "nodeToken", "privateKeyPem", "tunnelToken", "vpn", "workerTokenSecretArn"]);
            // The installer the node's daily run checks and runs: the rendered one, and its sha256.
            expect(bundle.installScriptSha256).toBe(createHash("sha256").update(bundle.installScript, "utf8").digest("hex"));
            expect(bundle.installScript).toContain(`NODE_NAME='${n.name}'`);
            expect(bundle.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
            expect(bundle.certificatePem).toBe(one(n.name, "tls:index/locallySignedCert:LocallySignedCert").outputs.certPem);
            expect(bundle.caCertPem).toBe(harness.get("tls:index/selfSignedCert:SelfSignedCert", `${prefix}-edge-ca-cert`).outputs.certPem);
            expect(bundle.collectorCaPem).toBe(harness.get("tls:index/selfSignedCert:SelfSignedCert", `${prefix}-swarm-pki-ca`).outputs.certPem);
            expect(bundle.workerTokenSecretArn).toBe(harness.get(aws.secretsmanager.Secret, `${prefix}-swarm-worker-token`).outputs.arn);
            expect(bundle.nodeToken).toHaveLength(48);
            expect(bundle.vpn.kind).toBe(n.vpn);
            // The site's connector token, from the lookup for the node's own site tunnel.
            const tunnelId = harness.get("cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared", `${prefix}-edge-site-${n.site}-tunnel`).id;
            expect(JSON.parse(Buffer.from(bundle.tunnelToken, "base64").toString()).t).toBe(tunnelId);
            expect(harness.generatedSecrets.has(bundle.tunnelToken)).toBe(true);
        }
    });

    it("mints a single-use, pre-authorized, tagged Tailscale key or a pre-authorized ZeroTier member per node", () => {
        for (const n of config.edge.nodes) {
            const bundle = JSON.parse(unwrap(harness.get(aws.secretsmanager.SecretVersion, `${nodeName(n.name)}-bundle-value`).inputs.secretString));
            if (n.vpn === "tailscale") {
                const key = one(n.name, "tailscale:index/tailnetKey:TailnetKey");
                expect(key.inputs).toMatchObject({ reusable: false, ephemeral: false, preauthorized: true, tags: [config.edge.tailscale!.tag], recreateIfInvalid: "always" });
                expect(Number(key.inputs.expiry)).toBeLessThanOrEqual(90 * 86400);
                expect(String(key.inputs.description)).toMatch(/^[A-Za-z0-9 -]{1,50}$/);
                expect(key.providerRef).toMatch(/pulumi:providers:tailscale::tailscale-/);
                expect(bundle.vpn.authKey).toBe(unwrap(key.outputs.key));
            } else {
                const [identity, member] = ["identity", "member"].map((r) => harness.get("command:local:Command", `${nodeName(n.name)}-zerotier-${r}`));
                const idSecret = harness.get(aws.secretsmanager.Secret, `${nodeName(n.name)}-zerotier-identity-secret`);
                expect(String(identity.inputs.create)).toContain("zerotier-idtool generate");
                // The secret half goes straight to the node's own secret; only the public half is printed.
                expect(String(identity.inputs.create)).toMatch(/put-secret-value[^\n]*--secret-id "\$SECRET_ARN"[\s\S]*cut -d: -f1-3$/);
                expect((identity.inputs.environment as Obj).SECRET_ARN).toBe(idSecret.outputs.arn);
                const address = String(identity.outputs.stdout).split(":")[0];
                // The API token makes the whole environment map secret (state and plan show no part of it).
                expect(member.inputs.environment).toBeInstanceOf(SecretValue);
                expect(unwrap(member.inputs.environment).MEMBER_URL).toBe(`https://api.zerotier.com/api/v1/network/${config.edge.zerotier!.networkId}/member/${address}`);
                expect(String(member.inputs.create)).toContain('\\"authorized\\":true');
                expect(String(member.inputs.delete)).toContain("-X DELETE");
                expect(bundle.vpn).toEqual({ kind: "zerotier", networkId: config.edge.zerotier!.networkId, identityPublic: String(identity.outputs.stdout), identitySecretArn: idSecret.outputs.arn });
                expect((idSecret.inputs.tags as Obj)[EDGE_IDENTITY_TAG]).toBe((one(n.name, "tls:index/certRequest:CertRequest").inputs.subject as Obj).commonName);
            }
        }
    });

    it("lets a node's certificate read only its own secrets, through IAM Roles Anywhere anchored on the edge CA", () => {
        const anchor = harness.get("aws:rolesanywhere/trustAnchor:TrustAnchor", `${prefix}-edge-access-anchor`);
        expect(anchor.inputs.source).toEqual({ sourceType: "CERTIFICATE_BUNDLE", sourceData: { x509CertificateData: harness.get("tls:index/selfSignedCert:SelfSignedCert", `${prefix}-edge-ca-cert`).outputs.certPem } });
        const role = harness.get(aws.iam.Role, `${prefix}-edge-access-role`);
        const trust = JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0];
        expect(trust.Principal).toEqual({ Service: "rolesanywhere.amazonaws.com" });
        expect(trust.Condition.ArnEquals["aws:SourceArn"]).toBe(anchor.outputs.arn);
        expect(trust.Condition.StringEquals["aws:PrincipalTag/x509Issuer/CN"]).toBe(`${prefix} edge CA`);
        const byId = Object.fromEntries(JSON.parse(String(harness.get(aws.iam.RolePolicy, `${prefix}-edge-access-policy`).inputs.policy)).Statement.map((s: Obj) => [s.Sid, s]));
        expect(byId.OwnBundleOnly.Condition.StringEquals[`aws:ResourceTag/${EDGE_IDENTITY_TAG}`]).toBe("${aws:PrincipalTag/x509Subject/CN}");
        expect(byId.OwnBundleOnly.Resource).toBe(`arn:aws:secretsmanager:us-east-1:123456789012:secret:pr-cybr/${stack}/edge/nodes/*`);
        expect(byId.OwnBundleOnly.Action).toBe("secretsmanager:GetSecretValue");
        expect(byId.DecryptThroughSecretsManager.Resource).toEqual([harness.get(aws.kms.Key, `${prefix}-secrets-key`).outputs.arn, harness.get(aws.kms.Key, `${prefix}-swarm-key`).outputs.arn]);
        // Nothing else: no write, no list, no wildcard resource except the registry login.
        for (const s of Object.values(byId) as Obj[]) {
            expect([s.Action].flat().every((a: string) => /^(secretsmanager:GetSecretValue|kms:Decrypt|ecr:(GetAuthorizationToken|BatchGetImage|GetDownloadUrlForLayer|BatchCheckLayerAvailability))$/.test(a))).toBe(true);
            if (s.Resource === "*") expect(s.Action).toBe("ecr:GetAuthorizationToken");
        }
        const profile = harness.get("aws:rolesanywhere/profile:Profile", `${prefix}-edge-access-profile`);
        expect(profile.inputs).toMatchObject({ roleArns: [role.outputs.arn], durationSeconds: 3600, enabled: true });
        expect(outputs).toBeDefined();
    });

    it("publishes a registry entry per node as a versioned SSM parameter, and the aggregate as an output", async () => {
        const registry = await resolved(outputs.edgeRegistry);
        expect(Object.keys(registry).sort()).toEqual(config.edge.nodes.map((n) => n.name).sort());
        for (const n of config.edge.nodes) {
            const param = one(n.name, "aws:ssm/parameter:Parameter");
            expect(param.inputs).toMatchObject({ name: `/pr-cybr/${stack}/edge/registry/${n.name}`, type: "String", tier: "Standard" });
            expect(param.inputs.insecureValue).toBe(registry[n.name]);
            const entry = YAML.parse(String(param.inputs.insecureValue));
            expect(entry).toMatchObject({
                apiVersion: "registry.pr-cybr.io/v1",
                kind: "EdgeNode",
                metadata: { name: n.name, environment: stack, site: n.site },
                spec: { arch: n.arch, vpn: n.vpn, capabilities: n.capabilities, resources: { profile: n.profile }, site: { hostname: edgeSiteHostname(config, n.site) }, management: { swarm: `${prefix}-swarm` } },
            });
            expect(entry.spec.management.joinAddress).toMatch(/^internal-.*\.elb\.us-east-1\.amazonaws\.com:2377$/);
            expect(entry.spec.management.collectorEndpoint).toMatch(/:4317$/);
            expect(entry.spec.identity.certificateNotAfter).toBe("2026-04-01T00:00:00Z");
            expect(String(param.inputs.insecureValue).length).toBeLessThan(4096);
        }
    });

    it("builds the agent for linux/amd64 and linux/arm64 into an immutable, scanned ECR repository, never on preview", () => {
        const repo = harness.get("aws:ecr/repository:Repository", `${prefix}-edge-agent-repo`);
        expect(repo.inputs).toMatchObject({ name: `pr-cybr-${stack}/edge-agent`, imageTagMutability: "IMMUTABLE_WITH_EXCLUSION", imageScanningConfiguration: { scanOnPush: true } });
        const image = harness.get("docker-build:index:Image", `${prefix}-edge-agent-image`);
        expect(image.inputs).toMatchObject({ platforms: ["linux/amd64", "linux/arm64"], push: true, buildOnPreview: false });
        // The Dockerfile takes no build arguments: the manifest pins the release (agentVersion must equal it).
        expect(image.inputs.buildArgs).toBeUndefined();
        expect(config.edge.agentVersion).toBe(agentManifestVersion());
        expect(image.inputs.tags).toEqual([`${repo.outputs.repositoryUrl}:${config.edge.agentVersion}-${agentContextHash(config.edge.agentVersion)}`]);
        expect(image.inputs.registries).toBeInstanceOf(SecretValue);
        expect(unwrap(image.inputs.registries)[0]).toMatchObject({ address: String(repo.outputs.repositoryUrl).split("/")[0], username: "AWS" });
        expect(image.providerRef).toMatch(/pulumi:providers:docker-build::docker-build-/);
        // The context the real build reads is the directory that holds the Dockerfile.
        expect(fs.readdirSync(AGENT_CONTEXT_DIR).sort()).toEqual(["Dockerfile", "build.sh", "config.yaml", "go.sum", "manifest.yaml"]);
    });

    it("names the source tree's build context in the synthesized plan, as `pulumi up` from the sources registers it (synth runs from .build/)", () => {
        const image = planOf(stack).resources.find((r) => r.type === "docker-build:index:Image")!;
        expect(image.inputs.context).toEqual({ location: "components/edge/agent" });
    });

    it("ties generated edge secrets to one rotation clock of secrets.rotationDays", () => {
        const clock = harness.get("time:index/rotating:Rotating", `${prefix}-edge-rotation`);
        expect(clock.inputs.rotationDays).toBe(config.secrets.rotationDays);
        for (const n of config.edge.nodes) expect((one(n.name, "random:index/randomPassword:RandomPassword").inputs.keepers as Obj).rotation).toBe(clock.outputs.rfc3339);
    });

    it("has the collector accept the agents' node certificates (edge CA) on the internal load balancer", () => {
        const clientCa = harness.ofType("docker:index/secret:Secret").find((s) => String(s.inputs.name).startsWith("telemetry-client-ca"))!;
        expect(Buffer.from(String(unwrap(clientCa.inputs.data)), "base64").toString()).toBe(harness.get("tls:index/selfSignedCert:SelfSignedCert", `${prefix}-edge-ca-cert`).outputs.certPem);
        const listeners = harness.ofType(aws.lb.Listener).filter((l) => l.name.startsWith(`${prefix}-swarm`)).map((l) => l.inputs.port);
        expect(listeners).toEqual(expect.arrayContaining([2376, 2377, 4317]));
    });

    it("puts no secret in install scripts, registry entries, tags or plain outputs", async () => {
        const secrets = [...harness.generatedSecrets];
        expect(secrets.length).toBeGreaterThan(10);
        const scripts = await resolved(outputs.edgeInstallScripts);
        const registry = await resolved(outputs.edgeRegistry);
        const texts: [string, string][] = [
            ...Object.entries(scripts).map(([n, s]) => [`script ${n}`, String(s)] as [string, string]),
            ...Object.entries(registry).map(([n, s]) => [`registry ${n}`, String(s)] as [string, string]),
            ...harness.recorder.list().filter((r) => r.inputs.tags).map((r) => [`tags of ${r.name}`, JSON.stringify(r.inputs.tags)] as [string, string]),
        ];
        for (const [where, text] of texts) {
            expect(text).not.toMatch(/PRIVATE KEY|tskey-auth|SWMTKN/);
            for (const s of secrets) if (text.includes(s)) throw new Error(`${where} contains a generated secret`);
        }
        expect(Object.keys(scripts).sort()).toEqual(config.edge.nodes.map((n) => n.name).sort());
    });
});

describe("an environment without edge nodes", () => {
    it("builds only the edge CA: no agent image, no Roles Anywhere role, no tunnels, no rotation clock", async () => {
        const config = stackConfig("dev");
        const { harness, outputs } = await platformUnderMocks("dev", { ...config, edge: { ...config.edge, nodes: [] } });
        const edge = harness.recorder.list().filter((r) => r.urn.includes("pr-cybr:edge:") || r.type.startsWith("time:") || r.type.startsWith("docker-build:"));
        expect(edge.map((r) => r.type).sort()).toEqual(["pr-cybr:edge:EdgeCa", "tls:index/privateKey:PrivateKey", "tls:index/selfSignedCert:SelfSignedCert"]);
        expect(outputs.edgeInstallScripts).toEqual({});
        expect(outputs.edgeAgentImage).toBeUndefined();
    });
});

describe("the plan file", () => {
    it.each(["dev", "prod"] as const)("%s holds no private key and no edge secret, only [secret] markers", (stack) => {
        const text = fs.readFileSync(sharedPlan(stack), "utf8");
        expect(text).not.toMatch(/BEGIN (EC |RSA )?PRIVATE KEY|tskey-|"nodeToken"/);
        const plan = JSON.parse(text);
        const bundles = plan.resources.filter((r: Obj) => r.type === "aws:secretsmanager/secretVersion:SecretVersion" && r.name.includes("-edge-node-"));
        expect(bundles.length).toBe(stackConfig(stack).edge.nodes.length);
        for (const b of bundles) expect(b.inputs.secretString).toBe("[secret]");
        const keys = plan.resources.filter((r: Obj) => r.type === "tls:index/locallySignedCert:LocallySignedCert");
        for (const k of keys) expect(k.inputs.caPrivateKeyPem).toBe("[secret]");
    });
});

describe("decommissioning", () => {
    it("removing a node from config deletes exactly that node's resources (cert, keys, VPN credential, bundle, registry entry)", () => {
        const dir = tempDir("edge-decommission");
        const file = derivedStackFile(dir, "prod", (c) => {
            c["pr-cybr-platform:edge"].nodes = c["pr-cybr-platform:edge"].nodes.filter((n: Obj) => n.name !== "n0d3-pce-02");
        });
        const synth = runTool("synth", ["--stack", "prod", "--config", file, "--out", dir]);
        expect(synth.status).toBe(0);
        const diff = runTool("diff", [sharedPlan("prod"), `${dir}/prod.plan.json`]);
        expect(diff.status).toBe(0);
        const base = JSON.parse(fs.readFileSync(sharedPlan("prod"), "utf8"));
        const head = JSON.parse(fs.readFileSync(`${dir}/prod.plan.json`, "utf8"));
        const headUrns = new Set(head.resources.map((r: Obj) => r.urn));
        const deleted = base.resources.filter((r: Obj) => !headUrns.has(r.urn)).map((r: Obj) => r.urn);
        const baseUrns = new Set(base.resources.map((r: Obj) => r.urn));
        expect(head.resources.filter((r: Obj) => !baseUrns.has(r.urn))).toEqual([]);
        const node = "pr-cybr-prod-edge-node-n0d3-pce-02";
        // The component, its key, CSR, certificate, token, ZeroTier identity secret and two commands, bundle and its value, registry entry.
        expect(deleted.length).toBe(11);
        for (const urn of deleted) expect(urn).toMatch(new RegExp(`::${node}(-|$)`));
        const types = deleted.map((u: string) => u.split("::")[2].split("$").pop());
        expect(types).toEqual(
            expect.arrayContaining([
                "tls:index/privateKey:PrivateKey",
                "tls:index/locallySignedCert:LocallySignedCert",
                "command:local:Command",
                "aws:secretsmanager/secret:Secret",
                "aws:secretsmanager/secretVersion:SecretVersion",
                "aws:ssm/parameter:Parameter",
            ]),
        );
        // Nothing else changes: other nodes, the site (ponce still has n0d3-pce-01) and the access role stay as they were.
        expect(diff.stdout.split("\n")[0]).toMatch(/^\+0 -11 ~0,/);
        expect(diff.stdout).toContain(`outputs changed: edgeInstallScripts.n0d3-pce-02, edgeRegistry.n0d3-pce-02`);
    });
});

describe("edge building blocks", () => {
    const nodeArgs = (over: Partial<EdgeNodeArgs> = {}): EdgeNodeArgs => ({
        nodeName: "n1",
        site: "s1",
        arch: "arm64",
        environment: "dev",
        region: "us-east-1",
        ca: { certPem: "ca", keyPem: "key" },
        rotation: "t",
        vpn: { kind: "tailscale", tag: "tag:x", keyExpiryDays: 30 },
        siteTunnel: { hostname: "s1.example.com", token: "t" },
        bundle: { secretPrefix: "p/", kmsKeyArn: "k" },
        access: { trustAnchorArn: "a", profileArn: "p", roleArn: "r" },
        swarm: { name: "s", workerTokenSecretArn: "w", joinAddress: "j:2377", collectorEndpoint: "c:4317", collectorServerName: "c", collectorCaPem: "ca", dockerVersion: "25.0.8" },
        agentImage: "i",
        registryPrefix: "/r/",
        ...over,
    });

    it("rejects certificates over 90 days, renewal windows that do not fit, bad names and VPN settings, all at once", () => {
        expect(() => validateEdgeNodeArgs(nodeArgs({ certValidityDays: 120, certEarlyRenewalDays: 120, nodeName: "x".repeat(60), vpn: { kind: "zerotier", networkId: "nope", apiToken: "t" }, registryPrefix: "r" }))).toThrow(
            /nodeName: "x{60}" is not a DNS label of at most 54[\s\S]*certValidityDays: 120 is not 7-90 days[\s\S]*certEarlyRenewalDays: 120 must be at least 1 and less than certValidityDays[\s\S]*registryPrefix: "r"[\s\S]*vpn.networkId: "nope"/,
        );
        expect(() => validateEdgeNodeArgs(nodeArgs({ vpn: { kind: "tailscale", tag: "tag:x", keyExpiryDays: 91 } }))).toThrow(/vpn.keyExpiryDays: 91 is not 1-90 days/);
        expect(() => validateEdgeNodeArgs(nodeArgs())).not.toThrow();
    });

    it("validates the CA, access, site and agent image args with messages that say what is allowed", () => {
        expect(() => validateEdgeCaArgs({ commonName: "x", validityDays: 100 })).toThrow(/validityDays: 100 is not 365-3650 days/);
        expect(() => validateEdgeAccessArgs({ namePrefix: "a b", caCertPem: "", caCommonName: "x", bundleSecretPrefix: "p", bundleKmsKeyArn: "", workerToken: { secretArn: "", kmsKeyArn: "" }, agentRepositoryArn: "", sessionSeconds: 60 })).toThrow(
            /namePrefix: "a b"[\s\S]*bundleSecretPrefix: "p" must end with "\/"[\s\S]*sessionSeconds: 60 is not 900-3600 seconds/,
        );
        expect(() => validateEdgeSiteArgs({ accountId: "x", zoneId: "z", tunnelName: "t", hostname: "nohost", originService: "ftp://x" })).toThrow(/accountId: "x"[\s\S]*hostname: "nohost"[\s\S]*originService: "ftp:\/\/x"/);
        expect(() => validateEdgeAgentImageArgs({ repositoryName: "Bad/Name", collectorVersion: "latest", keepImages: 1 })).toThrow(/repositoryName: "Bad\/Name"[\s\S]*collectorVersion: "latest"[\s\S]*keepImages: 1 is not 2-1000/);
        // The image is the manifest's custom build: another release in config would be a lie about what runs.
        expect(() => validateEdgeAgentImageArgs({ repositoryName: "pr-cybr-dev/edge-agent", collectorVersion: "0.129.0" })).toThrow(/collectorVersion: "0.129.0" is not the release components\/edge\/agent\/manifest.yaml builds \(0.128.0\)/);
        expect(() => validateEdgeAgentImageArgs({ repositoryName: "pr-cybr-dev/edge-agent", collectorVersion: "0.128.0" })).not.toThrow();
    });

    it("refuses AWS sessions to revoked certificate CNs with a deny in the role's trust policy", async () => {
        const harness = installMocks({ stack: "edge-access" });
        const args = { namePrefix: "pr-cybr-dev-edge", caCertPem: "ca", caCommonName: "pr-cybr-dev edge CA", bundleSecretPrefix: "pr-cybr/dev/edge/nodes/", bundleKmsKeyArn: "k", workerToken: { secretArn: "w", kmsKeyArn: "k2" }, agentRepositoryArn: "r" };
        new EdgeAccess("revoking", { ...args, revokedCommonNames: ["n0d3-sju-01-0a1b2c3d"] });
        new EdgeAccess("plain", args);
        await harness.settle();
        const trust = (name: string) => JSON.parse(String(harness.get(aws.iam.Role, `${name}-role`).inputs.assumeRolePolicy)).Statement as Obj[];
        expect(trust("revoking")[0]).toEqual({
            Sid: "RevokedCertificates",
            Effect: "Deny",
            Principal: { Service: "rolesanywhere.amazonaws.com" },
            Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
            Condition: { StringEquals: { "aws:PrincipalTag/x509Subject/CN": ["n0d3-sju-01-0a1b2c3d"] } },
        });
        expect(trust("plain").map((st) => st.Effect)).toEqual(["Allow"]);
        expect(() => validateEdgeAccessArgs({ ...args, revokedCommonNames: ["bad cn!"] })).toThrow(/revokedCommonNames\[0\]: "bad cn!" is not a certificate CN/);
    });

    it("reads the Tailscale OAuth client from its secret, and says how to store it when it is wrong (without the value)", () => {
        expect(parseTailscaleOAuth("s", '{"id":"k1","secret":"tskey-client-x"}')).toEqual({ id: "k1", secret: "tskey-client-x" });
        for (const bad of ["tskey-client-plain", '{"id":"k1"}', '{"id":1,"secret":"x"}', "null"]) {
            expect(() => parseTailscaleOAuth("pr-cybr/dev/edge/tailscale-oauth", bad)).toThrow(
                'edge.tailscale.oauthClientSecretId: secret pr-cybr/dev/edge/tailscale-oauth is not JSON with string "id" and "secret" (store {"id": "<client id>", "secret": "<client secret>"})',
            );
        }
        const message = (() => {
            try {
                parseTailscaleOAuth("s", "tskey-client-plain");
                return "no error";
            } catch (e) {
                return String(e);
            }
        })();
        expect(message).toContain("edge.tailscale.oauthClientSecretId");
        expect(message).not.toContain("tskey-client-plain");
    });

    it("describes a node in the registry with its labels, resource profile and management plane", () => {
        const e = registryEntry({
            name: "n1",
            environment: "prod",
            site: "ponce",
            siteHostname: "ponce.edge.example.com",
            arch: "amd64",
            vpn: "zerotier",
            capabilities: ["gpu"],
            profile: "large",
            identity: { commonName: "n1-0a0b0c0d", notAfter: "2026-04-01T00:00:00Z" },
            bundleSecretArn: "arn:bundle",
            management: { swarm: "s", joinAddress: "j:2377", collectorEndpoint: "c:4317" },
        });
        expect(e.metadata.labels).toEqual({ site: "ponce", arch: "amd64", profile: "large", "capability.gpu": "true" });
        expect(e.spec.resources).toEqual({ profile: "large", cpu: 8, memoryMiB: 16384 });
    });
});
