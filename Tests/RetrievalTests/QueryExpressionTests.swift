import Testing

@testable import Retrieval

@Suite struct QueryExpressionTests {
    typealias Term = QueryExpression.Term

    @Test func bareTextIsOneTerm() throws {
        #expect(try QueryExpression(parsing: "  dog on a table ").terms == [Term(.text("dog on a table"))])
        #expect(try QueryExpression(parsing: "t-shirt + jeans").terms == [Term(.text("t-shirt + jeans"))])
        #expect(try QueryExpression(parsing: "img:photos/cat 1.jpg").terms == [Term(.image(path: "photos/cat 1.jpg"))])
        #expect(try QueryExpression(parsing: "@cat.jpg").terms == [Term(.image(path: "cat.jpg"))])
    }

    @Test func weightedCombination() throws {
        let e = try QueryExpression(parsing: #""2:dog" + "ball" - "grass""#)
        #expect(e.terms == [Term(.text("dog"), weight: 2), Term(.text("ball")), Term(.text("grass"), weight: -1)])
    }

    @Test func mixedImageAndTextTermsAndWeightForms() throws {
        let e = try QueryExpression(parsing: #"- "0.5:@a b.jpg" + 3:"img:x.png" +2*"red car"-"say \"hi\"""#)
        #expect(e.terms == [
            Term(.image(path: "a b.jpg"), weight: -0.5),
            Term(.image(path: "x.png"), weight: 3),
            Term(.text("red car"), weight: 2),
            Term(.text(#"say "hi""#), weight: -1),
        ])
        // A colon that is not a number prefix stays in the text.
        #expect(try QueryExpression(parsing: #""note: cats""#).terms == [Term(.text("note: cats"))])
    }

    private func column(_ source: String) -> (Int, String)? {
        do {
            _ = try QueryExpression(parsing: source)
            return nil
        } catch let RetrievalError.syntax(message, column, _) {
            return (column, message)
        } catch {
            return nil
        }
    }

    @Test func errorsGiveTheColumn() {
        #expect(column(#""dog" + "ball"#)?.0 == 9)  // unterminated quote opened at column 9
        #expect(column(#""dog" "ball""#)?.0 == 7)  // missing operator
        #expect(column(#""dog" +"#)?.0 == 8)  // nothing after '+'
        #expect(column(#""dog" + ball"#)?.0 == 9)  // unquoted term in a combination
        #expect(column(#""0:dog""#)?.1 == "weight must not be zero")
        #expect(column(#""0:dog""#)?.0 == 2)
        #expect(column(#""1.2.3:dog""#)?.0 == 2)
        #expect(column(#""2:" + "x""#)?.0 == 4)  // empty term after the weight
        #expect(column(#""img:""#)?.1 == "image term without a path")
        #expect(column("   ")?.1 == "empty query")
        let message = "\(RetrievalError.syntax(message: "unterminated quote", column: 3, expression: "a \"b"))"
        #expect(message.contains("column 3") && message.hasSuffix("\n    ^"))
    }

    @Test func combineNormalisesTermsAndResult() throws {
        let v = try QueryExpression.combine([(2, [3, 0]), (1, [0, 10]), (-1, [1, 0])])
        // 2·(1,0) + (0,1) − (1,0) = (1,1) → normalised
        #expect(abs(v[0] - 0.70710678) < 1e-6 && abs(v[1] - 0.70710678) < 1e-6)
        #expect(throws: RetrievalError.self) { try QueryExpression.combine([(1, [1, 0]), (-1, [2, 0])]) }
        #expect(throws: RetrievalError.dimensionMismatch(expected: 2, actual: 3, what: "term 2 vector")) {
            try QueryExpression.combine([(1, [1, 0]), (1, [1, 0, 0])])
        }
        let e = try QueryExpression(parsing: #""2:dog" - "@cat.jpg""#)
        let out = try e.embedding { term in
            switch term.kind {
            case .text: return [1, 0, 0]
            case .image: return [0, 0, 5]
            }
        }
        let n = Float(5).squareRoot()
        #expect(zip(out, [2 / n, 0, -1 / n]).allSatisfy { abs($0 - $1) < 1e-6 })
    }
}
