// Certificates for the local control plane, issued with openssl: a CA, the API server's serving
// certificate, client certificates whose subject is what the authenticator maps to a user (CN) and
// groups (O), and the service-account signing key pair.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./engine-context.mjs";

function openssl(args, cwd) {
    run("openssl", args, { cwd });
}

/** Issues a client certificate for `user` in `groups`, signed by the CA in `dir`. */
export function clientCertificate(dir, file, user, groups = []) {
    const subject = `/CN=${user}${groups.map((g) => `/O=${g}`).join("")}`;
    openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${file}.key`, "-out", `${file}.csr`, "-subj", subject], dir);
    writeFileSync(join(dir, `${file}.ext`), "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n");
    openssl(["x509", "-req", "-in", `${file}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "7", "-out", `${file}.crt`, "-extfile", `${file}.ext`], dir);
    return { cert: join(dir, `${file}.crt`), key: join(dir, `${file}.key`) };
}

export function issueCertificates(dir) {
    mkdirSync(dir, { recursive: true });
    openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "7", "-subj", "/CN=pr-cybr-integration-ca"], dir);
    openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "apiserver.key", "-out", "apiserver.csr", "-subj", "/CN=kube-apiserver"], dir);
    writeFileSync(
        join(dir, "apiserver.ext"),
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n" +
            "subjectAltName=IP:127.0.0.1,IP:10.100.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n",
    );
    openssl(["x509", "-req", "-in", "apiserver.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "7", "-out", "apiserver.crt", "-extfile", "apiserver.ext"], dir);
    openssl(["genrsa", "-out", "sa.key", "2048"], dir);
    openssl(["rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub"], dir);
    const admin = clientCertificate(dir, "admin", "kubernetes-admin", ["system:masters"]);
    const kcm = clientCertificate(dir, "kcm", "system:kube-controller-manager");
    return {
        dir,
        caCert: join(dir, "ca.crt"),
        caKey: join(dir, "ca.key"),
        servingCert: join(dir, "apiserver.crt"),
        servingKey: join(dir, "apiserver.key"),
        saKey: join(dir, "sa.key"),
        saPub: join(dir, "sa.pub"),
        adminCert: admin.cert,
        adminKey: admin.key,
        kcmCert: kcm.cert,
        kcmKey: kcm.key,
    };
}
