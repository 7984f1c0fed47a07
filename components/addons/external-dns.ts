import { PinnedVersion } from "./addon";

/**
 * The pinned external-dns chart (https://kubernetes-sigs.github.io/external-dns, chart 1.21.1, app
 * v0.21.0: kubernetes-sigs/external-dns tag external-dns-helm-chart-1.21.1, commit
 * 9f26451346774099a8b3e3e5cc46a53bf2fd1461). README "Kubernetes version compatibility": 0.18 and later
 * run on Kubernetes 1.21 and later; the list is the EKS versions the config allows.
 */
export const EXTERNAL_DNS_CHART: PinnedVersion & { appVersion: string } = {
    version: "1.21.1",
    appVersion: "0.21.0",
    kubernetesVersions: ["1.30", "1.31", "1.32", "1.33", "1.34", "1.35"],
    source: "kubernetes-sigs/external-dns external-dns-helm-chart-1.21.1 README.md (Kubernetes version compatibility: >= 1.21)",
};
export const EXTERNAL_DNS_CHARTS: readonly PinnedVersion[] = [EXTERNAL_DNS_CHART];
export const EXTERNAL_DNS_DEFAULTS = { chartVersion: EXTERNAL_DNS_CHART.version };
