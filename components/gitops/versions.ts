/**
 * Pinned chart versions delivered by the gitops area, in one place so a bump is one reviewed diff.
 * argo-cd 9.5.x ships Argo CD 3.x (sync impersonation, destinationServiceAccounts on AppProject).
 */
export const ARGOCD_CHART_VERSION = "9.5.4";
export const ARGOCD_CHART_REPOSITORY = "https://argoproj.github.io/argo-helm";
export const KUBE_PROMETHEUS_STACK_VERSION = "81.6.2";
export const KUBE_PROMETHEUS_STACK_REPOSITORY = "https://prometheus-community.github.io/helm-charts";
