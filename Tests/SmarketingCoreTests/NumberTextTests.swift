import Testing
@testable import SmarketingCore

@Suite("Numbers as people type them")
struct NumberTextTests {
    @Test("English, Brazilian and plain numbers are read",
          arguments: [
              ("1234.5", 1234.5), ("-3", -3), ("+7", 7), ("0", 0), ("1.234,56", 1234.56), ("1,5", 1.5),
              ("1,234.56", 1234.56), ("-1.234,5", -1234.5), ("1.234.567", 1_234_567), ("1,234,567", 1_234_567),
              ("1.234.567,89", 1_234_567.89), ("1,234,567.89", 1_234_567.89), ("92.893", 92.893), ("-46.2", -46.2),
              ("5191", 5191), ("1.313", 1.313), ("1,234", 1.234), (".5", 0.5), (",5", 0.5), ("1.", 1), ("007", 7),
              ("1e3", 1000), ("1.5E-2", 0.015), ("-2e+2", -200), ("  42 ", 42), ("999", 999),
          ])
    func reads(text: String, expected: Double) {
        #expect(NumberText.parse(text) == expected)
    }

    @Test("what is not a number is refused",
          arguments: [
              "", " ", "12abc", "abc", "-", "+", ".", ",", "1.2.3,4", "1,2,3.4", "1.234,5.6", "1,5.234", "12,34,567",
              "1,23,456.7", "1 234", "R$ 10", "10%", "nan", "NaN", "inf", "-inf", "infinity", "0x1p3", "1e", "e5",
              "1e5.5", "1e999", "--3", "3-", "1..2", "1,,2", "١٢", "½", "1_000",
          ])
    func refuses(text: String) {
        #expect(NumberText.parse(text) == nil)
    }

    @Test("numbers are written with a dot and without a trailing .0",
          arguments: [
              (5191.0, "5191"), (-3.0, "-3"), (0.0, "0"), (-0.0, "0"), (1234.5, "1234.5"), (92.893, "92.893"),
              (-46.2, "-46.2"), (0.1, "0.1"), (1e20, "1e+20"), (123_456_789_012.0, "123456789012"),
          ])
    func writes(value: Double, text: String) {
        #expect(NumberText.format(value) == text)
    }

    @Test("a written number reads back to the same value",
          arguments: [0.1 + 0.2, 1e-5, 1e20, -123.456, 5099.1, 4.855, 1e15, 999_999_999_999_999, 0.000_123])
    func roundTrip(value: Double) {
        #expect(NumberText.parse(NumberText.format(value)) == value)
    }
}
