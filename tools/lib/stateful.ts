/**
 * Resource types whose replacement or deletion loses data or cuts off what runs on them. A diff calls
 * these out before anything else, together with anything `protect`ed.
 */
const STATEFUL: Readonly<Record<string, string>> = {
    "aws:eks/cluster:Cluster": "the cluster and every workload on it",
    "aws:kms/key:Key": "data encrypted under the key (a deleted key cannot decrypt it)",
    "aws:s3/bucket:Bucket": "the bucket's objects",
    "aws:s3/bucketV2:BucketV2": "the bucket's objects",
    "aws:cloudwatch/logGroup:LogGroup": "the log group's events",
    "aws:autoscaling/group:Group": "the hosts it runs and their volumes (the Swarm managers' Raft state)",
    "aws:ec2/instance:Instance": "the host and its volumes",
    "aws:ebs/volume:Volume": "the volume's data",
    "aws:secretsmanager/secret:Secret": "the secret's value and versions",
    "aws:ecr/repository:Repository": "the repository's images",
    "kubernetes:core/v1:Namespace": "every object in the namespace",
    "kubernetes:core/v1:PersistentVolumeClaim": "the volume behind the claim",
    "kubernetes:apps/v1:StatefulSet": "the set's pods (and, with its volume claims, their data)",
    "tls:index/privateKey:PrivateKey": "the key: every certificate and trust built on it",
};

/** What a replacement or deletion of this type loses, or undefined when it is not stateful. */
export function statefulReason(type: string): string | undefined {
    return STATEFUL[type];
}
