import Foundation
import LandlordCompute
import LandlordComputeAPI
import LandlordProtobuf
import Testing

@Suite("Enums: every value, UNSPECIFIED and unknown wire values")
struct EnumMappingTests {
    /// GetTenantStatusResponse { status { state: `state`, health: `health` } }.
    private func statusBytes(state: Int64?, health: Int64?) -> [UInt8] {
        var status: [UInt8] = []
        if let state { status += Wire.varintField(3, state) }
        if let health { status += Wire.varintField(5, health) }
        return Wire.lengthDelimited(1, status)
    }

    @Test(
        "ComputeState wire values",
        arguments: [
            (1, ComputeState.running), (2, .stopped), (3, .starting), (4, .stopping), (5, .failed), (6, .unknown),
        ] as [(Int64, ComputeState)]
    )
    func computeState(wire: Int64, state: ComputeState) throws {
        let response = try GetTenantStatusResponse(serializedBytes: statusBytes(state: wire, health: nil))
        #expect(response.status.state == state)
        var status = response.status
        status.state = state
        #expect(
            GetTenantStatusResponse(status: status).serializedBytes().contains(subsequence: Wire.varintField(3, wire)))
    }

    @Test(
        "HealthStatus wire values",
        arguments: [(1, HealthStatus.healthy), (2, .unhealthy), (3, .unknown)] as [(Int64, HealthStatus)]
    )
    func healthStatus(wire: Int64, health: HealthStatus) throws {
        let response = try GetTenantStatusResponse(serializedBytes: statusBytes(state: nil, health: wire))
        #expect(response.status.health == health)
    }

    @Test(
        "ComputeState and HealthStatus: UNSPECIFIED and unknown values read as unknown",
        arguments: [nil, 0, 7, 99, 1 << 20, Int64(Int32.max), -1, Int64(Int32.min)] as [Int64?]
    )
    func unknownStateAndHealth(wire: Int64?) throws {
        let response = try GetTenantStatusResponse(serializedBytes: statusBytes(state: wire, health: wire))
        #expect(response.status.state == .unknown)
        #expect(response.status.health == .unknown)
    }

    @Test(
        "ProvisionStatus wire values",
        arguments: [(1, ProvisionStatus.success), (2, .inProgress), (3, .failed)] as [(Int64, ProvisionStatus)]
    )
    func provisionStatus(wire: Int64, status: ProvisionStatus) throws {
        let bytes = Wire.lengthDelimited(1, Wire.varintField(3, wire))
        #expect(try ProvisionTenantResponse(serializedBytes: bytes).result.status == status)
    }

    @Test(
        "UpdateStatus wire values",
        arguments: [(1, UpdateStatus.success), (2, .noChanges), (3, .inProgress), (4, .failed)]
            as [(Int64, UpdateStatus)]
    )
    func updateStatus(wire: Int64, status: UpdateStatus) throws {
        let bytes = Wire.lengthDelimited(1, Wire.varintField(3, wire))
        #expect(try UpdateTenantResponse(serializedBytes: bytes).result.status == status)
    }

    @Test(
        "ProvisionStatus and UpdateStatus: UNSPECIFIED and unknown values read as in progress (not confirmed)",
        arguments: [nil, 0, 5, 42, Int64(Int32.max), -1] as [Int64?]
    )
    func unknownOutcome(wire: Int64?) throws {
        let result = wire.map { Wire.varintField(3, $0) } ?? []
        #expect(
            try ProvisionTenantResponse(serializedBytes: Wire.lengthDelimited(1, result)).result.status == .inProgress)
        #expect(try UpdateTenantResponse(serializedBytes: Wire.lengthDelimited(1, result)).result.status == .inProgress)
    }

    @Test("UNSPECIFIED (0) is never written")
    func neverUnspecified() throws {
        for state in ComputeState.allCases {
            for health in HealthStatus.allCases {
                var status = Fixtures.fullStatus
                status.state = state
                status.health = health
                let bytes = GetTenantStatusResponse(status: status).serializedBytes()
                #expect(!bytes.contains(subsequence: [0x18, 0x00]) && !bytes.contains(subsequence: [0x28, 0x00]))
                let decoded = try GetTenantStatusResponse(serializedBytes: bytes).status
                #expect(decoded.state == state && decoded.health == health)
            }
        }
        for status in ProvisionStatus.allCases {
            let result = ProvisionResult(
                tenantID: "", providerType: "", status: status, provisionedAt: Fixtures.provisionedAt)
            // tag 0x18 (field 3, varint) followed by a non-zero value.
            let bytes = ProvisionTenantResponse(result: result).serializedBytes()
            let index = try #require(bytes.firstIndex(of: 0x18))
            #expect(bytes[index + 1] != 0)
        }
        for status in UpdateStatus.allCases {
            let result = UpdateResult(tenantID: "", providerType: "", status: status, updatedAt: Fixtures.provisionedAt)
            let bytes = UpdateTenantResponse(result: result).serializedBytes()
            let index = try #require(bytes.firstIndex(of: 0x18))
            #expect(bytes[index + 1] != 0)
        }
    }
}

