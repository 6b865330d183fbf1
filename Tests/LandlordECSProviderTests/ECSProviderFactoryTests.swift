import LandlordECSProvider
import LandlordProviderKit
import Logging
import Testing

@Suite("ECS provider factory")
struct ECSProviderFactoryTests {
    let factory = ECSProviderFactory()

    func context(_ pairs: [(String, String)]) -> ProviderContext {
        let byName = Dictionary(uniqueKeysWithValues: self.factory.options.map { ($0.name, $0) })
        return ProviderContext(
            options: ConfigOptionValues(pairs.map { ResolvedOption(option: byName[$0.0]!, value: $0.1, source: .flag) }),
            environment: [:], logger: Logger(label: "test"))
    }

    @Test("the options are the contract's flags and environment variables, in its order")
    func contractNames() {
        let table = Dictionary(uniqueKeysWithValues: self.factory.options.map { ($0.flag, $0.environment) })
        #expect(table == [
            "--ecs-region": ["AWS_REGION", "AWS_DEFAULT_REGION"],
            "--ecs-cluster": ["LANDLORD_ECS_CLUSTER"],
            "--ecs-endpoint": ["AWS_ENDPOINT_URL_ECS", "AWS_ENDPOINT_URL"],
            "--ecs-subnets": ["LANDLORD_ECS_SUBNETS"],
            "--ecs-security-groups": ["LANDLORD_ECS_SECURITY_GROUPS"],
            "--ecs-execution-role-arn": ["LANDLORD_ECS_EXECUTION_ROLE_ARN"],
        ])
        #expect(self.factory.options.first { $0.name == "ecs-cluster" }?.defaultValue == "default")
        #expect(self.factory.name == "ecs")
    }

    @Test("the configuration of resolved options; the regional endpoint by default")
    func configuration() throws {
        let configuration = try self.factory.makeConfiguration(
            self.context([
                ("ecs-region", "eu-west-1"), ("ecs-subnets", "subnet-a, subnet-b"), ("ecs-security-groups", "sg-1"),
                ("ecs-execution-role-arn", "arn:aws:iam::123456789012:role/exec"),
            ]))
        #expect(configuration.region == "eu-west-1")
        #expect(configuration.cluster == "default")
        #expect(configuration.subnets == ["subnet-a", "subnet-b"])
        #expect(configuration.securityGroups == ["sg-1"])
        #expect(configuration.effectiveEndpoint == "https://ecs.eu-west-1.amazonaws.com")
        let custom = try self.factory.makeConfiguration(
            self.context([("ecs-region", "us-east-1"), ("ecs-endpoint", "http://127.0.0.1:5000"), ("ecs-cluster", "prod")]))
        #expect(custom.effectiveEndpoint == "http://127.0.0.1:5000")
        #expect(custom.cluster == "prod")
    }

    @Test("a missing region, a bad endpoint or role are option errors naming the option")
    func errors() {
        #expect(throws: ConfigOptionError.self) { try self.factory.makeConfiguration(self.context([])) }
        do {
            _ = try self.factory.makeConfiguration(self.context([("ecs-region", "us-east-1"), ("ecs-endpoint", "ftp://x")]))
            Issue.record("no error")
        } catch {
            #expect(error.message.hasPrefix("--ecs-endpoint \"ftp://x\" (from flag) is not usable"))
        }
        #expect(throws: ConfigOptionError.self) {
            try self.factory.makeConfiguration(self.context([("ecs-region", "us-east-1"), ("ecs-execution-role-arn", "exec")]))
        }
        #expect(throws: ConfigOptionError.self) {
            try self.factory.makeConfiguration(self.context([("ecs-region", "US East")]))
        }
    }
}
