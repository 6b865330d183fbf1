/// An AWS account and its partition, as an ARN names them (`arn:<partition>:<service>:<region>:<account>:...`).
package struct AWSAccount: Sendable, Hashable {
    /// `aws`, `aws-cn`, `aws-us-gov`.
    package var partition: String
    /// The 12-digit account id.
    package var id: String

    package init(partition: String, id: String) {
        self.partition = partition
        self.id = id
    }

    /// The account of `arn`; nil when it is not an ARN with an account.
    package init?(arn: String) {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 6, parts[0] == "arn", !parts[1].isEmpty, !parts[4].isEmpty else { return nil }
        self.init(partition: String(parts[1]), id: String(parts[4]))
    }
}
