extension ECSProvider {
    /// Where the provider runs tenants and with which defaults (the contract's options).
    package struct Configuration: Sendable, Hashable {
        /// The AWS region (`--ecs-region`, `AWS_REGION`, `AWS_DEFAULT_REGION`).
        package var region: String
        /// The cluster name or ARN (`--ecs-cluster`, `LANDLORD_ECS_CLUSTER`; default `default`).
        package var cluster: String
        /// The ECS endpoint (`--ecs-endpoint`, `AWS_ENDPOINT_URL_ECS`, `AWS_ENDPOINT_URL`); nil: regional.
        package var endpoint: String?
        /// Subnets of services whose spec names none (`--ecs-subnets`).
        package var subnets: [String]
        /// Security groups of services whose spec names none (`--ecs-security-groups`).
        package var securityGroups: [String]
        /// The task execution role (`--ecs-execution-role-arn`): needed to pull private images,
        /// inject secrets and write `awslogs` logs.
        package var executionRoleARN: String?
        /// The deadline of one API call, retries included; 30 s.
        package var requestTimeout: Duration
        /// The AWS account of the cluster (`arn:<partition>:ecs:<region>:<account>:...`), which turns a
        /// Secrets Manager secret name into the ARN ECS needs; the provider reads it from the
        /// cluster's ARN when a spec first needs it. nil: not known (yet).
        package var accountID: String?
        /// The partition of ``accountID`` (`aws`, `aws-cn`, `aws-us-gov`).
        package var partition: String = "aws"
        /// How long destroy waits for a deleted service to finish draining (its tasks to stop)
        /// before it answers; 120 s.
        package var drainTimeout: Duration

        /// A configuration; only the region is required.
        package init(
            region: String, cluster: String = "default", endpoint: String? = nil, subnets: [String] = [],
            securityGroups: [String] = [], executionRoleARN: String? = nil, requestTimeout: Duration = .seconds(30),
            drainTimeout: Duration = .seconds(120)
        ) {
            self.region = region
            self.cluster = cluster
            self.endpoint = endpoint
            self.subnets = subnets
            self.securityGroups = securityGroups
            self.executionRoleARN = executionRoleARN
            self.requestTimeout = requestTimeout
            self.drainTimeout = drainTimeout
        }

        /// The endpoint requests go to.
        package var effectiveEndpoint: String { self.endpoint ?? AWSEndpoints.ecs(region: self.region) }
    }
}
