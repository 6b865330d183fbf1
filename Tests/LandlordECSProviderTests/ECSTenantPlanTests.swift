import Foundation
import LandlordCompute
import LandlordECSProvider
import Testing

@Suite("ECS spec mapping and validation")
struct ECSTenantPlanTests {
    static let configuration = ECSProvider.Configuration(
        region: "us-east-1", cluster: "default", subnets: ["subnet-1"], securityGroups: ["sg-1"],
        executionRoleARN: "arn:aws:iam::123456789012:role/exec")

    static func plan(_ spec: TenantComputeSpec, _ configuration: ECSProvider.Configuration = Self.configuration) throws -> ECSTenantPlan {
        try ECSTenantPlan.make(spec, configuration: configuration).get()
    }

    static func violations(_ spec: TenantComputeSpec, _ configuration: ECSProvider.Configuration = Self.configuration) -> [FieldViolation] {
        switch ECSTenantPlan.make(spec, configuration: configuration) {
        case .success: []
        case .failure(let error): error.violations
        }
    }

    static func spec() -> TenantComputeSpec {
        var spec = TenantComputeSpec.ecs("acme")
        spec.containers[0].command = ["/bin/server"]
        spec.containers[0].args = ["--port", "80"]
        spec.containers[0].env = ["MODE": "prod", "API_KEY": "plain-value"]
        spec.secrets = [
            SecretReference(name: "db", source: "secretsmanager", key: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password", envVar: "DB_PASSWORD"),
            SecretReference(name: "TOKEN", source: "ssm", key: "/landlord/token"),
        ]
        spec.labels = ["team": "payments"]
        spec.providerConfig = RawJSON(#"{"desired_count": 2, "log_group": "/landlord/acme", "task_role_arn": "arn:aws:iam::123456789012:role/app"}"#)
        return spec
    }

    @Test("the spec becomes a Fargate awsvpc task definition and a service")
    func mapping() throws {
        let plan = try Self.plan(Self.spec())
        let task = plan.taskDefinition
        #expect(task.family == "landlord-acme")
        #expect(task.networkMode == "awsvpc")
        #expect(task.requiresCompatibilities == ["FARGATE"])
        #expect(task.cpu == "256")
        #expect(task.memory == "512")
        #expect(task.taskRoleArn == "arn:aws:iam::123456789012:role/app")
        #expect(task.executionRoleArn == "arn:aws:iam::123456789012:role/exec")
        let web = try #require(task.containerDefinitions.first)
        #expect(web.image == "nginx:1.25")
        #expect(web.entryPoint == ["/bin/server"])
        #expect(web.command == ["--port", "80"])
        #expect(web.environment == [ECSKeyValuePair(name: "API_KEY", value: "plain-value"), ECSKeyValuePair(name: "MODE", value: "prod")])
        #expect(web.portMappings == [ECSPortMapping(containerPort: 80, hostPort: 80, protocol: "tcp", name: "http")])
        #expect(web.healthCheck?.command == ["CMD-SHELL", "wget -q -O /dev/null 'http://127.0.0.1:80/healthz' || curl -fsS -o /dev/null 'http://127.0.0.1:80/healthz' || exit 1"])
        #expect(web.healthCheck?.interval == 30)
        #expect(web.healthCheck?.timeout == 5)
        #expect(web.healthCheck?.retries == 3)
        #expect(web.secrets == [
            ECSSecret(name: "DB_PASSWORD", valueFrom: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:password::"),
            ECSSecret(name: "TOKEN", valueFrom: "/landlord/token"),
        ])
        #expect(web.logConfiguration == ECSLogConfiguration(
            logDriver: "awslogs",
            options: ["awslogs-group": "/landlord/acme", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "landlord-acme"]))
        #expect(task.tags?.contains(ECSTag(key: "landlord.dev/tenant-id", value: "acme")) == true)
        #expect(task.tags?.contains(ECSTag(key: "landlord.dev/managed-by", value: "landlord")) == true)
        #expect(task.tags?.contains(ECSTag(key: "team", value: "payments")) == true)
        #expect(plan.service.desiredCount == 2)
        #expect(plan.service.launchType == .fargate)
        #expect(plan.service.subnets == ["subnet-1"])
        #expect(plan.service.networkConfiguration.awsvpcConfiguration?.assignPublicIp == "DISABLED")
    }

    @Test("the stored spec (docker labels) holds fingerprints, never environment values or secret keys")
    func storedSpec() throws {
        let plan = try Self.plan(Self.spec())
        let labels = try #require(plan.taskDefinition.containerDefinitions.first?.dockerLabels)
        let text = labels.values.joined(separator: " ") + "\(plan.tags)"
        #expect(!text.contains("plain-value"))
        #expect(!text.contains("db-AbCdEf"))
        #expect(text.contains("fnv1a64:"))
        let definition = ECSTaskDefinition(
            taskDefinitionArn: "arn:aws:ecs:us-east-1:1:task-definition/landlord-acme:1",
            containerDefinitions: plan.taskDefinition.containerDefinitions)
        #expect(ECSTenantPlan.storedTaskPart(of: definition, tenantID: "acme") == plan.storedTaskPart)
        #expect(ECSTenantPlan.taskDefinitionHash(of: definition) == plan.taskDefinitionHash)
    }

    @Test("only a task definition change changes the hash; desired_count and networking are service settings")
    func hashes() throws {
        let base = try Self.plan(Self.spec())
        var scaled = Self.spec()
        scaled.providerConfig = RawJSON(#"{"desired_count": 5, "log_group": "/landlord/acme", "task_role_arn": "arn:aws:iam::123456789012:role/app"}"#)
        scaled.networking.subnets = ["subnet-9"]
        let other = try Self.plan(scaled)
        #expect(other.taskDefinitionHash == base.taskDefinitionHash)
        #expect(other.storedTaskPart == base.storedTaskPart)
        #expect(other.service != base.service)
        var image = Self.spec()
        image.containers[0].image = "nginx:1.27"
        #expect(try Self.plan(image).taskDefinitionHash != base.taskDefinitionHash)
    }

    @Test("Fargate sizes: a violation at resources names the nearest valid size")
    func fargateSizes() {
        var spec = TenantComputeSpec.ecs("acme")
        spec.resources = ResourceRequirements(cpu: 256, memory: 512)
        let violation = Self.violations(spec).first { $0.field == "resources" }
        #expect(violation?.description.contains("nearest valid one is cpu 250 (256 CPU units) with memory 512") == true)
        spec.resources = ResourceRequirements(cpu: 1000, memory: 1024)
        #expect(Self.violations(spec).first { $0.field == "resources" }?.description.contains("the nearest valid one is cpu 500 (512 CPU units) with memory 1024") == true)
        spec.resources = ResourceRequirements(cpu: 4000, memory: 30720)
        #expect(Self.violations(spec).isEmpty)
        #expect(FargateSizes.isValid(millicores: 16000, memory: 122_880))
        #expect(!FargateSizes.isValid(millicores: 8000, memory: 20000))
        // EC2 takes any size.
        spec.resources = ResourceRequirements(cpu: 300, memory: 700)
        spec.providerConfig = RawJSON(#"{"launch_type": "EC2"}"#)
        #expect(Self.violations(spec).isEmpty)
    }

    @Test("secret sources: env and file are violations at secrets[i].source; keys are checked")
    func secretSources() throws {
        var spec = TenantComputeSpec.ecs("acme")
        spec.secrets = [
            SecretReference(name: "a", source: "env", key: "A"),
            SecretReference(name: "b", source: "file", key: "b.txt"),
            SecretReference(name: "c", source: "secretsmanager", key: "name:json"),
            SecretReference(name: "d", source: "ssm", key: "arn:aws:s3:::bucket"),
            SecretReference(name: "e", source: "ssm", key: "/ok", envVar: "1BAD"),
        ]
        let fields = Self.violations(spec).map(\.field)
        #expect(fields == ["secrets[0].source", "secrets[1].source", "secrets[2].key", "secrets[3].key", "secrets[4].env_var"])
        // A Secrets Manager name becomes the partial ARN in the cluster's account.
        var withAccount = Self.configuration
        withAccount.accountID = "123456789012"
        spec.secrets = [
            SecretReference(name: "a", source: "secretsmanager", key: "db-password"),
            SecretReference(name: "b", source: "secretsmanager", key: "db:username"),
        ]
        #expect(try Self.plan(spec, withAccount).taskDefinition.containerDefinitions[0].secrets == [
            ECSSecret(name: "a", valueFrom: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-password"),
            ECSSecret(name: "b", valueFrom: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db:username::"),
        ])
        // Without the account (the cluster could not be described) a name is a violation at its key.
        #expect(Self.violations(spec).map(\.field) == ["secrets[0].key", "secrets[1].key"])
        spec.secrets = [SecretReference(name: "c", source: "secretsmanager", key: "a:b:c")]
        #expect(Self.violations(spec, withAccount).map(\.field) == ["secrets[0].key"])
        let noRole = ECSProvider.Configuration(region: "us-east-1", subnets: ["subnet-1"])
        spec.secrets = [SecretReference(name: "s", source: "ssm", key: "/ok")]
        #expect(Self.violations(spec, noRole).map(\.field) == ["secrets"])
    }

    @Test("health checks: exec is direct, http/tcp become commands, ECS limits are violations")
    func healthChecks() throws {
        var spec = TenantComputeSpec.ecs("acme")
        spec.containers[0].healthCheck = .exec(["pg_isready", "-q"])
        #expect(try Self.plan(spec).taskDefinition.containerDefinitions[0].healthCheck?.command == ["CMD", "pg_isready", "-q"])
        spec.containers[0].healthCheck = .tcp(port: 5432)
        #expect(try Self.plan(spec).taskDefinition.containerDefinitions[0].healthCheck?.command == ["CMD-SHELL", "nc -z 127.0.0.1 5432 || exit 1"])
        spec.containers[0].healthCheck = HealthCheckConfig(type: .tcp, port: 1, intervalSeconds: 0, timeoutSeconds: 0, healthyThreshold: 0, unhealthyThreshold: 0)
        let timing = try Self.plan(spec).taskDefinition.containerDefinitions[0].healthCheck
        #expect(timing?.interval == 10)
        #expect(timing?.timeout == 2)  // ECS's minimum
        #expect(timing?.retries == 3)
        spec.containers[0].healthCheck = HealthCheckConfig(type: .http, httpPath: "/a b'", port: 80, intervalSeconds: 400, healthyThreshold: 2, unhealthyThreshold: 11)
        #expect(Self.violations(spec).map(\.field) == [
            "containers[0].health_check.http_path", "containers[0].health_check.interval_seconds",
            "containers[0].health_check.unhealthy_threshold", "containers[0].health_check.healthy_threshold",
        ])
    }

    @Test("provider_config keys are validated with field paths")
    func providerConfig() {
        var spec = TenantComputeSpec.ecs("acme")
        spec.providerConfig = RawJSON(#"{"launch_type": "LAMBDA", "desired_count": -1, "platform_version": "new", "log_group": "bad group", "task_role_arn": "role", "capacity_provider_strategy": [{"weight": 1}], "colour": "blue"}"#)
        let fields = Self.violations(spec).map(\.field)
        #expect(fields.contains("provider_config.colour"))
        #expect(fields.contains("provider_config.launch_type"))
        #expect(fields.contains("provider_config.desired_count"))
        #expect(fields.contains("provider_config.platform_version"))
        #expect(fields.contains("provider_config.log_group"))
        #expect(fields.contains("provider_config.task_role_arn"))
        #expect(fields.contains("provider_config.capacity_provider_strategy[0].capacity_provider"))
        spec.providerConfig = RawJSON(#"{"launch_type": "FARGATE", "capacity_provider_strategy": [{"capacity_provider": "FARGATE_SPOT", "weight": 1}]}"#)
        #expect(Self.violations(spec).map(\.field) == ["provider_config.capacity_provider_strategy"])
        spec.providerConfig = RawJSON(#"{"capacity_provider_strategy": [{"capacity_provider": "FARGATE_SPOT", "weight": 1, "base": 0}], "platform_version": "1.4.0"}"#)
        #expect(Self.violations(spec).isEmpty)
        spec.providerConfig = RawJSON(#"{"capacity_provider_strategy": [{"capacity_provider": "FARGATE", "weight": 1.5, "base": -1, "extra": 1}]}"#)
        #expect(Self.violations(spec).map(\.field) == [
            "provider_config.capacity_provider_strategy[0].extra", "provider_config.capacity_provider_strategy[0].weight",
            "provider_config.capacity_provider_strategy[0].base",
        ])
        spec.providerConfig = RawJSON("[1]")
        #expect(Self.violations(spec).map(\.field) == ["provider_config"])
    }

    @Test("awsvpc rules: host ports, shared ports, subnets, DNS, labels as tags")
    func awsvpcRules() {
        var spec = TenantComputeSpec.ecs("acme")
        spec.containers[0].ports[0].hostPort = 8080
        spec.containers.append(ContainerSpec(name: "side", image: "busybox", ports: [PortMapping(containerPort: 80)]))
        spec.networking.dns = DNSConfig(hostname: "acme")
        spec.labels = ["aws:owner": "x", "ok": "fine"]
        let noSubnets = ECSProvider.Configuration(region: "us-east-1", executionRoleARN: "arn:aws:iam::1:role/e")
        let fields = Self.violations(spec, noSubnets).map(\.field)
        #expect(fields == [
            "containers[0].ports[0].host_port", "containers[1].ports[0].container_port", "networking.subnets",
            "networking.dns", "labels[aws:owner]",
        ])
    }

    @Test("no violation quotes an environment value or a secret key")
    func noSecretsInViolations() {
        var spec = TenantComputeSpec.ecs("acme")
        spec.containers[0].env = ["PASSWORD": "hunter2"]
        spec.secrets = [SecretReference(name: "x", source: "env", key: "super-secret-key")]
        spec.resources.cpu = 257
        let text = Self.violations(spec).map { "\($0.field) \($0.description)" }.joined()
        #expect(!text.contains("hunter2"))
        #expect(!text.contains("super-secret-key"))
    }
}
