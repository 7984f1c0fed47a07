import { createHash } from "crypto";

/** Deterministic hex derived from a seed: the same resource always gets the same fake id. */
export function hexOf(seed: string, length: number): string {
    let out = "";
    for (let i = 0; out.length < length; i++) out += createHash("sha256").update(`${i}:${seed}`).digest("hex");
    return out.slice(0, length);
}

/** A UUID-shaped id (KMS key ids, request ids). */
export function uuidOf(seed: string): string {
    const h = hexOf(seed, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A public-looking IPv4 address in 52.0.0.0/8 (AWS-owned space), stable per seed. */
export function publicIpOf(seed: string): string {
    const b = Buffer.from(hexOf(seed, 6), "hex");
    return `52.${b[0]}.${b[1]}.${(b[2] % 253) + 1}`;
}

/** A 32-character password of letters, digits and symbols, stable per seed. */
export function passwordOf(seed: string, length = 32): string {
    const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#%+-=_";
    const bytes = Buffer.from(hexOf(`pw:${seed}`, length * 2), "hex");
    return Array.from(bytes.subarray(0, length), (b) => alphabet[b % alphabet.length]).join("");
}

/** A PEM-shaped private key (not a usable key: base64 of hashed bytes), stable per seed. */
export function pemKeyOf(seed: string, label = "PRIVATE KEY"): string {
    const body = Buffer.from(hexOf(`pem:${seed}`, 1600), "hex").toString("base64");
    const lines = body.match(/.{1,64}/g) ?? [];
    return [`-----BEGIN ${label}-----`, ...lines, `-----END ${label}-----`, ""].join("\n");
}
