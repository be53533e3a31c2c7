import Foundation

/// Typed views of the untyped values `JSONSerialization` returns (numbers and booleans are both
/// `NSNumber`; booleans are told apart by their Objective-C type code `c`).
enum JSONValue {
    static func isBool(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    static func string(_ value: Any) -> String? {
        value as? String
    }

    static func number(_ value: Any) -> Double? {
        guard let number = value as? NSNumber, !isBool(value) else { return nil }
        return number.doubleValue
    }

    static func bool(_ value: Any) -> Bool? {
        guard isBool(value), let number = value as? NSNumber else { return nil }
        return number.boolValue
    }

    static func numbers(_ value: Any) -> [Double]? {
        guard let array = value as? [Any] else { return nil }
        var result: [Double] = []
        result.reserveCapacity(array.count)
        for element in array {
            guard let number = number(element) else { return nil }
            result.append(number)
        }
        return result
    }

    /// A record id: a string as is, or an integral number as its decimal text.
    static func identifier(_ value: Any) -> String? {
        if let string = value as? String { return string.isEmpty ? nil : string }
        guard let double = number(value), double.rounded() == double, abs(double) < 9e15 else { return nil }
        return String(Int64(double))
    }

    /// "a string", "a number", … for messages.
    static func kind(_ value: Any) -> String {
        if value is NSNull { return "null" }
        if isBool(value) { return "a boolean" }
        if value is NSNumber { return "a number" }
        if value is String { return "a string" }
        if let array = value as? [Any] { return "a list of \(array.count)" }
        if value is [String: Any] { return "an object" }
        return "\(type(of: value))"
    }

    /// A short rendering of a value for messages (at most ~60 characters).
    static func describe(_ value: Any) -> String {
        let text: String
        if let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed]),
            let string = String(data: data, encoding: .utf8)
        {
            text = string
        } else {
            text = kind(value)
        }
        return text.count > 60 ? String(text.prefix(57)) + "…" : text
    }
}
