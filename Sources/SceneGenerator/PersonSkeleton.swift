/// Joint positions of a person pictogram in local units (feet on y = 0 when standing, facing +x).
/// Limb lengths: thigh 24, shin 23, upper arm 16, forearm 15; the head sits 12 above the neck.
struct PersonSkeleton: Sendable, Equatable {
    var hip: Point
    var neck: Point
    var backKnee: Point, backFoot: Point
    var frontKnee: Point, frontFoot: Point
    var backElbow: Point, backHand: Point
    var frontElbow: Point, frontHand: Point
    /// Draw only head, torso and arms (a person seen through a car window).
    var upperBodyOnly = false
    /// Eyes closed (sleeping, reading).
    var eyesDown = false

    static let thigh = 24.0, shin = 23.0, upperArm = 16.0, forearm = 15.0
    static let hipHeight = 46.0, torso = 33.0, headRadius = 10.0

    var shoulder: Point { Point(neck.x, neck.y + 3) }
    var headCenter: Point { Point(neck.x + 1, neck.y - 11) }

    /// Two-bone inverse kinematics: the middle joint between `root` and `target`, bent toward `bend`'s side
    /// (`+1` bends to +x of the root→target direction's left normal, `-1` the other way).
    static func joint(_ root: Point, _ target: Point, _ l1: Double, _ l2: Double, bend: Double) -> (Point, Point) {
        var d = target - root
        var dist = d.length
        var end = target
        if dist > l1 + l2 - 0.01 {
            d = d * ((l1 + l2 - 0.01) / max(dist, 1e-9))
            dist = l1 + l2 - 0.01
            end = root + d
        }
        if dist < abs(l1 - l2) + 0.01 {
            let k = (abs(l1 - l2) + 0.01) / max(dist, 1e-9)
            d = d * k
            dist = abs(l1 - l2) + 0.01
            end = root + d
        }
        let a = (l1 * l1 - l2 * l2 + dist * dist) / (2 * dist)
        let h = max(l1 * l1 - a * a, 0).squareRoot()
        let ux = d.x / dist, uy = d.y / dist
        let mid = Point(root.x + ux * a + (-uy) * h * bend, root.y + uy * a + ux * h * bend)
        return (mid, end)
    }

    /// A skeleton from hip, neck and the four end points; knees bend forward, elbows backward.
    static func posed(hip: Point, neck: Point, backFoot: Point, frontFoot: Point,
                      backHand: Point, frontHand: Point) -> PersonSkeleton {
        let sh = Point(neck.x, neck.y + 3)
        // For a limb going down (+y), bend = -1 puts the joint at +x (forward).
        let bk = joint(hip, backFoot, thigh, shin, bend: -1)
        let fk = joint(hip, frontFoot, thigh, shin, bend: -1)
        let be = joint(sh, backHand, upperArm, forearm, bend: 1)
        let fe = joint(sh, frontHand, upperArm, forearm, bend: 1)
        return PersonSkeleton(hip: hip, neck: neck, backKnee: bk.0, backFoot: bk.1, frontKnee: fk.0,
                              frontFoot: fk.1, backElbow: be.0, backHand: be.1, frontElbow: fe.0, frontHand: fe.1)
    }

    /// Standing upright, arms hanging.
    static func standing() -> PersonSkeleton {
        posed(hip: Point(0, -46), neck: Point(0, -79), backFoot: Point(-4, 0), frontFoot: Point(5, 0),
              backHand: Point(-5, -49), frontHand: Point(6, -49))
    }

    /// Mid-stride, arms swinging.
    static func walking(stride: Double) -> PersonSkeleton {
        posed(hip: Point(0, -45), neck: Point(1, -78), backFoot: Point(-stride, 0), frontFoot: Point(stride, 0),
              backHand: Point(9, -52), frontHand: Point(-8, -52))
    }

    /// Seated with the hip at local height `seat` (positive, above the feet's floor), feet on the floor.
    static func sitting(seat: Double, handsOnLap: Bool = true) -> PersonSkeleton {
        let hip = Point(0, -seat)
        let knee = Point(22, -seat - 1)
        let foot = Point(min(24, knee.x + 2), 0)
        let neck = Point(-2, -seat - 33)
        var s = posed(hip: hip, neck: neck, backFoot: foot, frontFoot: Point(foot.x + 3, 0),
                      backHand: Point(14, -seat - 6), frontHand: Point(16, -seat - 5))
        if !handsOnLap {
            s = posed(hip: hip, neck: neck, backFoot: foot, frontFoot: Point(foot.x + 3, 0),
                      backHand: Point(-6, -seat - 4), frontHand: Point(8, -seat - 4))
        }
        return s
    }
}
