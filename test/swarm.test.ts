import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import { al2023AmiParameter, contentName, unpackUserData, validateSwarmManagersArgs, validateSwarmPkiArgs } from "../components/swarm";
import { REQUIRED_TAG_KEYS } from "../components/shared/tags";
import { MockHarness, RecordedResource } from "./mocks";
import { platformUnderMocks, stackConfig } from "./helpers/platform";

type Obj = Record<string, any>;

describe.each(["dev", "prod"] as const)("the %s swarm", (stack) => {
    let harness: MockHarness;
    const config = stackConfig(stack);
    const swarm = `pr-cybr-${stack}-swarm`;
    const mine = (type: string) => harness.ofType(type).filter((r) => r.name.startsWith(swarm));

    beforeAll(async () => ({ harness } = await platformUnderMocks(stack, config)));

    it(`runs ${config.swarm.managers} manager(s), one Auto Scaling group of one each, round-robin over the AZs, on demand`, () => {
        const groups = harness.ofType(aws.autoscaling.Group);
        expect(groups).toHaveLength(config.swarm.managers);
        const privateSubnets = harness.ofType(aws.ec2.Subnet).filter((s) => s.name.includes("-private-")).map((s) => s.id);
        groups.forEach((g, i) => {
            expect(g.inputs).toMatchObject({ name: `${swarm}-manager-${i}`, minSize: 0, maxSize: 1, desiredCapacity: 1, healthCheckType: "EC2", vpcZoneIdentifiers: [privateSubnets[i % privateSubnets.length]] });
            expect(g.inputs.mixedInstancesPolicy).toBeUndefined();
            expect((g.inputs.initialLifecycleHooks as Obj[])[0]).toMatchObject({ name: `${swarm}-drain`, lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING", defaultResult: "CONTINUE" });
        });
        expect(new Set(groups.map((g) => JSON.stringify(g.inputs.vpcZoneIdentifiers))).size).toBe(Math.min(config.swarm.managers, config.network.azCount));
    });

    it("gives instances only tag keys EC2 accepts with tags in instance metadata, which the launch template enables", () => {
        // EC2 user guide, "View tags for your EC2 instances using instance metadata": with tags allowed in
        // metadata, instance tag keys may hold only letters, digits and + - = . , _ : @ (no space, no /),
        // else the launch fails and the group never reaches capacity.
        const lt = mine("aws:ec2/launchTemplate:LaunchTemplate")[0];
        expect(lt.inputs.metadataOptions).toMatchObject({ instanceMetadataTags: "enabled" });
        const instanceTags = (lt.inputs.tagSpecifications as { resourceType: string; tags: Obj }[]).find((t) => t.resourceType === "instance")!.tags;
        const propagated = mine("aws:autoscaling/group:Group").flatMap((g) => (g.inputs.tags as { key: string; propagateAtLaunch: boolean }[]).filter((t) => t.propagateAtLaunch).map((t) => t.key));
        const invalid = [...Object.keys(instanceTags), ...propagated].filter((k) => !/^[A-Za-z0-9+\-=.,_:@]+$/.test(k) || k === "." || k === ".." || k === "_index");
        expect(invalid).toEqual([]);
    });

    it("puts the required tags on what Auto Scaling launches (provider default tags do not reach instances, volumes, ENIs)", () => {
        const lt = mine("aws:ec2/launchTemplate:LaunchTemplate")[0];
        for (const spec of lt.inputs.tagSpecifications as { resourceType: string; tags: Obj }[]) {
            for (const key of REQUIRED_TAG_KEYS) expect(spec.tags[key]).toBeTruthy();
            expect(spec.tags.environment).toBe(stack);
        }
        for (const g of mine("aws:autoscaling/group:Group")) {
            const tags = g.inputs.tags as { key: string; value: string; propagateAtLaunch: boolean }[];
            for (const key of REQUIRED_TAG_KEYS) expect(tags.find((t) => t.key === key)).toMatchObject({ propagateAtLaunch: true });
        }
    });

    it("boots from a launch template with IMDSv2 (hop 1), an encrypted gp3 root, the AL2023 AMI of its architecture, and user data without secrets", () => {
        const lt = mine("aws:ec2/launchTemplate:LaunchTemplate")[0];
        expect(lt.inputs.metadataOptions).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 1 });
        expect((lt.inputs.blockDeviceMappings as Obj[])[0].ebs).toMatchObject({ volumeType: "gp3", encrypted: "true", volumeSize: config.swarm.rootVolumeGiB });
        expect(harness.invokes.some((i) => i.token === "aws:ssm/getParameter:getParameter" && i.inputs.name === al2023AmiParameter("arm64"))).toBe(true);
        // gzip-compressed (cloud-init uncompresses it): EC2's 16 KiB counts the compressed bytes.
        expect(Buffer.from(String(lt.inputs.userData), "base64").length).toBeLessThanOrEqual(16 * 1024);
        const userData = unpackUserData(String(lt.inputs.userData));
        expect(userData.startsWith("#cloud-config\n")).toBe(true);
        expect(userData).toContain(`MANAGER_TOKEN_SECRET='${swarm}/manager-join-token'`);
        for (const secret of harness.generatedSecrets) expect(userData).not.toContain(secret);
        expect(userData).not.toMatch(/PRIVATE KEY-----|SWMTKN-1-[a-z0-9]{20}/);
    });

    it("opens node-to-node ports (gossip, VXLAN, ESP) only to the swarm's hosts and the VPN, join and telemetry to the VPC and the VPN, the Docker API only to the deployment networks, and no SSH", () => {
        const rules = mine("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) => r.inputs);
        const hostSg = mine("aws:ec2/securityGroup:SecurityGroup").find((s) => (s.inputs.tags as Obj).Name === `${swarm}-managers`)!;
        const from = (port: number | undefined, protocol: string) =>
            rules.filter((r) => r.fromPort === port && r.ipProtocol === protocol).map((r) => r.cidrIpv4 ?? (r.referencedSecurityGroupId === hostSg.id ? "self" : "other sg")).sort();
        for (const [port, protocol] of [[2377, "tcp"], [4317, "tcp"]] as const) expect(from(port, protocol)).toEqual([config.network.cidr, config.edge.vpnCidr].sort());
        // Every EKS pod has a VPC address (Cilium ENI mode): the VPC is not trusted for node-to-node traffic.
        for (const [port, protocol] of [[7946, "tcp"], [7946, "udp"], [4789, "udp"], [undefined, "50"]] as const) expect(from(port, protocol)).toEqual([config.edge.vpnCidr, "self"].sort());
        expect(from(2376, "tcp")).toEqual([...config.swarm.deployCidrs].sort());
        expect(rules.filter((r) => r.fromPort === 22)).toEqual([]);
        const worldOpen = rules.filter((r) => r.cidrIpv4 === "0.0.0.0/0");
        expect(worldOpen.map((r) => r.fromPort).sort()).toEqual([443, 80]);
        const lbSg = mine("aws:ec2/securityGroup:SecurityGroup").find((s) => (s.inputs.tags as Obj)["pr-cybr.io/role"] === "load-balancer")!;
        for (const r of worldOpen) expect(r.securityGroupId).toBe(lbSg.id);
    });

    it("scopes the instance role to the swarm's own secrets, parameters, bucket and groups (no * resource except DescribeInstances)", () => {
        const doc = JSON.parse(String(harness.get("aws:iam/rolePolicy:RolePolicy", `${swarm}-scoped`).inputs.policy));
        for (const st of doc.Statement) {
            const actions = [st.Action].flat();
            const resources = [st.Resource].flat();
            // Describe actions take no resource: finding peers, and the backup's Standby state.
            if (resources.includes("*")) expect(["ec2:DescribeInstances", "autoscaling:DescribeAutoScalingInstances"]).toEqual(expect.arrayContaining(actions));
            if (actions.some((a: string) => /^(secretsmanager|ssm|s3):/.test(a))) expect(resources.every((r: string) => r.includes(swarm))).toBe(true);
        }
        const secrets = mine("aws:secretsmanager/secret:Secret").map((s) => s.inputs.name).sort();
        expect(secrets).toEqual([`${swarm}/dockerd-tls/ca`, `${swarm}/dockerd-tls/cert`, `${swarm}/dockerd-tls/key`, `${swarm}/manager-join-token`, `${swarm}/worker-join-token`].sort());
    });

    it("keeps Raft backups in an encrypted, versioned, private bucket", () => {
        const bucket = mine("aws:s3/bucket:Bucket")[0];
        expect(String(bucket.inputs.bucket)).toBe(`${swarm}-raft-backup-123456789012`);
        expect(mine("aws:s3/bucketVersioning:BucketVersioning")[0].inputs.versioningConfiguration).toEqual({ status: "Enabled" });
    });

    it("issues 90-day leaf certificates from the swarm CA and stores the dockerd material for the hosts", () => {
        const leaves = mine("tls:index/locallySignedCert:LocallySignedCert");
        expect(leaves).toHaveLength(3);
        for (const c of leaves) expect(c.inputs).toMatchObject({ validityPeriodHours: 2160, earlyRenewalHours: 720 });
        const dockerdCsr = harness.get("tls:index/certRequest:CertRequest", `${swarm}-pki-dockerd-csr`);
        expect(dockerdCsr.inputs.dnsNames).toEqual([String(mine("aws:lb/loadBalancer:LoadBalancer").find((l) => l.inputs.internal === true)!.outputs.dnsName), "localhost"]);
        expect(harness.ofType("aws:secretsmanager/secretVersion:SecretVersion").filter((v) => v.name.startsWith(`${swarm}-pki-store`))).toHaveLength(3);
    });

    it("waits for the Docker API with a command that does not depend on where the checkout lives", () => {
        const wait = mine("command:local:Command").find((c) => c.name.endsWith("-wait-for-api"))!;
        expect(JSON.stringify(wait.inputs)).not.toContain(path.join(__dirname, ".."));
        expect(wait.inputs).toMatchObject({ create: fs.readFileSync(path.join(__dirname, "..", "components", "swarm", "host", "wait-for-docker-api.sh"), "utf8"), interpreter: ["bash", "-c"] });
    });

    it("mounts the collector's TLS secrets readable by the user its image runs as (10001), to it alone", () => {
        const collector = harness.ofType("docker:index/service:Service").find((s) => s.inputs.name === "collector")!;
        const secrets = (collector.inputs.taskSpec as Obj).containerSpec.secrets as Obj[];
        expect(secrets).toHaveLength(3);
        // The provider's file_uid/file_gid default to "0": root-owned 0400 files the collector cannot open.
        for (const s of secrets) expect(s).toMatchObject({ fileMode: 0o400, fileUid: "10001", fileGid: "10001" });
    });

    it("gives the docker provider nothing its own schema refuses or replaces on every up", () => {
        // kreuzwerker/terraform-provider-docker v4.5.0 internal/provider/resource_docker_service.go:
        // mode.0.global ConflictsWith converge_config (the plan is refused before anything is created), and
        // networks_advanced.name is deprecated and ForceNew while reads fill only `id`.
        for (const s of harness.ofType("docker:index/service:Service")) {
            const inputs = s.inputs as Obj;
            if (inputs.mode?.global) expect({ service: inputs.name, convergeConfig: inputs.convergeConfig }).toEqual({ service: inputs.name, convergeConfig: undefined });
            for (const n of inputs.taskSpec.networksAdvanceds ?? []) {
                expect(n.name).toBeUndefined();
                expect(n.id).toBeTruthy();
            }
        }
    });

    it("deploys services over the TLS Docker API once it answers: encrypted overlays, rollback", () => {
        const provider = harness.ofType("pulumi:providers:docker")[0];
        expect(String(provider.inputs.host)).toMatch(/^tcp:\/\/internal-.*\.elb\.us-east-1\.amazonaws\.com:2376$/);
        expect(provider.dependsOn).toContain(mine("command:local:Command")[0].urn);
        for (const n of harness.ofType("docker:index/network:Network")) expect(n.inputs).toMatchObject({ driver: "overlay", options: { encrypted: "true" } });
        const services = Object.fromEntries(harness.ofType("docker:index/service:Service").map((s) => [s.inputs.name, s.inputs as Obj]));
        expect(Object.keys(services).sort()).toEqual(["collector", "socket-proxy", "traefik"]);
        // Only the socket proxy holds the engine's socket (a read-only bind limits no API call); the
        // hosts suite's swarm-socket-proxy shows what it lets through on a real engine.
        const withSocket = Object.entries(services).filter(([, s]) => ((s as Obj).taskSpec.containerSpec.mounts ?? []).some((m: Obj) => m.source === "/var/run/docker.sock"));
        expect(withSocket.map(([n]) => n)).toEqual(["socket-proxy"]);
        for (const s of Object.values(services) as Obj[]) {
            expect(s.updateConfig).toMatchObject({ failureAction: "rollback", parallelism: 1 });
            expect(s.rollbackConfig).toMatchObject({ parallelism: 1 });
            expect(s.taskSpec.resources.limits.memoryBytes).toBeGreaterThan(0);
            expect(s.taskSpec.containerSpec.healthcheck.tests.length).toBeGreaterThan(0);
            expect(s.taskSpec.placement.constraints).toEqual(["node.role == manager"]);
            expect(s.mode).toEqual({ global: true });
            // Daemon defaults left out cause a perpetual diff (pulumi-docker#1285): every field is set.
            expect(s.taskSpec.restartPolicy).toEqual({ condition: "any", delay: "5s", maxAttempts: 0, window: "60s" });
        }
        expect(services.traefik.endpointSpec.ports.map((p: Obj) => `${p.publishedPort}/${p.publishMode}`)).toEqual(["80/host", "443/host"]);
        expect(services.traefik.taskSpec.containerSpec.image).toMatch(/^traefik:v\d+\.\d+\.\d+$/);
    });

    it("names docker secrets and configs after their content, and keeps secret data secret", () => {
        for (const s of harness.ofType("docker:index/secret:Secret")) {
            expect(String(s.inputs.name)).toMatch(/-[0-9a-f]{12}$/);
            expect(s.inputs.data?.constructor.name).toBe("SecretValue");
        }
        for (const c of harness.ofType("docker:index/serviceConfig:ServiceConfig")) expect(String(c.inputs.name)).toMatch(/-[0-9a-f]{12}$/);
    });

    it("points each Traefik hostname at the public load balancer in Cloudflare", () => {
        const records = mine("cloudflare:index/dnsRecord:DnsRecord") as RecordedResource[];
        const target = String(mine("aws:lb/loadBalancer:LoadBalancer").find((l) => l.inputs.internal === false)!.outputs.dnsName);
        expect(records.map((r) => r.inputs.name).sort()).toEqual([...config.swarm.traefik.hostnames].sort());
        for (const r of records) expect(r.inputs).toMatchObject({ zoneId: config.cloudflare.zoneId, type: "CNAME", content: target, proxied: false, ttl: 300 });
    });
});

describe("swarm building blocks", () => {
    it("changes a content-hashed name exactly when the content changes", () => {
        expect(contentName("cfg", "a")).toBe(contentName("cfg", "a"));
        expect(contentName("cfg", "a")).not.toBe(contentName("cfg", "b"));
        expect(contentName("cfg", "a")).toMatch(/^cfg-[0-9a-f]{12}$/);
    });

    it("rejects an even manager count, a world-open API network, and certificates over 90 days", () => {
        const base = { swarmName: "s", vpcId: "v", vpcCidr: "10.0.0.0/16", privateSubnetIds: ["a"], publicSubnetIds: ["b"], vpnCidr: "100.64.0.0/10", deployCidrs: ["0.0.0.0/0"] };
        expect(() => validateSwarmManagersArgs({ ...base, managers: 2 as never })).toThrow("managers: 2 is not 1, 3 or 5 (Raft needs an odd count)");
        expect(() => validateSwarmManagersArgs(base)).toThrow("cidrs: 0.0.0.0/0: opens a Swarm or Docker API port to the internet");
        expect(() => validateSwarmPkiArgs({ swarmName: "s", apiHostnames: [], validityDays: 365 })).toThrow("validityDays: 365 is out of range (1 to 90 days)");
    });
});
