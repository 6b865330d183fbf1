import Foundation
import LandlordCompute
import LandlordKubernetesProvider
import LandlordProviderKit
import Testing

@Suite("Kubernetes provider: spec to objects")
struct KubernetesMappingTests {
    private let labels = ["app.kubernetes.io/managed-by": "landlord", "landlord.dev/tenant-id": "acme"]

    @Test("the namespace is <prefix><tenant_id> and every object carries the two contract labels")
    func namespaceAndLabels() throws {
        let objects = Specs.objects(Specs.rich)
        #expect(objects.namespace.metadata.name == "landlord-acme")
        #expect(objects.namespace.metadata.namespace == nil)
        #expect(
            objects.inApplyOrder.map(\.kind) == [
                "Namespace", "ResourceQuota", "LimitRange", "NetworkPolicy", "Secret", "Deployment", "Service",
            ])
        for object in objects.inApplyOrder {
            let objectLabels = try #require(object.metadata.labels)
            for (key, value) in self.labels { #expect(objectLabels[key] == value, "\(object.kind) \(key)") }
            #expect(objectLabels["team"] == "payments")
            if object.kind != "Namespace" { #expect(object.metadata.namespace == "landlord-acme") }
        }
        #expect(objects.deployment.spec.template.metadata.labels?["landlord.dev/tenant-id"] == "acme")
        #expect(objects.deployment.spec.selector.matchLabels == self.labels)
        #expect(objects.service?.spec.selector == self.labels)
        #expect(Specs.objects(Specs.rich, prefix: "t-").namespace.metadata.name == "t-acme")
    }

    @Test("one Deployment whose pod holds every container, with command and args as Kubernetes defines them")
    func deploymentAndContainers() throws {
        let deployment = Specs.objects(Specs.rich).deployment
        #expect(deployment.metadata.name == "tenant")
        #expect(deployment.spec.replicas == 3)
        #expect(deployment.spec.strategy?.rollingUpdate?.maxSurge == 1)
        #expect(deployment.spec.strategy?.rollingUpdate?.maxUnavailable == 0)
        let pod = deployment.spec.template.spec
        #expect(pod.containers.map(\.name) == ["web", "worker"])
        let web = pod.containers[0]
        #expect(web.image == "nginx:1.25")
        #expect(web.command == ["/docker-entrypoint.sh"])
        #expect(web.args == ["nginx", "-g", "daemon off;"])
        #expect(pod.containers[1].command == nil)
        #expect(pod.containers[1].args == ["--queue", "jobs"])
        #expect(pod.serviceAccountName == "acme-runner")
        #expect(pod.automountServiceAccountToken == nil)
        #expect(pod.enableServiceLinks == false)
        #expect(pod.nodeSelector == ["kubernetes.io/os": "linux"])
        #expect(pod.tolerations?.count == 2)
        #expect(pod.tolerations?[0].key == "dedicated")
        #expect(pod.tolerations?[1].tolerationSeconds == 30)
        #expect(pod.imagePullSecrets?.map(\.name) == ["registry-acme"])
        #expect(pod.hostname == "acme-web")
        // Without a service account: the namespace's default one, without a token.
        #expect(Specs.objects(Specs.minimal).deployment.spec.template.spec.automountServiceAccountToken == false)
        #expect(Specs.objects(Specs.minimal).deployment.spec.replicas == 1)
    }

    @Test("env values sorted by name, then secrets through secretKeyRef, never as values")
    func environment() throws {
        let objects = Specs.objects(Specs.rich)
        let web = objects.deployment.spec.template.spec.containers[0]
        let env = try #require(web.env)
        #expect(env.map(\.name) == ["LOG_LEVEL", "MODE", "API_TOKEN", "DB_PASSWORD"])
        #expect(env[0].value == "info")
        #expect(env[2].value == nil)
        #expect(env[2].valueFrom?.secretKeyRef.name == "tenant-secrets")
        #expect(env[2].valueFrom?.secretKeyRef.key == "api.token")
        #expect(env[3].valueFrom?.secretKeyRef.key == "db-password")
        // Every container gets the secrets.
        #expect(objects.deployment.spec.template.spec.containers[1].env?.map(\.name) == ["API_TOKEN", "DB_PASSWORD"])
        let secret = try #require(objects.secret)
        #expect(secret.metadata.name == "tenant-secrets")
        #expect(secret.type == "Opaque")
        #expect(secret.data["db-password"] == Data("s3cr3t-db-password-value".utf8).base64EncodedString())
        #expect(Specs.objects(Specs.minimal).secret == nil)
    }

    @Test(
        "resources as limits = requests in m and Mi; a container without its own gets what the tenant's leave",
        arguments: [
            (0, ["cpu": "500m", "memory": "256Mi"]),
            (1, ["cpu": "500m", "memory": "768Mi", "ephemeral-storage": "2048Mi"]),
        ])
    func resources(index: Int, expected: [String: String]) throws {
        let container = Specs.objects(Specs.rich).deployment.spec.template.spec.containers[index]
        #expect(container.resources?.limits == expected)
        #expect(container.resources?.requests == expected)
    }

    @Test("probes: http, exec and tcp with interval, timeout and thresholds; liveness successThreshold 1")
    func probes() throws {
        let containers = Specs.objects(Specs.rich).deployment.spec.template.spec.containers
        let readiness = try #require(containers[0].readinessProbe)
        #expect(readiness.httpGet?.path == "/healthz")
        #expect(readiness.httpGet?.port == 80)
        #expect(readiness.periodSeconds == 15)
        #expect(readiness.timeoutSeconds == 3)
        #expect(readiness.successThreshold == 2)
        #expect(readiness.failureThreshold == 4)
        let liveness = try #require(containers[0].livenessProbe)
        #expect(liveness.successThreshold == 1)
        #expect(liveness.failureThreshold == 4)
        #expect(liveness.httpGet == readiness.httpGet)
        // Zeros are the documented defaults: 10 s, 1 s, 1, 3.
        let exec = try #require(containers[1].readinessProbe)
        #expect(exec.exec?.command == ["/bin/check", "--quick"])
        let timing: [Int] = [exec.periodSeconds, exec.timeoutSeconds, exec.successThreshold, exec.failureThreshold]
        #expect(timing == [10, 1, 1, 3])
        let tcp = try #require(Specs.objects(Specs.nodePort).deployment.spec.template.spec.containers[0].livenessProbe)
        #expect(tcp.tcpSocket?.port == 5432)
        #expect(tcp.httpGet == nil && tcp.exec == nil)
        #expect(Specs.objects(Specs.minimal).deployment.spec.template.spec.containers[0].readinessProbe == nil)
    }

    @Test(
        "ports: container ports named, a Service port each (host_port or container_port); public_ip makes a LoadBalancer"
    )
    func portsAndService() throws {
        let objects = Specs.objects(Specs.rich)
        let web = objects.deployment.spec.template.spec.containers[0]
        #expect(web.ports?.map(\.name) == ["http", "tcp-9090"])
        #expect(web.ports?.map(\.protocol) == ["TCP", "TCP"])
        let service = try #require(objects.service)
        #expect(service.metadata.name == "tenant")
        #expect(service.spec.type == "LoadBalancer")
        #expect(service.spec.ports.map(\.name) == ["http", "tcp-9090", "udp-5353"])
        #expect(service.spec.ports.map(\.port) == [8080, 9090, 5353])
        #expect(service.spec.ports.map(\.targetPort) == [80, 9090, 5353])
        #expect(service.spec.ports.map(\.protocol) == ["TCP", "TCP", "UDP"])
        #expect(Specs.objects(Specs.nodePort).service?.spec.type == "NodePort")
        var privateSpec = Specs.nodePort
        privateSpec.providerConfig = nil
        #expect(Specs.objects(privateSpec).service?.spec.type == "ClusterIP")
        #expect(Specs.objects(Specs.minimal).service == nil)
    }

    @Test("quota for the pods of a rollout (replicas + 1) and a LimitRange of the tenant's resources")
    func quotaAndLimits() throws {
        let objects = Specs.objects(Specs.rich)
        #expect(
            objects.resourceQuota.spec.hard == [
                "pods": "4", "limits.cpu": "4000m", "requests.cpu": "4000m", "limits.memory": "4096Mi",
                "requests.memory": "4096Mi", "limits.ephemeral-storage": "8192Mi",
                "requests.ephemeral-storage": "8192Mi",
            ])
        let item = try #require(objects.limitRange.spec.limits.first)
        #expect(item.type == "Container")
        #expect(item.max == ["cpu": "1000m", "memory": "1024Mi", "ephemeral-storage": "2048Mi"])
        #expect(Specs.objects(Specs.minimal).resourceQuota.spec.hard["pods"] == "2")
        #expect(Specs.objects(Specs.nodePort).resourceQuota.spec.hard["pods"] == "1")
    }

