import { PinnedVersion } from "./addon";

/**
 * The pinned cert-manager chart (https://charts.jetstack.io, chart and app v1.21.1: cert-manager/cert-manager
 * tag v1.21.1, commit 24e33194fb39488eff2bbf10c6dc640f407cad44). Its end-to-end clusters are kind
 * images 1.33 to 1.36 (make/cluster.sh at that commit); cert-manager supports a release on the
 * Kubernetes versions it tests (cert-manager.io/docs/releases: 1.20 is "1.32 → 1.35").
 */
export const CERT_MANAGER_CHART: PinnedVersion = {
    version: "v1.21.1",
    kubernetesVersions: ["1.33", "1.34", "1.35", "1.36"],
    source: "cert-manager/cert-manager v1.21.1 make/cluster.sh (kind images 1.33-1.36), https://cert-manager.io/docs/releases/",
};
export const CERT_MANAGER_CHARTS: readonly PinnedVersion[] = [CERT_MANAGER_CHART];
export const CERT_MANAGER_DEFAULTS = { chartVersion: CERT_MANAGER_CHART.version };
