// Secret-bearing types print and reflect with their sensitive parts redacted, so that
// `"\(spec)"`, `dump(spec)` or a test failure message can never leak an environment value,
// a secret's key or provider configuration into a log.

extension ContainerSpec: CustomReflectable {
    /// The value shown in place of redacted content.
    package static let redacted = "<redacted>"

    package var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "name": self.name,
                "image": self.image,
                "command": self.command,
                "args": self.args,
                "env": self.env.mapValues { _ in Self.redacted },
                "ports": self.ports,
                "healthCheck": self.healthCheck as Any,
                "resources": self.resources as Any,
            ],
            displayStyle: .struct
        )
    }
}

extension SecretReference: CustomReflectable {
    package var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "name": self.name,
                "source": self.source,
                "key": ContainerSpec.redacted,
                "envVar": self.envVar,
            ],
            displayStyle: .struct
        )
    }
}
