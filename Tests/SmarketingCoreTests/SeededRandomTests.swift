import Testing
@testable import SmarketingCore

@Suite("Seeded random numbers")
struct SeededRandomTests {
    @Test("seed 0 gives the published SplitMix64 sequence, so every machine agrees")
    func referenceSequence() {
        var random = SeededRandom(seed: 0)
        #expect(random.next() == 0xE220_A839_7B1D_CDAF)
        #expect(random.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test("two generators with the same seed give the same numbers", arguments: [0, 1, 42, UInt64.max])
    func sameSeedSameNumbers(seed: UInt64) {
        var first = SeededRandom(seed: seed)
        var second = SeededRandom(seed: seed)
        let a = (0..<100).map { _ in first.next() }
        let b = (0..<100).map { _ in second.next() }
        #expect(a == b)
    }

    @Test("different seeds give different numbers")
    func differentSeeds() {
        var first = SeededRandom(seed: 1)
        var second = SeededRandom(seed: 2)
        #expect((0..<10).map { _ in first.next() } != (0..<10).map { _ in second.next() })
    }

    @Test("numbers drawn in a range stay in it and cover it")
    func rangeDraws() {
        var random = SeededRandom(seed: 99)
        let draws = (0..<1_000).map { _ in Int.random(in: 0..<10, using: &random) }
        #expect(draws.allSatisfy { (0..<10).contains($0) })
        #expect(Set(draws) == Set(0..<10))
    }
}
