// swift-tools-version:5.9
// A SwiftUI app whose greeting is a Kiln var, hot-reloaded from the editor.
// Build libkiln.a for iOS first (see docs/ios.md), then open this package in Xcode.
import PackageDescription

let package = Package(
    name: "KilnDemo",
    platforms: [.iOS(.v17)],
    products: [.executable(name: "KilnDemo", targets: ["KilnDemo"])],
    targets: [
        // The C embedding API: include/kiln/kiln.h, linked against libkiln.a
        // and its dependencies built for the same SDK.
        .systemLibrary(name: "CKiln", path: "Sources/CKiln"),
        .executableTarget(
            name: "KilnDemo",
            dependencies: ["CKiln"],
            resources: [.copy("demo.clj")],
            linkerSettings: [
                .unsafeFlags(["-L../../build-ios", "-lkiln", "-lgc", "-ltommath", "-lpcre2-8"]),
            ]),
    ])
