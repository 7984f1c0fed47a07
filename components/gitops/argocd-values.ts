import * as YAML from "yaml";
import { NLB_CLASS, platformNlbAnnotations } from "../shared/certificates";

export const ARGOCD_NAMESPACE = "argocd";
/** The Secret (labelled part-of argocd) the OIDC client secret is read from: `$argocd-oidc:clientSecret`. */
export const OIDC_SECRET_NAME = "argocd-oidc";
export const NOTIFICATIONS_SECRET_NAME = "argocd-notifications-secret";

export interface ArgoCdSso {
    readonly issuerUrl: string;
    readonly clientId: string;
    /** SSO groups that get Argo CD's admin role (the platform team). */
    readonly adminGroups: string[];
}

export interface ArgoCdValuesInput {
    readonly hostname: string;
    readonly ha: boolean;
    /** Role of a signed-in user with no other grant: read-only, or nothing. */
    readonly defaultRole: "readonly" | "none";
    readonly sso?: ArgoCdSso;
    /** Slack notifications through a webhook whose URL sits in the notifications Secret. */
    readonly slack: boolean;
}

/**
 * The three triggers the platform subscribes to, with the Slack message each sends: a printf format and
 * the template fields (`.app...`) it formats.
 */
export const NOTIFICATION_TRIGGERS: Record<string, { when: string; format: string; fields: string[] }> = {
    "on-sync-failed": {
        when: "app.status.operationState != nil and app.status.operationState.phase in ['Error', 'Failed']",
        format: ":x: %s sync failed: %s",
        fields: [".app.metadata.name", ".app.status.operationState.message"],
    },
    "on-health-degraded": { when: "app.status.health.status == 'Degraded'", format: ":warning: %s is degraded", fields: [".app.metadata.name"] },
    "on-deployed": {
        when: "app.status.operationState != nil and app.status.operationState.phase in ['Succeeded'] and app.status.health.status == 'Healthy'",
        format: ":rocket: %s deployed %s",
        fields: [".app.metadata.name", ".app.status.sync.revision"],
    },
};

/**
 * The webhook body for Slack: `{"text": ...}` built by the template itself with sprig's dict and toJson
 * (the notifications engine renders bodies with Go text/template and sprig's functions,
 * argoproj/notifications-engine pkg/templates/service.go), so quotes, backslashes and newlines in a sync
 * message are escaped instead of breaking the payload. A missing field formats as "".
 */
export function slackWebhookBody(format: string, fields: string[]): string {
    // A JSON string literal is a valid Go string literal for these formats (no control characters).
    const args = fields.map((f) => `(default "" ${f})`).join(" ");
    return `{{ dict "text" (printf ${JSON.stringify(format)} ${args}) | toJson }}`;
}

/**
 * Values for the argo-cd chart. Secrets never appear here: the OIDC client secret and the Slack webhook
 * are referenced by key (`$<secret>:<key>`) from Secrets the program creates from Secrets Manager.
 */
