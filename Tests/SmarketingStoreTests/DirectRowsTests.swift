import Foundation
import Testing
@testable import SmarketingStore

@Suite("Rows read straight from SQLite")
struct DirectRowsTests {
    @Test("ids parse from their text in either case exactly as Foundation parses them")
    func idsParse() {
        for _ in 0..<500 {
            let id = UUID()
            #expect(UUIDText.parse(id.uuidString) == id)
            #expect(UUIDText.parse(id.uuidString.lowercased()) == id)
        }
    }

    @Test("ids are written as the same upper-case text Foundation writes, and ordered as that text is")
    func idsWrite() {
        let ids = (0..<500).map { _ in UUID() } + [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                                                   UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))]
        for id in ids { #expect(UUIDText.string(id) == id.uuidString) }
        #expect(ids.sorted(by: UUIDText.precedes) == ids.sorted { $0.uuidString < $1.uuidString })
    }

    @Test("text that is not an id is refused", arguments: [
        "", "not-an-id", "01A23550-F3E0-7000-B768-525373CF256", "01A23550-F3E0-7000-B768-525373CF256DX",
        "01A23550F3E0-7000-B768-525373CF256D0", "01A23550-F3E0-7000-B768-525373CF256G", "01A23550-F3E0-7000-B768_525373CF256D",
    ])
    func malformedIDs(text: String) {
        #expect(UUIDText.parse(text) == nil)
        #expect(UUID(uuidString: text) == nil)
    }
}
