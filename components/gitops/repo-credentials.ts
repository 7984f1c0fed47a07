import { createHash } from "crypto";

/** The label that makes a Secret in Argo CD's namespace a credential template (Argo CD v3.3.8 declarative-setup.md). */
export const REPO_CREDS_LABEL = { "argocd.argoproj.io/secret-type": "repo-creds" } as const;

/** Credentials for every repository whose URL starts with `url`, read from Secrets Manager. */
export interface RepoCredential {
    /** URL prefix the template serves (Argo CD picks the longest matching prefix). */
    readonly url: string;
    /** Secrets Manager secret: JSON {"username","password"} for https, the private key (PEM) for ssh. */
    readonly secretId: string;
}

export const isSshUrl = (url: string) => /^(ssh:\/\/|git@)/.test(url);

/** The Kubernetes Secret name of a credential template: stable per URL prefix. */
export function repoCredsSecretName(url: string): string {
    return `repo-creds-${createHash("sha256").update(url).digest("hex").slice(0, 10)}`;
}

/**
 * The repo-creds Secret's data from the stored value: `username`/`password` for https, `sshPrivateKey`
 * for ssh (the keys Argo CD reads). The error never shows the value.
 */
export function repoCredsData(cred: RepoCredential, value: string): Record<string, string> {
    const base = { type: "git", url: cred.url };
    if (isSshUrl(cred.url)) {
        if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) throw new Error(`gitops.repoCredentials: secret ${cred.secretId} is not a PEM private key (store the deploy key for ${cred.url})`);
        return { ...base, sshPrivateKey: value };
    }
    let json: { username?: unknown; password?: unknown } | null;
    try {
        json = JSON.parse(value);
    } catch {
        json = null;
    }
    if (!json || typeof json.username !== "string" || typeof json.password !== "string" || !json.username || !json.password) {
        throw new Error(`gitops.repoCredentials: secret ${cred.secretId} is not JSON with string "username" and "password" (store {"username": "<user>", "password": "<token>"} for ${cred.url})`);
    }
    return { ...base, username: json.username, password: json.password };
}