export function argocdValues(input: ArgoCdValuesInput): Record<string, unknown> {
    const replicas = input.ha ? 2 : 1;
    const cm: Record<string, unknown> = {
        "admin.enabled": !input.sso,
        // Tenant apps sync as the tenant's own service account (AppProject destinationServiceAccounts).
        "application.sync.impersonation.enabled": true,
        "exec.enabled": false,
        "statusbadge.enabled": false,
    };
    if (input.sso) {
        cm["oidc.config"] = YAML.stringify({
            name: "SSO",
            issuer: input.sso.issuerUrl,
            clientID: input.sso.clientId,
            clientSecret: `$${OIDC_SECRET_NAME}:clientSecret`,
            requestedScopes: ["openid", "profile", "email", "groups"],
        });
    }
    const values: Record<string, unknown> = {
        // The chart sets argocd-cm `url` to https://<global.domain> (templates/_helpers.tpl
        // argo-cd.config.cm.presets at argo-cd-9.5.4): the OIDC redirect is https://<hostname>/auth/callback.
        global: { domain: input.hostname },
        crds: { keep: true },
        dex: { enabled: false },
        configs: {
            cm,
            rbac: {
                "policy.default": input.defaultRole === "readonly" ? "role:readonly" : "",
                "policy.csv": (input.sso?.adminGroups ?? []).map((g) => `g, ${g}, role:admin`).join("\n"),
                scopes: "[groups]",
            },
            // argocd-server terminates TLS itself, with the cert-manager certificate in argocd-server-tls
            // (hot-reloaded: Argo CD v3.3.8 docs/operator-manual/tls.md); the NLB passes TCP through, so
            // gRPC (the CLI) and HTTPS share port 443. Not insecure: nothing terminates TLS in front of it.
            params: { "server.insecure": false },
        },
        controller: { replicas },
        server: { replicas },
        repoServer: { replicas },
        applicationSet: { replicas },
        "redis-ha": { enabled: input.ha },
    };
    if (input.ha) {
        // Spread replicas over nodes and zones; a node or AZ loss must not take Argo CD down.
        values.global = { ...(values.global as object), affinity: { podAntiAffinity: "hard" }, topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway" }] };
    }
    values.notifications = {
        enabled: true,
        secret: { create: false },
        notifiers: input.slack ? { "service.webhook.slack": YAML.stringify({ url: "$slack-webhook-url", headers: [{ name: "Content-Type", value: "application/json" }] }) } : {},
        templates: Object.fromEntries(
            Object.entries(NOTIFICATION_TRIGGERS).map(([trigger, t]) => [
                `template.${trigger.replace(/^on-/, "app-")}`,
                YAML.stringify({ webhook: { slack: { method: "POST", body: slackWebhookBody(t.format, t.fields) } } }),
            ]),
        ),
        triggers: Object.fromEntries(
            Object.entries(NOTIFICATION_TRIGGERS).map(([trigger, t]) => [`trigger.${trigger}`, YAML.stringify([{ when: t.when, send: [trigger.replace(/^on-/, "app-")] }])]),
        ),
        subscriptions: input.slack ? [{ recipients: ["slack"], triggers: Object.keys(NOTIFICATION_TRIGGERS) }] : [],
    };
    return values;
}

/** The Secret argocd-server reads its TLS certificate from first (Argo CD v3.3.8 docs/operator-manual/tls.md, "Certificate Priority"). */
export const ARGOCD_SERVER_TLS_SECRET = "argocd-server-tls";

/** argocd-server's pods (argo-cd-9.5.4 templates/_common.tpl argo-cd.selectorLabels: nameOverride "argocd", release "argocd"). */
export const ARGOCD_SERVER_SELECTOR = { "app.kubernetes.io/name": "argocd-server", "app.kubernetes.io/instance": "argocd" };
/** argocd-server's container port (values `server.containerPorts.server`): HTTPS and gRPC when TLS is on. */
export const ARGOCD_SERVER_PORT = 8080;

/**
 * A LoadBalancer Service beside the chart's ClusterIP one: an NLB of the AWS Load Balancer Controller
 * (its class, pod-IP targets) passing TCP 443 to argocd-server, named by external-dns. Not the chart's
 * Service: Helm's --wait waits for a LoadBalancer's address (pkg/kube/ready.go), which would make the
 * Argo CD release wait for the controller; `pulumi.com/skipAwait` keeps Pulumi from waiting on it too.
 */
export function argocdServerLoadBalancer(hostname: string, scheme: "internal" | "internet-facing"): Record<string, unknown> {
    return {
        metadata: { name: "argocd-server-nlb", namespace: ARGOCD_NAMESPACE, annotations: { ...platformNlbAnnotations({ hostname, scheme }), "pulumi.com/skipAwait": "true" } },
        spec: { type: "LoadBalancer", loadBalancerClass: NLB_CLASS, selector: ARGOCD_SERVER_SELECTOR, ports: [{ name: "https", port: 443, targetPort: ARGOCD_SERVER_PORT, protocol: "TCP" }] },
    };
}
