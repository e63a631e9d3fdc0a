import Testing
@testable import SmarketingCore
@Test func placeholder() {}
