internal import LandlordCompute
package import LandlordProviderKit

/// The catalog entry of the `ecs` provider: its options (the contract's names) and how they
/// become a provider.
///
/// | option | environment | default |
/// |---|---|---|
/// | `--ecs-region R` | `AWS_REGION`, then `AWS_DEFAULT_REGION` | none (required) |
/// | `--ecs-cluster NAME` | `LANDLORD_ECS_CLUSTER` | `default` |
/// | `--ecs-endpoint URL` | `AWS_ENDPOINT_URL_ECS`, then `AWS_ENDPOINT_URL` | the regional endpoint |
/// | `--ecs-subnets A,B` | `LANDLORD_ECS_SUBNETS` | none |
/// | `--ecs-security-groups A,B` | `LANDLORD_ECS_SECURITY_GROUPS` | none |
/// | `--ecs-execution-role-arn ARN` | `LANDLORD_ECS_EXECUTION_ROLE_ARN` | none |
///
/// Credentials come from the AWS default chain (``AWSCredentialChain``), not from options.
package struct ECSProviderFactory: ComputeProviderFactory {
    package let name = ECSProvider.defaultName
    package let summary = "tenants as Fargate services on Amazon ECS (AWS default credential chain)"
    package let options: [ConfigOption] = [
        ConfigOption(
            name: "ecs-region", environment: ["AWS_REGION", "AWS_DEFAULT_REGION"], valueName: "R",
            unsetMeaning: "required when the ecs provider is registered", help: "AWS region of the ecs provider's cluster."),
        ConfigOption(
            name: "ecs-cluster", environment: ["LANDLORD_ECS_CLUSTER"], valueName: "NAME", defaultValue: "default",
            help: "ECS cluster (name or ARN) tenants run in; it must exist."),
        ConfigOption(
            name: "ecs-endpoint", environment: ["AWS_ENDPOINT_URL_ECS", "AWS_ENDPOINT_URL"], valueName: "URL",
            unsetMeaning: "https://ecs.<region>.amazonaws.com", help: "ECS API endpoint (other AWS services: AWS_ENDPOINT_URL_<SERVICE>)."),
        ConfigOption(
            name: "ecs-subnets", environment: ["LANDLORD_ECS_SUBNETS"], valueName: "A,B", kind: .list,
            unsetMeaning: "specs must name networking.subnets", help: "Subnets of tenant services whose spec names none."),
        ConfigOption(
            name: "ecs-security-groups", environment: ["LANDLORD_ECS_SECURITY_GROUPS"], valueName: "A,B", kind: .list,
            unsetMeaning: "the VPC's default security group",
            help: "Security groups of tenant services whose spec names none."),
        ConfigOption(
            name: "ecs-execution-role-arn", environment: ["LANDLORD_ECS_EXECUTION_ROLE_ARN"], valueName: "ARN",
            unsetMeaning: "no secrets or awslogs", help: "Task execution role (image pulls, secrets, awslogs)."),
    ]

    package init() {}

    /// The provider's configuration from its resolved options.
    ///
    /// - Throws: ``ConfigOptionError`` naming the option whose value cannot be used.
    package func makeConfiguration(_ context: ProviderContext) throws(ConfigOptionError) -> ECSProvider.Configuration {
        guard let region = context.options.string("ecs-region") else {
            throw ConfigOptionError("--ecs-region (or AWS_REGION, AWS_DEFAULT_REGION) is required by the ecs provider")
        }
        let regionCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard region.allSatisfy(regionCharacters.contains) else {
            throw context.options.error("ecs-region", "is not an AWS region name such as us-east-1")
        }
        let cluster = context.options.string("ecs-cluster") ?? "default"
        var configuration = ECSProvider.Configuration(
            region: region, cluster: cluster, endpoint: context.options.string("ecs-endpoint"),
            subnets: context.options.list("ecs-subnets") ?? [], securityGroups: context.options.list("ecs-security-groups") ?? [],
            executionRoleARN: context.options.string("ecs-execution-role-arn"))
        if let endpoint = configuration.endpoint {
            do throws(EngineConfigurationError) {
                let parsed = try EngineEndpoint(parsing: endpoint)
                guard case .url = parsed else { throw EngineConfigurationError("is not an http(s) URL") }
            } catch {
                throw context.options.error("ecs-endpoint", "is not usable: \(error.message)")
            }
        }
        if let role = configuration.executionRoleARN, !(role.hasPrefix("arn:") && role.contains(":role/")) {
            throw context.options.error("ecs-execution-role-arn", "is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
        }
        configuration.requestTimeout = .seconds(30)
        return configuration
    }

    /// The provider of the resolved options (nothing reaches AWS until its start-up check).
    ///
    /// - Throws: ``ConfigOptionError`` naming the option whose value cannot be used.
    package func makeProvider(_ context: ProviderContext) throws(ConfigOptionError) -> any ManagedComputeProvider {
        let configuration = try self.makeConfiguration(context)
        do {
            return try ECSProvider(configuration: configuration, environment: context.environment, logger: context.logger)
        } catch {
            throw context.options.error("ecs-endpoint", "is not usable: \(error.message)")
        }
    }
}
