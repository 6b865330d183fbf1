internal import LandlordCompute

/// A tenant's endpoints from its Service: one per spec port the Service exposes.
///
/// - `LoadBalancer`: the first ingress address (IP, else hostname) once the cloud assigned it,
///   the Service port; nothing until then (the endpoint appears when assigned).
/// - `ClusterIP`: the Service's cluster DNS name `<service>.<namespace>.svc`, reachable from
///   inside the cluster (where landlord's callers usually run), the Service port.
///
/// A Service port matches a spec port by name (the mapping names them after the spec's port, or
/// `port-<container_port>`), else by number.
enum ServiceEndpoints {
    static func endpoints(of service: ObservedService, ports: [PortMapping]) -> [Endpoint] {
        let servicePorts = service.spec?.ports ?? []
        let address: String
        if service.spec?.type == "LoadBalancer" {
            guard let ingress = service.status?.loadBalancer?.ingress?.first,
                let assigned = ingress.ip ?? ingress.hostname, !assigned.isEmpty
            else { return [] }
            address = assigned
        } else {
            guard let name = service.metadata.name, let namespace = service.metadata.namespace else { return [] }
            address = "\(name).\(namespace).svc"
        }
        return ports.compactMap { port in
            let fallbackName = "port-\(port.containerPort)"
            let exposed =
                servicePorts.first { $0.name != nil && ($0.name == port.name || $0.name == fallbackName) }
                ?? servicePorts.first { $0.port == port.containerPort }
            return exposed.map { Endpoint(publishing: port, address: address, port: $0.port) }
        }
    }
}
