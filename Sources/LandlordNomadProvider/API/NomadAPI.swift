internal import Foundation
package import LandlordProviderKit
internal import NIOCore
internal import NIOHTTP1

/// The calls the `nomad` provider makes to Nomad's HTTP API, over the kit's ``EngineClient``
/// (which sends the `X-Nomad-Token`, retries and applies deadlines). Every call carries the
/// configured `namespace` and, when one is set, `region` query parameters.
package struct NomadAPI: Sendable {
    /// The client calls go through.
    package let client: EngineClient
    /// The namespace of tenant jobs and variables.
    package let namespace: String
    /// The region; `nil`: the agent's.
    package let region: String?

    package init(client: EngineClient, namespace: String, region: String?) {
        self.client = client
        self.namespace = namespace
        self.region = region
    }

    /// A value read with a blocking query and the index to wait on next (`X-Nomad-Index`).
    package struct Indexed<Value: Sendable>: Sendable {
        package var value: Value
        package var index: UInt64
    }

    /// How long a blocking query may wait, and the index it waits past.
    package struct Blocking: Sendable, Hashable {
        package var index: UInt64
        package var wait: Duration

        package init(index: UInt64, wait: Duration) {
            self.index = index
            self.wait = wait
        }
    }

    private var scope: [(name: String, value: String)] {
        var query = [(name: "namespace", value: self.namespace)]
        if let region = self.region { query.append((name: "region", value: region)) }
        return query
    }

    private static let decoder = JSONDecoder()

    private func send(
        _ method: HTTPMethod, _ path: String, query: [(name: String, value: String)] = [], body: (some Encodable)? = nil as Int?,
        blocking: Blocking? = nil, operation: String, redactBody: Bool = false
    ) async throws -> EngineResponse {
        var query = self.scope + query
        var timeout: Duration?
        if let blocking {
            let seconds = max(1, Int(blocking.wait.components.seconds))
            query += [(name: "index", value: String(blocking.index)), (name: "wait", value: "\(seconds)s")]
            // Nomad adds up to wait/16 of jitter; the call's deadline leaves room for it.
            timeout = blocking.wait + blocking.wait / 8 + .seconds(10)
        }
        var request = EngineRequest(method, path, query: query, timeout: timeout, operation: operation)
        if let body { try request.json(body) }
        let response = try await self.client.execute(request)
        guard (200..<300).contains(response.status) else {
            throw NomadAPIError.from(response, operation: operation, redactBody: redactBody)
        }
        return response
    }

    private static func index(of response: EngineResponse) -> UInt64 {
        response.headers.first(name: "X-Nomad-Index").flatMap(UInt64.init) ?? 0
    }

    // MARK: - Agent and ACL

    /// `GET /v1/agent/self`: the agent's region, datacenter and version.
    package func agentSelf() async throws -> NomadAgentSelf {
        try await self.send(.GET, "/v1/agent/self", operation: "read the agent (/v1/agent/self)").decode()
    }

    /// `GET /v1/acl/token/self`: the token's name and policies; `nil` when ACLs are disabled
    /// (Nomad answers 400 `ACL support disabled`).
    package func tokenSelf() async throws -> NomadTokenSelf? {
        do {
            return try await self.send(.GET, "/v1/acl/token/self", operation: "check the token (/v1/acl/token/self)").decode()
        } catch let error as NomadAPIError where error.reason == .rejected(status: 400) && error.message.contains("ACL support disabled") {
            return nil
        }
    }

    // MARK: - Jobs

    private static func jobPath(_ id: String, _ suffix: String = "") -> String {
        "/v1/job/" + EngineRequest.percentEncoded(id) + suffix
    }

    /// `GET /v1/job/:id`; `nil` when there is none.
    package func job(_ id: String, blocking: Blocking? = nil) async throws -> Indexed<NomadJobInfo?> {
        do {
            let response = try await self.send(.GET, Self.jobPath(id), blocking: blocking, operation: "read job \(id)")
            return Indexed(value: try response.decode(NomadJobInfo.self), index: Self.index(of: response))
        } catch let error as NomadAPIError where error.reason == .notFound {
            return Indexed(value: nil, index: 0)
        }
    }

    /// Registers `job` with `EnforceIndex`: Nomad accepts it only when the job's
    /// `JobModifyIndex` is still `jobModifyIndex` (0: the job must not exist).
    ///
    /// - Throws: ``NomadAPIError`` with ``NomadAPIError/Reason/enforceIndexConflict`` when another
    ///   writer was first.
    package func register(_ job: NomadJob, enforcing jobModifyIndex: UInt64) async throws -> NomadRegisterResponse {
        struct Body: Encodable {
            var job: NomadJob
            var enforceIndex = true
            var jobModifyIndex: UInt64
            enum CodingKeys: String, CodingKey { case job = "Job", enforceIndex = "EnforceIndex", jobModifyIndex = "JobModifyIndex" }
        }
        return try await self.send(
            .POST, Self.jobPath(job.id), body: Body(job: job, jobModifyIndex: jobModifyIndex),
            operation: "register job \(job.id)"
        ).decode()
    }

    /// `POST /v1/job/:id/plan` with `Diff: true`: what registering `job` would change.
    package func plan(_ job: NomadJob) async throws -> NomadPlanResponse {
        struct Body: Encodable {
            var job: NomadJob
            var diff = true
            enum CodingKeys: String, CodingKey { case job = "Job", diff = "Diff" }
        }
        return try await self.send(.POST, Self.jobPath(job.id, "/plan"), body: Body(job: job), operation: "plan job \(job.id)")
            .decode()
    }

    /// `DELETE /v1/job/:id?purge=true`: stops the job and removes it at once; a job that does
    /// not exist is no error.
    package func deregister(_ id: String) async throws {
        do {
            _ = try await self.send(.DELETE, Self.jobPath(id), query: [(name: "purge", value: "true")], operation: "deregister job \(id)")
        } catch let error as NomadAPIError where error.reason == .notFound {
            return
        }
    }

    /// `GET /v1/job/:id/allocations?resources=true` (with its ports).
    package func allocations(_ id: String, blocking: Blocking? = nil) async throws -> Indexed<[NomadAllocation]> {
        do {
            let response = try await self.send(
                .GET, Self.jobPath(id, "/allocations"), query: [(name: "resources", value: "true")], blocking: blocking,
                operation: "list allocations of job \(id)")
            return Indexed(value: try response.decode(), index: Self.index(of: response))
        } catch let error as NomadAPIError where error.reason == .notFound {
            return Indexed(value: [], index: 0)
        }
    }

    /// `GET /v1/job/:id/deployment`: the latest deployment, `nil` when there is none.
    package func latestDeployment(_ id: String, blocking: Blocking? = nil) async throws -> Indexed<NomadDeployment?> {
        do {
            let response = try await self.send(
                .GET, Self.jobPath(id, "/deployment"), blocking: blocking, operation: "read the deployment of job \(id)")
            let text = response.text.trimmingCharacters(in: .whitespacesAndNewlines)
            let value: NomadDeployment? = text == "null" || text.isEmpty ? nil : try response.decode(NomadDeployment.self)
            return Indexed(value: value, index: Self.index(of: response))
        } catch let error as NomadAPIError where error.reason == .notFound {
            return Indexed(value: nil, index: 0)
        }
    }

    // MARK: - Variables (answers and errors never carry their content)

    private static func variablePath(_ path: String) -> String {
        "/v1/var/" + path.split(separator: "/").map { EngineRequest.percentEncoded(String($0)) }.joined(separator: "/")
    }

    /// `GET /v1/var/:path`; `nil` when there is none.
    package func variable(_ path: String) async throws -> NomadVariable? {
        do {
            return try await self.send(.GET, Self.variablePath(path), operation: "read variable \(path)", redactBody: true)
                .decode()
        } catch let error as NomadAPIError where error.reason == .notFound {
            return nil
        }
    }

    /// `PUT /v1/var/:path?cas=N`: writes `items` if the variable's `ModifyIndex` is still
    /// `modifyIndex` (0: it must not exist).
    ///
    /// - Returns: The variable's new `ModifyIndex`.
    /// - Throws: ``NomadAPIError`` with ``NomadAPIError/Reason/variableConflict`` when another
    ///   writer was first.
    @discardableResult
    package func putVariable(_ path: String, items: [String: String], modifyIndex: UInt64) async throws -> UInt64 {
        let variable = NomadVariable(namespace: self.namespace, path: path, items: items)
        let response = try await self.send(
            .PUT, Self.variablePath(path), query: [(name: "cas", value: String(modifyIndex))], body: variable,
            operation: "write variable \(path)", redactBody: true)
        let written = try? response.decode(NomadVariable.self)
        return written?.modifyIndex ?? Self.index(of: response)
    }

    /// `DELETE /v1/var/:path`; a variable that does not exist is no error.
    package func deleteVariable(_ path: String) async throws {
        do {
            _ = try await self.send(.DELETE, Self.variablePath(path), operation: "delete variable \(path)", redactBody: true)
        } catch let error as NomadAPIError where error.reason == .notFound {
            return
        }
    }
}
