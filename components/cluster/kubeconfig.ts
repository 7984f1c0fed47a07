/**
 * A kubeconfig that authenticates with `aws eks get-token` (exec), so it holds no credential: whoever
 * runs it uses their own AWS identity, and the token is minted at use, never stored.
 */
export function renderKubeconfig(args: { clusterName: string; endpoint: string; certificateAuthorityData: string; region: string }): string {
    const name = args.clusterName;
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: { server: args.endpoint, "certificate-authority-data": args.certificateAuthorityData } }],
        contexts: [{ name, context: { cluster: name, user: name } }],
        "current-context": name,
        users: [
            {
                name,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: ["eks", "get-token", "--cluster-name", name, "--region", args.region, "--output", "json"],
                        interactiveMode: "Never",
                    },
                },
            },
        ],
    });
}

/** The API endpoint's hostname (`https://ABC.gr7.us-east-1.eks.amazonaws.com` -> the host part). */
export function endpointHost(endpoint: string): string {
    return new URL(endpoint).hostname;
}