@Suite("google.protobuf.Timestamp <-> Date")
struct TimestampTests {
    /// A Timestamp's fields (zero fields are not written).
    private func timestamp(seconds: Int64, nanos: Int64) -> [UInt8] {
        (seconds != 0 ? Wire.varintField(1, seconds) : []) + (nanos != 0 ? Wire.varintField(2, nanos) : [])
    }

    /// GetTenantStatusResponse { status { last_updated { seconds, nanos } } }.
    private func statusBytes(seconds: Int64, nanos: Int64) -> [UInt8] {
        Wire.lengthDelimited(1, Wire.lengthDelimited(6, timestamp(seconds: seconds, nanos: nanos)))
    }

    /// What ``lastUpdated(_:)`` writes: GetTenantStatusResponse { status { state: RUNNING, health: HEALTHY,
    /// last_updated { seconds, nanos } } }.
    private func expectedBytes(seconds: Int64, nanos: Int64) -> [UInt8] {
        Wire.lengthDelimited(
            1,
            [0x18, 0x01, 0x28, 0x01] + Wire.lengthDelimited(6, timestamp(seconds: seconds, nanos: nanos))
        )
    }

    private func lastUpdated(_ date: Date) -> [UInt8] {
        let status = ComputeStatus(tenantID: "", providerType: "", state: .running, health: .healthy, lastUpdated: date)
        return GetTenantStatusResponse(status: status).serializedBytes()
    }

    private func decodedLastUpdated(seconds: Int64, nanos: Int64) throws -> Date {
        try GetTenantStatusResponse(serializedBytes: statusBytes(seconds: seconds, nanos: nanos)).status.lastUpdated
    }

    @Test(
        "wire form: seconds since 1970 and non-negative nanos, before 1970 too",
        arguments: [
            (0, 0, 0),
            (1_714_564_800.25, 1_714_564_800, 250_000_000),
            (1_714_564_800.5, 1_714_564_800, 500_000_000),
            (-0.25, -1, 750_000_000),
            (-1, -1, 0),
            (-1.5, -2, 500_000_000),
            (-1_000_000_000.75, -1_000_000_001, 250_000_000),
            (-2_208_988_800, -2_208_988_800, 0),  // 1900-01-01
            (978_307_200.125, 978_307_200, 125_000_000),  // the reference date of Date, 2001-01-01
        ] as [(Double, Int64, Int64)]
    )
    func wireForm(since1970: Double, seconds: Int64, nanos: Int64) throws {
        let date = Date(timeIntervalSince1970: since1970)
        #expect(lastUpdated(date) == expectedBytes(seconds: seconds, nanos: nanos))
        #expect(try decodedLastUpdated(seconds: seconds, nanos: nanos) == date)
    }

    @Test(
        "dates survive exactly",
        arguments: [
            Date(),
            Date(timeIntervalSince1970: 1_714_564_800.123_456_7),
            Date(timeIntervalSince1970: 1_714_564_800.999_999_9),
            Date(timeIntervalSince1970: -1_714_564_800.123_456_7),
            Date(timeIntervalSince1970: -0.000_001),
            Date(timeIntervalSince1970: 4_102_444_800.000_1),  // 2100
            Date(timeIntervalSince1970: -62_135_596_800),  // 0001-01-01, the smallest Timestamp
            Date.distantFuture,  // 4001-01-01
        ]
    )
    func exactDates(date: Date) throws {
        let status = ComputeStatus(tenantID: "", providerType: "", state: .running, health: .healthy, lastUpdated: date)
        #expect(try roundTrip(GetTenantStatusResponse(status: status)).status.lastUpdated == date)
        var result = Fixtures.fullProvisionResult
        result.provisionedAt = date
        #expect(try roundTrip(ProvisionTenantResponse(result: result)).result.provisionedAt == date)
        var update = Fixtures.fullUpdateResult
        update.updatedAt = date
        #expect(try roundTrip(UpdateTenantResponse(result: update)).result.updatedAt == date)
    }

