// Real keys and certificates in the shapes the plan's tls resources record (components/swarm/pki.ts):
// ECDSA P-256, the CA's and each leaf's subject, SANs and allowed uses taken from the plan's
// SelfSignedCert / CertRequest / LocallySignedCert inputs, issued with openssl.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { one, Plan } from "./plan";

// The tls provider's allowed_uses names -> openssl's keyUsage / extendedKeyUsage names.
const KEY_USAGE: Record<string, string> = { digital_signature: "digitalSignature", key_encipherment: "keyEncipherment", cert_signing: "keyCertSign", crl_signing: "cRLSign" };
const EXT_KEY_USAGE: Record<string, string> = { server_auth: "serverAuth", client_auth: "clientAuth" };

export interface Issued {
    cert: string;
    key: string;
    certPem: string;
    keyPem: string;
}

const openssl = (args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });

function subject(s: { commonName: string; organization?: string }) {
    return `/CN=${s.commonName}${s.organization ? `/O=${s.organization}` : ""}`;
}

function extensions(uses: string[], ca: boolean, dns: string[] = [], ips: string[] = []): string {
    const lines = [`basicConstraints=critical,CA:${ca ? "TRUE" : "FALSE"}`];
    const ku = uses.filter((u) => KEY_USAGE[u]).map((u) => KEY_USAGE[u]);
    const eku = uses.filter((u) => EXT_KEY_USAGE[u]).map((u) => EXT_KEY_USAGE[u]);
    if (ku.length) lines.push(`keyUsage=critical,${ku.join(",")}`);
    if (eku.length) lines.push(`extendedKeyUsage=${eku.join(",")}`);
    const san = [...dns.map((d) => `DNS:${d}`), ...ips.map((i) => `IP:${i}`)];
    if (san.length) lines.push(`subjectAltName=${san.join(",")}`);
    return lines.join("\n") + "\n";
}

function key(file: string) {
    openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", file]);
}

const read = (cert: string, keyFile: string): Issued => ({ cert, key: keyFile, certPem: fs.readFileSync(cert, "utf8"), keyPem: fs.readFileSync(keyFile, "utf8") });

export interface SwarmPki {
    dir: string;
    ca: Issued;
    dockerd: Issued;
    deployer: Issued;
    apiHostname: string;
    /** A new dockerd server certificate from the same CA (what the weekly rotate run stores). */
    renewDockerd(): Issued;
}

export function issueSwarmPki(plan: Plan, dir: string): SwarmPki {
    fs.mkdirSync(dir, { recursive: true });
    const caIn = one(plan, "tls:index/selfSignedCert:SelfSignedCert", "swarm-pki-ca").inputs;
    const f = (n: string) => path.join(dir, n);
    key(f("ca-key.pem"));
    fs.writeFileSync(f("ca.ext"), extensions(caIn.allowedUses, true));
    openssl(["req", "-new", "-key", f("ca-key.pem"), "-subj", subject(caIn.subject), "-out", f("ca.csr")]);
    openssl(["x509", "-req", "-in", f("ca.csr"), "-signkey", f("ca-key.pem"), "-days", String(Math.round(caIn.validityPeriodHours / 24)), "-extfile", f("ca.ext"), "-out", f("ca.pem")]);
    const ca = read(f("ca.pem"), f("ca-key.pem"));
    let serial = 1;
    const leaf = (role: string, suffix = ""): Issued => {
        const csr = one(plan, "tls:index/certRequest:CertRequest", `swarm-pki-${role}-csr`).inputs;
        const cert = one(plan, "tls:index/locallySignedCert:LocallySignedCert", `swarm-pki-${role}-cert`).inputs;
        const base = `${role}${suffix}`;
        key(f(`${base}-key.pem`));
        openssl(["req", "-new", "-key", f(`${base}-key.pem`), "-subj", subject(csr.subject), "-out", f(`${base}.csr`)]);
        fs.writeFileSync(f(`${base}.ext`), extensions(cert.allowedUses, false, csr.dnsNames ?? [], csr.ipAddresses ?? []));
        openssl(["x509", "-req", "-in", f(`${base}.csr`), "-CA", ca.cert, "-CAkey", ca.key, "-set_serial", String(serial++), "-days", String(Math.round((cert.validityPeriodHours ?? 2160) / 24)), "-extfile", f(`${base}.ext`), "-out", f(`${base}.pem`)]);
        return read(f(`${base}.pem`), f(`${base}-key.pem`));
    };
    const dockerdCsr = one(plan, "tls:index/certRequest:CertRequest", "swarm-pki-dockerd-csr").inputs;
    let renewals = 0;
    return {
        dir,
        ca,
        dockerd: leaf("dockerd"),
        deployer: leaf("deployer"),
        apiHostname: (dockerdCsr.dnsNames as string[]).find((d) => d !== "localhost")!,
        renewDockerd: () => leaf("dockerd", `-renewed-${++renewals}`),
    };
}