    @Test(
        "the NetworkPolicy admits the namespace's pods, the named namespaces, and outside traffic to a public Service's ports"
    )
    func networkPolicy() throws {
        let policy = Specs.objects(Specs.rich).networkPolicy
        #expect(policy.metadata.name == "tenant-isolation")
        #expect(policy.spec.policyTypes == ["Ingress"])
        #expect(policy.spec.podSelector == LabelSelector())
        #expect(policy.spec.ingress.count == 3)
        #expect(policy.spec.ingress[0].from?.first?.podSelector == LabelSelector())
        #expect(
            policy.spec.ingress[1].from?.first?.namespaceSelector?.matchExpressions?.first?.values == ["ingress-nginx"])
        #expect(policy.spec.ingress[2].from == nil)
        #expect(policy.spec.ingress[2].ports?.map(\.port) == [80, 9090, 5353])
        #expect(Specs.objects(Specs.minimal).networkPolicy.spec.ingress.count == 1)
    }

    @Test("the stored spec annotation: env values and secret keys fingerprinted, provider_config canonical")
    func storedSpec() throws {
        let deployment = Specs.objects(Specs.rich).deployment
        let stored = try #require(deployment.metadata.annotations?["landlord.dev/spec"])
        let decoded = try JSONDecoder().decode(TenantComputeSpec.self, from: Data(stored.utf8))
        #expect(decoded.containers[0].env["MODE"] == SpecHash.fingerprint("production"))
        #expect(decoded.secrets[0].key == SpecHash.fingerprint("LL_TEST_DB_PASSWORD"))
        #expect(decoded.providerConfig != nil)
        #expect(!stored.contains("production"))
        let hash = try #require(deployment.metadata.annotations?["landlord.dev/spec-hash"])
        #expect(hash == SpecHash.hex(stored.utf8))
        #expect(Specs.objects(Specs.rich).namespace.metadata.annotations?["landlord.dev/spec-hash"] == hash)
        // Same spec, same objects; another env value, another hash.
        #expect(Specs.objects(Specs.rich) == Specs.objects(Specs.rich))
        var changed = Specs.rich
        changed.containers[0].env["MODE"] = "staging"
        #expect(Specs.objects(changed).deployment.metadata.annotations?["landlord.dev/spec-hash"] != hash)
    }

    @Test("a secret value appears in the Secret only: every other object serialized holds neither it nor its base64")
    func secretValuesOnlyInTheSecret() throws {
        for spec in [Specs.rich, Specs.nodePort] {
            let objects = Specs.objects(spec)
            let values = spec.secrets.compactMap { Specs.secretEnvironment[$0.key] }
            #expect(!values.isEmpty)
            for object in objects.inApplyOrder where object.kind != "Secret" {
                let json = String(decoding: try KubernetesAPI.body(of: object), as: UTF8.self)
                for value in values {
                    #expect(!json.contains(value), "\(object.kind) holds a secret value")
                    #expect(
                        !json.contains(Data(value.utf8).base64EncodedString()), "\(object.kind) holds a secret value")
                }
            }
            let secret = String(decoding: try KubernetesAPI.body(of: try #require(objects.secret)), as: UTF8.self)
            for value in values { #expect(secret.contains(Data(value.utf8).base64EncodedString())) }
        }
    }

    @Test("secret values come from the kit's SecretResolver, errors name the secret only")
    func secretResolution() throws {
        let environment = Specs.secretEnvironment
        let resolver = SecretResolver(directory: nil, environment: { environment[$0] })
        let values = try KubernetesMapping.secretValues(of: Specs.rich, resolver: resolver)
        #expect(values == ["db-password": "s3cr3t-db-password-value", "api.token": "tok-9f8e7d6c5b4a-api-token"])
        var spec = Specs.rich
        spec.secrets[0].key = "LL_TEST_NOT_SET"
        #expect(throws: SecretResolver.Failure.self) {
            try KubernetesMapping.secretValues(of: spec, resolver: resolver)
        }
        do {
            _ = try KubernetesMapping.secretValues(of: spec, resolver: resolver)
        } catch {
            #expect(error.description.contains("db-password"))
            #expect(!error.description.contains("LL_TEST_NOT_SET"))
        }
    }
}