    @Test("near 2001-01-01 a Date is finer than a nanosecond: it is rounded to the nearest one")
    func nanosecondRounding() throws {
        let date = Date(timeIntervalSinceReferenceDate: 0.123_456_789_4)
        let decoded = try roundTrip(
            GetTenantStatusResponse(
                status: .init(
                    tenantID: "", providerType: "", state: .running, health: .healthy, lastUpdated: date
                ))
        ).status.lastUpdated
        #expect(abs(decoded.timeIntervalSince(date)) <= 0.5e-9)
        #expect(lastUpdated(date).contains(subsequence: Wire.varintField(2, 123_456_789)))
    }

    @Test("nanoseconds are decoded to Date's precision")
    func nanosecondDecoding() throws {
        let date = try decodedLastUpdated(seconds: 1_714_564_800, nanos: 123_456_789)
        #expect(abs(date.timeIntervalSince1970 - 1_714_564_800.123_456_789) < 1e-6)
        let early = try decodedLastUpdated(seconds: -1, nanos: 999_999_999)
        #expect(abs(early.timeIntervalSince1970 - -0.000_000_001) < 1e-6)
    }

    @Test(
        "dates beyond the Timestamp range are clamped to 0001-01-01 / 9999-12-31T23:59:59.999999999Z",
        arguments: [
            // Seconds since 2001-01-01 (Date's reference date); Date.description traps on NaN and
            // infinity, so the test arguments are the intervals.
            (-1e13, Int64(-62_135_596_800), Int64(0)),
            (Date.distantPast.timeIntervalSinceReferenceDate, -62_135_596_800, 0),  // 0000-12-30
            (-.infinity, -62_135_596_800, 0),
            (1e13, 253_402_300_799, 999_999_999),
            (.infinity, 253_402_300_799, 999_999_999),
            (.greatestFiniteMagnitude, 253_402_300_799, 999_999_999),
            (.nan, 0, 0),
        ] as [(Double, Int64, Int64)]
    )
    func clampedOnEncode(interval: Double, seconds: Int64, nanos: Int64) {
        let date = Date(timeIntervalSinceReferenceDate: interval)
        #expect(lastUpdated(date) == expectedBytes(seconds: seconds, nanos: nanos))
    }

    @Test("out-of-range and non-normalized wire values decode without trapping")
    func outOfRangeWire() throws {
        #expect(
            try decodedLastUpdated(seconds: .min, nanos: 0)
                == decodedLastUpdated(seconds: -62_135_596_800, nanos: 0)
        )
        #expect(
            try decodedLastUpdated(seconds: .max, nanos: 0)
                == decodedLastUpdated(seconds: 253_402_300_799, nanos: 0)
        )
        // Negative or oversized nanos (a non-conforming sender) are added as sent.
        #expect(try decodedLastUpdated(seconds: 10, nanos: -500_000_000) == Date(timeIntervalSince1970: 9.5))
        #expect(try decodedLastUpdated(seconds: 10, nanos: 1_500_000_000) == Date(timeIntervalSince1970: 11.5))
    }

    @Test("an absent timestamp reads as the Unix epoch, and the epoch is still written")
    func absent() throws {
        let bytes = Wire.lengthDelimited(1, Wire.varintField(3, 1))
        #expect(
            try GetTenantStatusResponse(serializedBytes: bytes).status.lastUpdated == Date(timeIntervalSince1970: 0))
        // last_updated (field 6) present and empty.
        #expect(lastUpdated(Date(timeIntervalSince1970: 0)).contains(subsequence: [0x32, 0x00]))
    }
}

extension Array where Element: Equatable {
    func contains(subsequence: [Element]) -> Bool {
        guard !subsequence.isEmpty else { return true }
        guard count >= subsequence.count else { return false }
        return (0...(count - subsequence.count)).contains { Array(self[$0..<$0 + subsequence.count]) == subsequence }
    }
}
