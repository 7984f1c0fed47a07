/** Certificates judged for what they are: a CA as a CA (even when locally signed), a leaf as a leaf. */
// Rule modules, not the index: the index loads @pulumi/aws (seconds per test file) for rules these cases do not run.
import { tlsCertMaxValidity } from "../../policy/rules/tls-cert-max-validity";
import { runResource } from "./harness";

const SELF = "tls:index/selfSignedCert:SelfSignedCert";
const LOCAL = "tls:index/locallySignedCert:LocallySignedCert";
const CA_USES = ["cert_signing", "crl_signing", "digital_signature"];
const days = (n: number) => n * 24;

describe("tls-cert-max-validity: a CA is judged as a CA", () => {
    it("passes an intermediate CA issued as a locally signed certificate for five years (not held to the 90-day leaf limit)", async () => {
        expect((await runResource(tlsCertMaxValidity, LOCAL, { isCaCertificate: true, validityPeriodHours: days(1825), allowedUses: CA_USES })).messages).toEqual([]);
    });

    it("fails a 'CA' that also serves as a server or client identity, to escape the leaf limit", async () => {
        const out = await runResource(tlsCertMaxValidity, LOCAL, { isCaCertificate: true, validityPeriodHours: days(3650), allowedUses: ["cert_signing", "server_auth", "client_auth"] }, { name: "edge" });
        expect(out.messages).toEqual(['CA certificate "edge" also allows leaf usage server_auth, client_auth (a CA must not double as an identity; issue a leaf certificate for that).']);
    });

    it("fails a CA that cannot sign certificates, and one that outlives caMaxDays", async () => {
        expect((await runResource(tlsCertMaxValidity, SELF, { isCaCertificate: true, validityPeriodHours: days(365), allowedUses: ["digital_signature"] }, { name: "ca" })).messages).toEqual([
            'CA certificate "ca" does not allow cert_signing, so it cannot issue certificates.',
        ]);
        expect((await runResource(tlsCertMaxValidity, SELF, { isCaCertificate: true, validityPeriodHours: days(7300), allowedUses: CA_USES }, { name: "ca" })).messages).toEqual([
            'CA certificate "ca" is valid for 7300 days; a CA may last at most 3650.',
        ]);
        expect((await runResource(tlsCertMaxValidity, SELF, { isCaCertificate: true, validityPeriodHours: days(7300), allowedUses: CA_USES }, { config: { caMaxDays: 7300 } })).messages).toEqual([]);
    });

    it("holds a self-signed certificate that is no CA to the leaf limit, signing uses or not", async () => {
        expect((await runResource(tlsCertMaxValidity, SELF, { isCaCertificate: false, validityPeriodHours: days(365), earlyRenewalHours: 720, allowedUses: ["cert_signing"] }, { name: "s" })).messages).toEqual([
            'certificate "s" is valid for 365 days; the maximum is 90.',
        ]);
    });
});
