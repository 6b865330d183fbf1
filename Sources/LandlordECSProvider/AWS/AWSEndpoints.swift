/// Where AWS service APIs are: the endpoint overrides of the AWS SDK convention
/// (`AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`) and the regional defaults.
enum AWSEndpoints {
    /// The override for `service` (its SDK id in upper snake case, e.g. `ECS`, `STS`), if set.
    static func override(service: String, environment: [String: String]) -> String? {
        for name in ["AWS_ENDPOINT_URL_\(service)", "AWS_ENDPOINT_URL"] {
            if let value = environment[name], !value.isEmpty { return value }
        }
        return nil
    }

    /// `https://ecs.<region>.amazonaws.com` (`amazonaws.com.cn` in the China regions).
    static func ecs(region: String) -> String {
        "https://ecs.\(region).amazonaws.com" + (region.hasPrefix("cn-") ? ".cn" : "")
    }
}
