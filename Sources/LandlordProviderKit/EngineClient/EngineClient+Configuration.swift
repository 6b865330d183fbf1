extension EngineClient {
    /// How an ``EngineClient`` calls its engine: deadlines, retries, TLS, credentials and limits.
    package struct Configuration: Sendable {
        /// The deadline of a call, retries included, unless the request says otherwise; 30 s.
        package var requestTimeout: Duration
        /// The deadline of establishing one connection (TLS handshake included); 5 s.
        package var connectTimeout: Duration
        /// When calls are retried; ``RetryPolicy/defaults``.
        package var retryPolicy: RetryPolicy
        /// TLS settings of an `https` endpoint; `nil` (the default): the system's trust roots, no
        /// client certificate. Not used by a client given an existing `HTTPClient`, except
        /// ``EngineTLSConfiguration/serverName``, which is ignored there too.
        package var tls: EngineTLSConfiguration?
        /// How requests are authenticated; none by default.
        package var credentials: EngineCredentials
        /// The largest body read into memory; 16 MiB.
        package var maximumResponseBodySize: Int
        /// The `User-Agent` header of requests that set none; `landlord`.
        package var userAgent: String
        /// Connections kept to the engine before requests queue (a client it creates); 64.
        package var maximumConnections: Int
        /// How long an idle connection is kept (a client it creates); 30 s.
        package var idleTimeout: Duration

        /// Creates a configuration; every argument has the default ``defaults`` documents.
        package init(
            requestTimeout: Duration = .seconds(30),
            connectTimeout: Duration = .seconds(5),
            retryPolicy: RetryPolicy = .defaults,
            tls: EngineTLSConfiguration? = nil,
            credentials: EngineCredentials = .none,
            maximumResponseBodySize: Int = 16 << 20,
            userAgent: String = "landlord",
            maximumConnections: Int = 64,
            idleTimeout: Duration = .seconds(30)
        ) {
            self.requestTimeout = requestTimeout
            self.connectTimeout = connectTimeout
            self.retryPolicy = retryPolicy
            self.tls = tls
            self.credentials = credentials
            self.maximumResponseBodySize = maximumResponseBodySize
            self.userAgent = userAgent
            self.maximumConnections = maximumConnections
            self.idleTimeout = idleTimeout
        }

        /// Request timeout 30 s, connect timeout 5 s, ``RetryPolicy/defaults``, system TLS roots,
        /// no credentials, bodies up to 16 MiB, user agent `landlord`, 64 connections idle for 30 s.
        package static let defaults = Configuration()
    }
}
