import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags } from "./tags";

export interface EncryptedSecretArgs {
    /** The secret's name in Secrets Manager. */
    readonly secretName: string;
    /** The customer-managed key it is encrypted with. */
    readonly kmsKeyArn: pulumi.Input<string>;
    readonly description?: string;
    /** Its value (stored as a Pulumi secret), when Pulumi writes one. */
    readonly value?: pulumi.Input<string>;
    /** Days a deleted secret can be restored; 0 deletes it at once. Defaults to 7. */
    readonly recoveryWindowInDays?: number;
    readonly tags?: pulumi.Input<Tags> | Record<string, pulumi.Input<string>>;
}

/**
 * A Secrets Manager secret encrypted with a customer-managed key, as a child of `parent` named
 * `${name}`, with its value as `${name}-value` when given. The one way the platform creates secrets.
 */
export function encryptedSecret(parent: pulumi.Resource, name: string, args: EncryptedSecretArgs): aws.secretsmanager.Secret {
    const secret = new aws.secretsmanager.Secret(
        name,
        { name: args.secretName, description: args.description, kmsKeyId: args.kmsKeyArn, recoveryWindowInDays: args.recoveryWindowInDays ?? 7, tags: { ...args.tags, Name: args.secretName } },
        { parent },
    );
    if (args.value !== undefined) new aws.secretsmanager.SecretVersion(`${name}-value`, { secretId: secret.id, secretString: pulumi.secret(args.value) }, { parent });
    return secret;
}
