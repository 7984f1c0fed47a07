import * as fs from "fs";
import * as path from "path";

/** npm package of each provider's Node SDK (the versions the lock file pins). */
const PACKAGES: Readonly<Record<string, string>> = {
    aws: "@pulumi/aws",
    docker: "@pulumi/docker",
    "docker-build": "@pulumi/docker-build",
    cloudflare: "@pulumi/cloudflare",
    tls: "@pulumi/tls",
    random: "@pulumi/random",
    tailscale: "@pulumi/tailscale",
    time: "@pulumiverse/time",
    command: "@pulumi/command",
    kubernetes: "@pulumi/kubernetes",
};

/** The `.d.ts` file that declares a type token's resource class, e.g. `aws:ec2/vpc:Vpc` → `@pulumi/aws/ec2/vpc.d.ts`. */
export function declarationFile(type: string, root: string): string | undefined {
    const [provider, module, name] = type.split(":");
    const pkg = PACKAGES[provider];
    if (!pkg || !module || !name) return undefined;
    const camel = name[0].toLowerCase() + name.slice(1);
    let dir: string;
    if (provider === "kubernetes") {
        // kubernetes:<group>/<version>:<Kind>: the SDK folder is the group's first label (rbac.authorization.k8s.io → rbac).
        const [group, version] = module.split("/");
        dir = path.join(group.split(".")[0], version);
    } else {
        // <module>/<file>: the folder is the module (`index` is the package root); `command:local:Command` has no file part.
        dir = module.includes("/") ? module.slice(0, module.indexOf("/")) : module;
        if (dir === "index") dir = "";
    }
    const file = path.join(root, "node_modules", pkg, dir, `${camel}.d.ts`);
    return fs.existsSync(file) ? file : undefined;
}

/**
 * The top-level input names of a resource type, read from its SDK declaration (`interface <Name>Args`),
 * or undefined when the declaration cannot be found.
 */
export function sdkInputNames(type: string, root: string): Set<string> | undefined {
    const file = declarationFile(type, root);
    if (!file) return undefined;
    const name = type.split(":")[2];
    const text = fs.readFileSync(file, "utf8");
    const start = text.indexOf(`export interface ${name}Args {`);
    if (start < 0) return undefined;
    const body = text.slice(start, text.indexOf("\n}", start));
    return new Set([...body.matchAll(/^ {4}(?:readonly )?([A-Za-z0-9_]+)\??:/gm)].map((m) => m[1]));
}
