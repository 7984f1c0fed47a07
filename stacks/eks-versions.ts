/**
 * End of standard support per EKS Kubernetes minor version, from AWS's release calendar
 * (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html, "Amazon EKS Kubernetes
 * release calendar"; mirrored at https://endoflife.date/amazon-eks), read 2026-12-01. Standard support
 * lasts 14 months; after it a cluster with `upgradePolicy: STANDARD` is upgraded by EKS itself, and the
 * next `pulumi up` would fight that upgrade. Add a version here when AWS publishes its date.
 */
export const EKS_STANDARD_SUPPORT_END: Readonly<Record<string, string>> = {
    "1.30": "2025-07-23",
    "1.31": "2025-11-26",
    "1.32": "2026-03-23",
    "1.33": "2026-07-29",
    "1.34": "2026-12-02",
    "1.35": "2027-03-27",
};

/** A version this close to its end of standard support is refused: an upgrade needs time to plan. */
export const EKS_SUPPORT_MARGIN_DAYS = 60;

/** Why `version` cannot be deployed on `today`, or undefined when it can. */
export function eksVersionProblem(version: string, today: Date = new Date()): string | undefined {
    const end = EKS_STANDARD_SUPPORT_END[version];
    const known = Object.keys(EKS_STANDARD_SUPPORT_END).join(", ");
    if (!end) return `"${version}" is not an EKS version with a published support date (known: ${known}; add a new one to stacks/eks-versions.ts from AWS's release calendar)`;
    const daysLeft = Math.floor((Date.parse(`${end}T00:00:00Z`) - today.getTime()) / 86_400_000);
    if (daysLeft < EKS_SUPPORT_MARGIN_DAYS) {
        const supported = Object.entries(EKS_STANDARD_SUPPORT_END)
            .filter(([, e]) => (Date.parse(`${e}T00:00:00Z`) - today.getTime()) / 86_400_000 >= EKS_SUPPORT_MARGIN_DAYS)
            .map(([v]) => `"${v}"`);
        return `"${version}" ${daysLeft < 0 ? "left" : "leaves"} EKS standard support on ${end}${daysLeft >= 0 ? ` (in ${daysLeft} days)` : ""}; use a version with at least ${EKS_SUPPORT_MARGIN_DAYS} days left (${supported.join(", ") || "none known: add the newest to stacks/eks-versions.ts"})`;
    }
    return undefined;
}
